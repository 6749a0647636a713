"""EFOS configuration: read once from Django settings, with environment fallbacks.

The settings modules belong to the foundation, so every EFOS knob has a default here and can be
set either as a Django setting (`EFOS_…`) or as an environment variable (`SAMDRIFT_EFOS_…`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings

# Sweden Connect level-of-assurance URIs (registry §3.1.1). Defined here until the shared policy
# module `samdrift.identity.loa` exists; only the values EFOS itself asserts are needed.
UNCERTIFIED_LOA2 = "http://id.swedenconnect.se/loa/1.0/uncertified-loa2"
UNCERTIFIED_LOA3 = "http://id.swedenconnect.se/loa/1.0/uncertified-loa3"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA4 = "http://id.elegnamnden.se/loa/1.0/loa4"

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


def base_url() -> str:
    return str(
        _get("BASE_URL", os.environ.get("SAMDRIFT_BASE_URL", "http://127.0.0.1:8000"))
    ).rstrip("/")


def issuer() -> str:
    return f"{base_url()}/efos"


def asserted_acr() -> str:
    """The level our OP asserts. Never a certified URI unless Digg has approved us (ADR 0305)."""
    return str(_get("OP_ACR", UNCERTIFIED_LOA3))


def ca_organisation() -> str:
    return str(_get("CA_ORGANISATION", "samdrift EFOS"))


def trusted_proxies() -> frozenset[str]:
    value = _get("TRUSTED_PROXIES", "127.0.0.1,::1")
    items = value.split(",") if isinstance(value, str) else list(value)
    return frozenset(item.strip() for item in items if item.strip())


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
