"""`samdrift backup pitr …` (ADR 0974) without a cluster: the configuration written once with
the server settings printed, and each refusal in Swedish and English with nothing written. The
engine itself is exercised in test_pitr.py."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("backup", "pitr", *args, stdout=out)
    return out.getvalue()


def test_configure_writes_once_and_prints_the_server_settings(tmp_path):
    config = tmp_path / "pgbackrest.conf"
    printed = _run("configure", str(config), "--repo", str(tmp_path / "repo"), "--pg-data",
                   "/var/lib/postgresql/15/main", "--rpo-seconds", "30")  # fmt: skip
    text = config.read_text()
    assert "[samdrift]" in text and "pg1-path=/var/lib/postgresql/15/main" in text
    assert "archive_mode = 'on'" in printed and "archive_timeout = '30'" in printed
    assert f"--config={config} --stanza=samdrift archive-push %p" in printed
    with pytest.raises(CommandError, match=r"finns redan.*already exists"):
        _run("configure", str(config), "--repo", "/x", "--pg-data", "/y")
    assert config.read_text() == text
    with pytest.raises(CommandError, match=r"absolut sökväg.*absolute path"):
        _run("configure", str(tmp_path / "other.conf"), "--repo", "repo", "--pg-data", "/y")
    assert not (tmp_path / "other.conf").exists()


def test_restore_and_status_refuse_what_they_cannot_do(tmp_path, monkeypatch):
    monkeypatch.delenv("SAMDRIFT_PITR_CONFIG", raising=False)
    with pytest.raises(CommandError, match="SAMDRIFT_PITR_CONFIG"):
        _run("status")
    config = str(tmp_path / "absent.conf")
    with pytest.raises(CommandError, match=r"inte en tidpunkt.*not a moment"):
        _run("restore", "--config", config, "--to", "igår", "--into", str(tmp_path / "d"))
    with pytest.raises(CommandError, match=r"tidszon.*time zone"):
        _run("restore", "--config", config, "--to", "2026-12-06T14:30", "--into", str(tmp_path))
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match=r"kräver PostgreSQL.*needs PostgreSQL"):
            _run("status", "--config", config)
    assert not (tmp_path / "d").exists()
