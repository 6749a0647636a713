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
