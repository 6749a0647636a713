"""Tests: the same settings as production but a fast password hasher."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SAMDRIFT_LOCAL_LOGIN = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The whole suite calls the public endpoints from one address far faster than any client would;
# the rate-limit tests set their own budgets (samdrift/audit/tests/test_security_log.py).
SAMDRIFT_PUBLIC_RATE_LIMITS = {"ocsp": (10**9, 60), "tsa": (10**9, 60), "oidc": (10**9, 60)}
# Likewise for failed logins and wrong API tokens (ADR 0038); the throttle tests set their own.
SAMDRIFT_LOGIN_THROTTLE = {"account": (10**9, 900), "address": (10**9, 900)}
