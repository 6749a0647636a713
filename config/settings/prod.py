"""Production: everything from the environment; local password login off unless asked for."""

import os

from .base import *  # noqa: F403
from .base import DATA_DIR

DEBUG = False
SAMDRIFT_LOCAL_LOGIN = os.environ.get("SAMDRIFT_LOCAL_LOGIN", "0") == "1"
# Without local login, officials log in with an e-ID (identity app).
LOGIN_URL = "accounts:login" if SAMDRIFT_LOCAL_LOGIN else "identity:login"
SESSION_COOKIE_SECURE = os.environ.get("SAMDRIFT_SECURE_COOKIES", "1") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
DATA_DIR.mkdir(parents=True, exist_ok=True)
# The public address is the OpenID issuer and goes into certificates: never guessed in
# production (development derives it from the request). ADR 0033.
SAMDRIFT_BASE_URL = os.environ.get("SAMDRIFT_BASE_URL", "").strip().rstrip("/")
if not SAMDRIFT_BASE_URL.startswith(("https://", "http://")):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SAMDRIFT_BASE_URL must be set to samdrift's public address in production, "
        "e.g. https://samdrift.example.se / SAMDRIFT_BASE_URL måste anges i produktion."
    )
# The audit chain's HMAC key never lives in the database and has no default (ADR 0060).
if len(os.environ.get("SAMDRIFT_AUDIT_KEY", "").strip()) < 32:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SAMDRIFT_AUDIT_KEY must be set in production: the audit chain's key, at least 32 "
        "characters, kept outside the database / SAMDRIFT_AUDIT_KEY måste anges i produktion."
    )
