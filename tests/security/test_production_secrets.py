"""Production refuses public defaults and names every missing secret (issue 19 item 9, ADR 0067)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "SAMDRIFT_SECRET_KEY": "k" * 50,
    "SAMDRIFT_AUDIT_KEY": "a" * 40,
    "SAMDRIFT_EFOS_CA_PASSPHRASE": "a-real-ca-passphrase-42",
    "SAMDRIFT_BASE_URL": "https://samdrift.example.se",
}


def _start(tmp_path: Path, **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMDRIFT_", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.prod", SAMDRIFT_DATA_DIR=str(tmp_path))
    env.update(env_extra)
    code = "import django; django.setup(); print('started')"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def test_without_any_secret_one_message_names_each(tmp_path):
    refused = _start(tmp_path)
    assert refused.returncode != 0 and "started" not in refused.stdout
    last_line = refused.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured")
    for name in SECRETS:
        assert name in last_line, name
    assert "produktion" in last_line  # Swedish and English


def test_public_defaults_count_as_missing(tmp_path):
    defaults = dict(
        SECRETS,
        SAMDRIFT_SECRET_KEY="dev-only-not-secret-change-me",
        SAMDRIFT_EFOS_CA_PASSPHRASE="dev-only-efos-passphrase",
    )
    refused = _start(tmp_path, **defaults)
    assert refused.returncode != 0
    last_line = refused.stderr.strip().splitlines()[-1]
    assert "SAMDRIFT_SECRET_KEY" in last_line and "SAMDRIFT_EFOS_CA_PASSPHRASE" in last_line
    assert "SAMDRIFT_AUDIT_KEY" not in last_line and "SAMDRIFT_BASE_URL" not in last_line


def test_with_every_secret_production_starts(tmp_path):
    started = _start(tmp_path, **SECRETS)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "started"
