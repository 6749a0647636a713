"""Chat configuration (issue 13): every knob has a default here and can be set as a Django
setting (`CHAT_…`) or an environment variable (`SAMDRIFT_CHAT_…`), like EFOS's (ADR 0650).

The homeserver's files (configuration, signing key, secrets, SQLite database, media, logs) live in
`chat_dir()`, by default `DATA_DIR/chat`, beside samdrift's other keys.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings


def _get(name: str, default: Any) -> Any:
    if hasattr(settings, f"CHAT_{name}"):
        return getattr(settings, f"CHAT_{name}")
    return os.environ.get(f"SAMDRIFT_CHAT_{name}", default)


def _list(value: Any) -> list[str]:
    """A list setting: a list, a JSON list or comma-separated text."""
    if isinstance(value, str):
        value = json.loads(value) if value.strip().startswith("[") else value.split(",")
    return [str(v).strip() for v in value if str(v).strip()]


def chat_dir() -> Path:
    return Path(_get("DIR", Path(settings.DATA_DIR) / "chat"))


def server_name() -> str:
    """The Matrix server name: the part after the colon in every user and room id."""
    return str(_get("SERVER_NAME", "samdrift.localhost"))


def port() -> int:
    """The homeserver's loopback port; 0 picks a free one at each start."""
    return int(_get("PORT", 8008))


def homeserver_url() -> str:
    """Where samdrift reaches the homeserver: the setting, else what the running one wrote."""
    configured = str(_get("HOMESERVER_URL", ""))
    if configured:
        return configured.rstrip("/")
    state = chat_dir() / "homeserver.url"
    if state.exists():
        return state.read_text().strip().rstrip("/")
    return f"http://127.0.0.1:{port()}"


def public_baseurl(listen_port: int | None = None) -> str:
    """Where browsers reach the homeserver (its `public_baseurl`, the base of its SSO callback):
    the setting, else its loopback address."""
    configured = str(_get("PUBLIC_BASEURL", ""))
    if configured:
        return configured.rstrip("/")
    return f"http://127.0.0.1:{listen_port}" if listen_port else homeserver_url()


def sso_issuer() -> str:
    """samdrift's OpenID provider for the homeserver's sign-in (ADR 0657), as Synapse reaches it."""
    configured = str(_get("SSO_ISSUER", ""))
    return (configured or f"{settings.SAMDRIFT_BASE_URL}/chat/sso").rstrip("/")


def appservice_url() -> str:
    """Where the homeserver reaches samdrift's application-service endpoint."""
    base = str(_get("APPSERVICE_URL", "")) or f"{settings.SAMDRIFT_BASE_URL}/chat/appservice"
    return base.rstrip("/")


def room_policy_url() -> str:
    """Where the homeserver's room-entry module asks samdrift whether a local user may enter a
    room officials made themselves (ADR 0666)."""
    configured = str(_get("ROOM_POLICY_URL", ""))
    return configured or f"{settings.SAMDRIFT_BASE_URL}/chat/homeserver/room-entry"


def database_url() -> str:
    """`postgresql://user:pass@host:port/name` for PostgreSQL; empty for SQLite (the default)."""
    return str(_get("DATABASE_URL", ""))


def federation_domain_whitelist() -> list[str]:
    """The homeservers this one federates with; empty (the default) means no federation."""
    return _list(_get("FEDERATION_DOMAIN_WHITELIST", []))


def federation_port() -> int:
    """The federation listener's port (TLS, ADR 0665): Matrix's 8448 by default."""
    return int(_get("FEDERATION_PORT", 8448))


def federation_bind_addresses() -> list[str]:
    """Where the federation listener listens: every IPv4 address by default (other agencies'
    homeservers reach it); `127.0.0.1` behind a front proxy or on one machine."""
    return _list(_get("FEDERATION_BIND_ADDRESSES", ["0.0.0.0"]))  # noqa: S104


