"""`manage.py check --deploy` is clean with the production settings (ADR 0036).

Run in a subprocess: production settings refuse to import without their variables, and the
check must see exactly what a real start sees.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMDRIFT_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SAMDRIFT_SECRET_KEY=secrets.token_urlsafe(50),
        SAMDRIFT_AUDIT_KEY=secrets.token_hex(32),
        SAMDRIFT_EFOS_CA_PASSPHRASE=secrets.token_urlsafe(24),
        SAMDRIFT_BASE_URL="https://samdrift.example.se",
        SAMDRIFT_ALLOWED_HOSTS="samdrift.example.se",
        SAMDRIFT_DATA_DIR=str(tmp_path),
    )
    env.update(overrides)
    return env


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_in_production(tmp_path: Path) -> None:
    result = deploy_check(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.slow
def test_check_deploy_notices_a_weakened_production(tmp_path: Path) -> None:
    """The check is live: turning HSTS and the redirect off is reported, not hidden."""
    env = production_env(tmp_path, SAMDRIFT_HSTS_SECONDS="0", SAMDRIFT_SSL_REDIRECT="0")
    result = deploy_check(env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout
    assert "security.W008" in result.stderr + result.stdout


@pytest.mark.slow
def test_production_settings_are_strict(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_AGE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.split() == [
        "True",
        "31536000",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "28800",
    ]
