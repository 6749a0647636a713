"""Production refuses to start without the chain key, and names it (issue 19 item 8, ADR 0060)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CODE = "import django; django.setup(); from samdrift.audit.chain import chain_key; print(len(chain_key()))"


def _start(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SAMDRIFT_AUDIT_KEY"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SAMDRIFT_DATA_DIR=str(tmp_path),
        SAMDRIFT_BASE_URL="https://samdrift.example.se",
        SAMDRIFT_SECRET_KEY="k" * 50,  # production secrets (ADR 0067)
        SAMDRIFT_EFOS_CA_PASSPHRASE="a-real-ca-passphrase-42",
        **extra,
    )
    return subprocess.run(
        [sys.executable, "-c", CODE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def test_production_refuses_without_the_key_and_names_it(tmp_path):
    refused = _start(tmp_path)
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr and "SAMDRIFT_AUDIT_KEY" in refused.stderr
    assert not (tmp_path / "audit.key").exists()  # no key file is made in production
    short = _start(tmp_path, SAMDRIFT_AUDIT_KEY="too-short")
    assert short.returncode != 0 and "SAMDRIFT_AUDIT_KEY" in short.stderr
    started = _start(tmp_path, SAMDRIFT_AUDIT_KEY="p" * 40)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "40"