def federation_tls_certificate() -> str:
    """The federation listener's certificate (PEM, full chain), valid for the server name. Empty:
    a self-signed one samdrift makes in the chat folder, which verifying servers refuse; it
    serves development and the loopback tests."""
    return str(_get("FEDERATION_TLS_CERTIFICATE", ""))


def federation_tls_key() -> str:
    """The private key of `federation_tls_certificate()` (PEM)."""
    return str(_get("FEDERATION_TLS_KEY", ""))


def federation_ca_files() -> list[str]:
    """Extra certificate authorities (PEM files) trusted for other homeservers' certificates,
    e.g. a public-sector PKI; empty: the system's."""
    return _list(_get("FEDERATION_CA_FILES", []))


def federation_loopback_insecure_tls() -> bool:
    """TESTS AND ONE-MACHINE DEVELOPMENT ONLY: accept any certificate from the allow-listed
    homeservers and let federation reach the loopback. Refused unless this server and every
    allow-listed one is named `localhost:<port>`."""
    value = _get("FEDERATION_LOOPBACK_INSECURE_TLS", "")
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def retention_days(classification: int) -> int:
    """How long a room of a workspace of this class keeps its history before samdrift archives
    and purges it (ADR 0655): `RETENTION_DAYS` (a JSON object, class → days) where it names
    the class, else the class's document retention (collaboration's policy, in years)."""
    value = _get("RETENTION_DAYS", {})
    if isinstance(value, str):
        value = json.loads(value or "{}")
    days = {int(k): int(v) for k, v in dict(value).items()}
    if classification in days:
        return days[classification]
    from samdrift.collaboration.selectors import policy_for

    return policy_for(classification).retention_years * 365


def localpart_prefix() -> str:
    """The application service's namespace: every user and alias samdrift makes starts so."""
    return str(_get("LOCALPART_PREFIX", "samdrift_"))


def bot_localpart() -> str:
    return "samdrift"


def synapse_python() -> Path:
    """The Synapse virtual environment's interpreter (made by scripts/ensure-synapse.sh)."""
    default = Path(settings.BASE_DIR) / ".engines" / "synapse-venv" / "bin" / "python"
    return Path(_get("SYNAPSE_PYTHON", default))


def enabled() -> bool:
    """Whether samdrift provisions rooms (`make run` turns it on when Synapse is installed)."""
    value = _get("ENABLED", "")
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


#: The background work Synapse can move off its main process to a worker without any HTTP
#: routing in front of it (ADR 0667), and how many workers of each the duty allows.
WORKER_ROLES = {"appservice": 1, "federation_sender": 8, "pusher": 8, "background": 1}


def workers() -> dict[str, int]:
    """Synapse's own workers (ADR 0667): role → how many processes, from `WORKERS`, e.g.
    `appservice, federation_sender:2, pusher, background` or `all` (one of each). Empty (the
    default): the main process does everything. A wrong entry is a `ValueError`."""
    value = _get("WORKERS", [])
    found: dict[str, int] = {}
    for entry in _list(value):
        if entry == "all":
            found.update({role: found.get(role, 1) for role in WORKER_ROLES})
            continue
        role, _, count = entry.partition(":")
        role = role.strip()
        number = int(count) if count.strip().isdigit() else (1 if not count else -1)
        if role not in WORKER_ROLES or not 1 <= number <= WORKER_ROLES[role]:
            raise ValueError(entry)
        found[role] = number
    return found


def redis_url() -> str:
    """The Redis the homeserver's processes replicate over (workers only): `REDIS_URL` (a
    setting or environment variable), else samdrift's own `REDIS_URL`."""
    return str(
        _get("REDIS_URL", "")
        or getattr(settings, "REDIS_URL", "")
        or os.environ.get("REDIS_URL", "")
    )


def replication_port() -> int:
    """The main process's replication listener on the loopback (workers only); 0 picks a free
    one at each start."""
    return int(_get("REPLICATION_PORT", 0))
