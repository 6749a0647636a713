"""How an event is sealed into the chain: an HMAC-SHA256 over the previous hash and the event.

The key is kept outside the database (ADR 0060): `SAMDRIFT_AUDIT_KEY` from the environment, or in
development a key file made on first use in the data directory. Someone who can write the
database but does not hold the key cannot recompute the hashes after changing a row.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder

if TYPE_CHECKING:
    from .models import AuditEvent

GENESIS = "0" * 64
MIN_KEY_LENGTH = 32


def chain_key() -> bytes:
    """The HMAC key: the setting if given, else the development key file (made once)."""
    return _key(str(getattr(settings, "SAMDRIFT_AUDIT_KEY", "") or ""), _key_file())


def _key_file() -> str:
    configured = getattr(settings, "SAMDRIFT_AUDIT_KEY_FILE", None)
    return str(configured or Path(settings.DATA_DIR) / "audit.key")


@lru_cache(maxsize=8)
def _key(configured: str, key_file: str) -> bytes:
    if configured:
        value = configured.strip()
    else:
        path = Path(key_file)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:  # owner-only from the first byte; a concurrent first use keeps the other's key
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_hex(32) + "\n")
        value = path.read_text().strip()
    if len(value) < MIN_KEY_LENGTH:
        raise ImproperlyConfigured(
            f"SAMDRIFT_AUDIT_KEY must be at least {MIN_KEY_LENGTH} characters / "
            f"SAMDRIFT_AUDIT_KEY måste vara minst {MIN_KEY_LENGTH} tecken."
        )
    return value.encode()


def canonical(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode()


def payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "organisation_id": event.organisation_id,
        "before": event.before,
        "after": event.after,
    }


def _body(event_payload: dict[str, Any]) -> bytes:
    # The serialisation of the first, unkeyed scheme, so both schemes read the same bytes.
    return json.dumps(
        event_payload, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False
    ).encode()


def seal(previous_hash: str, event_payload: dict[str, Any], key: bytes | None = None) -> str:
    """The event's hash: HMAC-SHA256(key, previous hash, newline, the event as JSON)."""
    message = previous_hash.encode() + b"\n" + _body(event_payload)
    return hmac.new(key or chain_key(), message, hashlib.sha256).hexdigest()


def mac(data: bytes, key: bytes | None = None) -> str:
    """A MAC over a checkpoint, with the chain's key (so a checkpoint cannot be forged either)."""
    return hmac.new(key or chain_key(), b"checkpoint\n" + data, hashlib.sha256).hexdigest()


def unkeyed_digest(previous_hash: str, event_payload: dict[str, Any]) -> str:
    """The first scheme (plain SHA-256), used only to re-key existing rows (migration 0004)."""
    return hashlib.sha256(previous_hash.encode() + b"\n" + _body(event_payload)).hexdigest()
