"""EFOS configuration: read once from Django settings, with environment fallbacks.

The settings modules belong to the foundation, so every EFOS knob has a default here and can be
set either as a Django setting (`EFOS_…`) or as an environment variable (`SAMDRIFT_EFOS_…`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

# Sweden Connect level-of-assurance URIs come from the one policy module (ADR 0305).
from samdrift.identity.loa import LOA3, LOA4, UNCERTIFIED_LOA2, UNCERTIFIED_LOA3  # noqa: F401
from samdrift.identity.loa import level as loa_level

#: The level a document needs before it can be signed ("at least level 3").
SIGNING_MIN_RANK = 3

# A UUID-based OID arc (ITU-T X.667, 2.25.<uuid>) owned by this deployment: it needs no
# registration and cannot collide with Digg's or anyone else's arcs. Policies hang below it.
OID_ARC = "2.25.262536960117838338934361094335302536411"
POLICY_AUTHENTICATION = f"{OID_ARC}.1.1"
POLICY_SIGNATURE = f"{OID_ARC}.1.2"
POLICY_ONE_OFF_SIGNATURE = f"{OID_ARC}.1.3"
TSA_POLICY = f"{OID_ARC}.2.1"


def _get(name: str, default: Any) -> Any:
    if hasattr(settings, f"EFOS_{name}"):
        return getattr(settings, f"EFOS_{name}")
    return os.environ.get(f"SAMDRIFT_EFOS_{name}", default)


def ca_dir() -> Path:
    return Path(_get("CA_DIR", Path(settings.DATA_DIR) / "efos-ca"))


def ca_passphrase() -> bytes:
    value = _get("CA_PASSPHRASE", "dev-only-efos-passphrase")
    return value.encode() if isinstance(value, str) else bytes(value)


DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def configured_base_url() -> str:
    """The explicit base URL (`EFOS_BASE_URL`, the `SAMDRIFT_BASE_URL` environment variable), or
    "" when none is set. The `SAMDRIFT_BASE_URL` *setting* is not asked: base settings give it a
    default for e-mail links, which would hide that nothing was configured. Production refuses
    to start without the variable (config/settings/prod.py)."""
    value = _get("BASE_URL", "") or os.environ.get("SAMDRIFT_BASE_URL", "")
    return str(value).strip().rstrip("/")


def base_url(request: HttpRequest | None = None) -> str:
    """The configured base URL; without one (development), the address this request was served
    at (its host is checked against ALLOWED_HOSTS), so the issuer matches the address a client
    fetched discovery from (OIDC Discovery §4.3, issue 20). Without a request, the default."""
    configured = configured_base_url()
    if configured:
        return configured
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return DEFAULT_BASE_URL


def issuer(request: HttpRequest | None = None) -> str:
    return f"{base_url(request)}/efos"


def asserted_acr() -> str:
    """The level our OP asserts: configuration, by default uncertified-loa3 (ADR 0305).

    A certified URI (`…/loa3`, `…/loa4`) needs `EFOS_OP_LEVEL_APPROVED` as well, set only once
    Digg has approved the provider; an unknown URI is a configuration error.
    """
    uri = str(_get("OP_ACR", UNCERTIFIED_LOA3))
    found = loa_level(uri)
    if found is None:
        raise ImproperlyConfigured(f"EFOS_OP_ACR {uri!r} is not a known level of assurance")
    approved = str(_get("OP_LEVEL_APPROVED", "0")).lower() in ("1", "true", "yes")
    if not found.uncertified and not approved:
        raise ImproperlyConfigured(
            f"EFOS_OP_ACR {uri!r} is a certified level; set EFOS_OP_LEVEL_APPROVED only after Digg's approval"
        )
    return uri


def ca_organisation() -> str:
    return str(_get("CA_ORGANISATION", "samdrift EFOS"))


#: How the client certificate header may be believed (ADR 0307): "off" (default: never),
#: "secret" (from a listed proxy address carrying the shared secret) or "unix" (the server listens
#: only on a Unix socket the proxy alone can open; gunicorn then gives an empty REMOTE_ADDR).
CLIENT_CERT_PROXY_MODES = ("off", "secret", "unix")
#: The WSGI name of the header the proxy sends the shared secret in (`X-Samdrift-Proxy-Secret`).
PROXY_SECRET_HEADER = "HTTP_X_SAMDRIFT_PROXY_SECRET"  # noqa: S105  (a header name)
PROXY_SECRET_MIN_LENGTH = 32


def client_cert_proxy() -> str:
    """The configured mode; an unknown value is a configuration error, never a silent "on"."""
    mode = str(_get("CLIENT_CERT_PROXY", "off")).strip().lower() or "off"
    if mode not in CLIENT_CERT_PROXY_MODES:
        raise ImproperlyConfigured(
            f"EFOS_CLIENT_CERT_PROXY {mode!r} is not one of {', '.join(CLIENT_CERT_PROXY_MODES)}"
        )
    return mode


def trusted_proxies() -> frozenset[str]:
    """The proxy addresses of mode "secret"; none by default (ADR 0307)."""
    value = _get("TRUSTED_PROXIES", "")
    items = value.split(",") if isinstance(value, str) else list(value)
    return frozenset(item.strip() for item in items if item.strip())


def proxy_secret() -> bytes:
    """The secret the proxy sends with every request ("" when none is set). Mode "secret" refuses
    to run without one of at least 32 characters."""
    value = str(_get("PROXY_SECRET", "")).strip()
    if client_cert_proxy() == "secret" and len(value) < PROXY_SECRET_MIN_LENGTH:
        raise ImproperlyConfigured(
            "EFOS_CLIENT_CERT_PROXY=secret needs EFOS_PROXY_SECRET "
            f"(at least {PROXY_SECRET_MIN_LENGTH} characters)"
        )
    return value.encode()


def client_cert_header() -> str:
    """WSGI name of the header the TLS front sets (nginx: `$ssl_client_escaped_cert`)."""
    return str(_get("CLIENT_CERT_HEADER", "HTTP_X_SSL_CLIENT_CERT"))


def crl_interval_seconds() -> int:
    return int(_get("CRL_INTERVAL", 3600))


def ocsp_validity_seconds() -> int:
    return int(_get("OCSP_VALIDITY", 300))


def credential_years() -> int:
    return int(_get("CREDENTIAL_YEARS", 3))


def pairwise_secret() -> bytes:
    return str(_get("PAIRWISE_SECRET", settings.SECRET_KEY)).encode()
