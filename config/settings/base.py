"""Settings shared by every environment. Environments differ only through variables."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from samdrift.core.files.conf import default_storage as default_file_storage

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("SAMDRIFT_DATA_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SAMDRIFT_SECRET_KEY", "dev-only-not-secret-change-me")
DEBUG = os.environ.get("SAMDRIFT_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("SAMDRIFT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
    ","
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "samdrift.core",
    "samdrift.core.jobs",
    "samdrift.core.files",
    "samdrift.core.notifications",
    "samdrift.core.search",
    "samdrift.audit",
    "samdrift.organisations",
    "samdrift.accounts",
    "samdrift.catalogue",
    "samdrift.onboarding",
    "samdrift.identity",
    "samdrift.efos",
    "samdrift.collaboration",
    "samdrift.operations",
    "samdrift.continuity",
    "samdrift.cooperation",
    "samdrift.security",
    "samdrift.chat",
    "samdrift.meetings",
    "samdrift.calendars",
    "samdrift.coediting",
    "samdrift.billing",
    "samdrift.accessibility",
    "samdrift.reporting",
    "samdrift.ui",
    "samdrift.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "samdrift.core.request_limit.RequestSizeLimitMiddleware",  # 413 before reading (issue 19)
    "csp.middleware.CSPMiddleware",
    "samdrift.core.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "samdrift.audit.middleware.PublicRateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "samdrift.ui.middleware.SwedishFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "samdrift.accounts.middleware.ActorMiddleware",
    "samdrift.core.busy.BusyDatabaseMiddleware",  # a locked database: 503 (issue 19)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "samdrift.ui.errors.MethodNotAllowedPageMiddleware",  # a page's bare 405: ours (ADR 0700)
]
if os.environ.get("SAMDRIFT_SERVER_TIMING") == "1":  # benches: the app's own time per request
    MIDDLEWARE.insert(0, "samdrift.core.timing.ServerTimingMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Live updates (ADR 0026): one process's memory by default; Redis when REDIS_URL is set, which
# several server processes need to reach each other's WebSockets.
CHANNEL_LAYERS = {
    "default": (
        {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 times out reads after 5 s, exactly channels_redis' blocking-pop wait:
            # without a longer timeout a quiet socket's consumer dies with TimeoutError.
            "CONFIG": {
                "hosts": [{"address": os.environ["REDIS_URL"], "socket_timeout": 15}],
                "prefix": "samdrift-live:",
                "capacity": 1000,
            },
        }
        if os.environ.get("REDIS_URL")
        # A channel holds 100 messages by default; past that a group message is dropped for that
        # connection. Fifty people typing in one note fill 100 in a second (ADR 0681).
        else {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}
    )
}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "samdrift.ui.context_processors.navigation",
                "samdrift.core.notifications.context_processors.inbox",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'samdrift.sqlite3'}"),
        conn_max_age=int(os.environ.get("SAMDRIFT_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while one writer works; IMMEDIATE makes a write transaction take the
    # write lock at BEGIN, so two concurrent writers queue instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # journal_mode=WAL is stored in the file: samdrift.core.sqlite sets it once per process.
        "init_command": "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }

# Background jobs: Django's tasks interface over samdrift's database queue (ADRs 0010-0014).
TASKS = {
    "default": {
        "BACKEND": "samdrift.core.jobs.backend.DatabaseBackend",
        "OPTIONS": {
            "MAX_ATTEMPTS": int(os.environ.get("SAMDRIFT_JOBS_MAX_ATTEMPTS", "3")),
            "LEASE_SECONDS": float(os.environ.get("SAMDRIFT_JOBS_LEASE_SECONDS", "30")),
        },
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "ui:start"
LOGOUT_REDIRECT_URL = "accounts:login"

# Local password login exists for development and the demo only (see ADR 0003).
SAMDRIFT_LOCAL_LOGIN = os.environ.get("SAMDRIFT_LOCAL_LOGIN", "1") == "1"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
# Swedish formats in Swedish, English in English: ISO dates and a decimal comma, "4 Dec 2026" and a
# decimal point (ADR 0709).
FORMAT_MODULE_PATH = ["samdrift.ui.formats"]
LOCALE_PATHS = [BASE_DIR / "samdrift" / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
# Files: a folder in MEDIA_ROOT, or an S3 bucket when SAMDRIFT_S3_ENDPOINT_URL is set (ADR 0015).
SAMDRIFT_FILES_MAX_BYTES = int(os.environ.get("SAMDRIFT_FILES_MAX_BYTES", 100 * 1024 * 1024))
# Bodies over a path's limit are refused by Content-Length before reading, and ASGI stops
# reading at the limit (samdrift/core/request_limit.py). The checker's upload limit is 50 MB.
SAMDRIFT_REQUEST_LIMITS = {
    "/api/v1/accessibility/": 50 * 1024 * 1024,
    "/accessibility/": 50 * 1024 * 1024,
}
FILE_UPLOAD_HANDLERS = [
    "samdrift.core.files.uploads.LargeChunkMemoryFileUploadHandler",
    "samdrift.core.files.uploads.CappedTemporaryFileUploadHandler",
]
# Paths whose uploads are malware-scanned (the SAFOS documents, ADR 0606): a large upload there
# goes to clamd while it arrives, and the service takes clamd's verdict (ADR 0670).
SAMDRIFT_SCANNED_UPLOAD_PATHS = ("/api/v1/collaboration/", "/collaboration/")
# A SAFOS document upload at least this large is stored first and scanned after the answer; it
# becomes a version only once found clean (ADR 0688). 0: every upload waits for its verdict.
SAMDRIFT_SCAN_HOLD_FROM_BYTES = int(
    os.environ.get("SAMDRIFT_SCAN_HOLD_FROM_BYTES", str(8 * 1024 * 1024))
)
STORAGES = {
    "default": default_file_storage(os.environ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# E-mail (notifications, ADR 0022): SMTP when SAMDRIFT_EMAIL_HOST is set; otherwise each message
# is written as a file to var/mail/ (development and the demo), never sent anywhere.
EMAIL_HOST = os.environ.get("SAMDRIFT_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("SAMDRIFT_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("SAMDRIFT_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SAMDRIFT_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("SAMDRIFT_EMAIL_STARTTLS", "0") == "1"
EMAIL_USE_SSL = os.environ.get("SAMDRIFT_EMAIL_TLS", "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("SAMDRIFT_EMAIL_TIMEOUT", "20"))
EMAIL_USE_LOCALTIME = True  # Date: in Swedish time with its offset, not "-0000"
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("SAMDRIFT_EMAIL_FROM", "samdrift <noreply@samdrift.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in e-mail need the whole address of the site.
SAMDRIFT_BASE_URL = os.environ.get("SAMDRIFT_BASE_URL", "http://127.0.0.1:8000")
# Incident reports by e-mail go to drift+<provider's organisation number>@this domain (ADR 0841);
# empty: the domain of SAMDRIFT_EMAIL_FROM.
OPERATIONS_INTAKE_DOMAIN = os.environ.get("SAMDRIFT_INCIDENT_MAIL_DOMAIN", "")
# Prometheus' HTTP API, where capacity figures with a query are read every hour (ADR 0846).
OPERATIONS_PROMETHEUS_URL = os.environ.get("SAMDRIFT_PROMETHEUS_URL", "")

# Audit (ADRs 0060-0061): the chain's HMAC key is kept outside the database (required in
# production; development makes var/audit.key), checkpoints go to a directory outside it too.
SAMDRIFT_AUDIT_KEY = os.environ.get("SAMDRIFT_AUDIT_KEY", "")
SAMDRIFT_AUDIT_KEY_FILE = DATA_DIR / "audit.key"
SAMDRIFT_AUDIT_CHECKPOINT_DIR = Path(
    os.environ.get("SAMDRIFT_AUDIT_CHECKPOINT_DIR", DATA_DIR / "audit-checkpoints")
)
# Refused anonymous calls: counted per address, kind and window; kept this many days.
SAMDRIFT_SECURITY_LOG_WINDOW_SECONDS = 600
SAMDRIFT_SECURITY_LOG_RETENTION_DAYS = int(os.environ.get("SAMDRIFT_SECURITY_LOG_DAYS", "90"))
# Per-address budgets of the public endpoints: kind -> (requests, seconds); per minute from the
# environment (SAMDRIFT_RATE_LIMIT_OCSP, _TSA, _OIDC), e.g. raised for a load benchmark.
SAMDRIFT_PUBLIC_RATE_LIMITS = {
    kind: (int(os.environ.get(f"SAMDRIFT_RATE_LIMIT_{kind.upper()}", default)), 60)
    for kind, default in (("ocsp", 600), ("tsa", 120), ("oidc", 60))
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "samdrift.ui.errors.csrf_failure"  # our page; after logout: log in (ADR 0700)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (ADR 0037): scripts and styles only from samdrift's own static files,
# no inline code at all; inline SVG charts need no exception. 'self' covers the same host's
# ws:/wss: (CSP 3) for /ws/live/. Pages are never framed; forms post only to samdrift.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Failed logins (form) and wrong API tokens: scope -> (attempts, seconds). ADR 0038.
SAMDRIFT_LOGIN_THROTTLE = {"account": (5, 15 * 60), "address": (20, 15 * 60)}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SAMDRIFT_LOG_LEVEL", "WARNING")},
}
