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
# HTTPS only (ADR 0036, docs/development/security.md). TLS ends at the reverse proxy, which must
# set X-Forwarded-Proto and strip any the client sent; SAMDRIFT_PROXY_SSL_HEADER=0 when samdrift
# itself terminates TLS (then the header is not trusted at all).
if os.environ.get("SAMDRIFT_PROXY_SSL_HEADER", "1") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# SAMDRIFT_SECURE_COOKIES=0 (plain HTTP on loopback: benches) turns the redirect off with it.
SECURE_SSL_REDIRECT = (
    os.environ.get("SAMDRIFT_SSL_REDIRECT", "1" if SESSION_COOKIE_SECURE else "0") == "1"
)
# Relying parties fetch revocation data and the chain over plain HTTP (RFC 5280 §4.2.1.13); the
# load balancer's health probe too. Paths without the leading slash, as Django matches them.
SECURE_REDIRECT_EXEMPT = [r"^efos/(ocsp|crl|root-crl|ca\.pem)", r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SAMDRIFT_HSTS_SECONDS", str(365 * 24 * 3600)))
# Subdomains and the preload token by default; a domain that still serves HTTP elsewhere sets
# these to 0 (check --deploy then says so). The token only consents: listing is a manual step.
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SAMDRIFT_HSTS_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("SAMDRIFT_HSTS_PRELOAD", "1") == "1"
SESSION_COOKIE_AGE = int(os.environ.get("SAMDRIFT_SESSION_SECONDS", str(8 * 3600)))  # a workday
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True  # the API's browser calls read the token from the page, not the cookie
DATA_DIR.mkdir(parents=True, exist_ok=True)
# The public address is the OpenID issuer and goes into certificates: never guessed in
# production (development derives it from the request). ADR 0033.
SAMDRIFT_BASE_URL = os.environ.get("SAMDRIFT_BASE_URL", "").strip().rstrip("/")


def _missing_secrets(env: "os._Environ[str]") -> list[str]:
    """Every production secret that is unset or still a public default (issue 19 item 9,
    ADR 0067): one refusal names them all, so an operator fixes the environment in one go."""
    missing = []
    if not SAMDRIFT_BASE_URL.startswith(("https://", "http://")):
        missing.append("SAMDRIFT_BASE_URL (public address, e.g. https://samdrift.example.se)")
    # The secret key also keys EFOS pairwise subjects: the base default is public.
    if len(env.get("SAMDRIFT_SECRET_KEY", "").strip()) < 32:
        missing.append("SAMDRIFT_SECRET_KEY (at least 32 characters)")
    # The audit chain's HMAC key never lives in the database and has no default (ADR 0060).
    if len(env.get("SAMDRIFT_AUDIT_KEY", "").strip()) < 32:
        missing.append("SAMDRIFT_AUDIT_KEY (audit chain key, at least 32 characters)")
    # The EFOS CA's private keys are encrypted with this; samdrift/efos/conf.py's default is public.
    passphrase = env.get("SAMDRIFT_EFOS_CA_PASSPHRASE", "").strip()
    if len(passphrase) < 16 or passphrase.startswith("dev-only"):
        missing.append(
            "SAMDRIFT_EFOS_CA_PASSPHRASE (EFOS CA key passphrase, at least 16 characters)"
        )
    # The client-certificate proxy is off by default; mode "secret" needs its secret (ADR 0307).
    proxy_mode = env.get("SAMDRIFT_EFOS_CLIENT_CERT_PROXY", "off").strip().lower()
    if proxy_mode == "secret" and len(env.get("SAMDRIFT_EFOS_PROXY_SECRET", "").strip()) < 32:
        missing.append(
            "SAMDRIFT_EFOS_PROXY_SECRET (secret the TLS proxy sends, at least 32 characters)"
        )
    return missing


if _missing := _missing_secrets(os.environ):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "Production needs these settings / produktion kräver dessa inställningar: "
        + "; ".join(_missing)
    )
