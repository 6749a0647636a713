"""Tests: the same settings as production but a fast password hasher."""

import os

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# ASGI requests run in kept threads (ADR 0669): with persistent connections each would hold a
# session to the test database past its test, and PostgreSQL refuses to drop a database that
# has sessions. Closed after each request here; the test of the kept connections sets its own.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
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

# Each pytest-xdist worker gets a Redis database of its own (db, db-1, …): tests clear the cache
# (FLUSHDB), and one worker's clear must not wipe the counters another worker's test is reading.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if os.environ.get("REDIS_URL") and _worker.startswith("gw"):
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    _own = f"{_base}/{max(int(_db or 0) - int(_worker[2:]), 0)}"
    CACHES["default"]["LOCATION"] = _own  # noqa: F405
    _layer: dict = CHANNEL_LAYERS["default"]  # noqa: F405
    if str(_layer["BACKEND"]).startswith("channels_redis"):
        _layer["CONFIG"]["hosts"][0]["address"] = _own

# Malware scanning is off unless a test starts clamd and names it (samdrift/core/files/tests/clamd.py).
SAMDRIFT_CLAMD = ""
