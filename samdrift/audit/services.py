"""Writing the audit trail. Call `audit_record` inside the service's transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The stored values of a model instance (foreign keys as ids), for before/after records."""
    names = (
        list(fields) if fields is not None else [f.attname for f in instance._meta.concrete_fields]
    )
    return {name: _plain(getattr(instance, name)) for name in names}


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _digest(previous_hash: str, payload: dict[str, Any]) -> str:
    body = json.dumps(payload, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    return hashlib.sha256(f"{previous_hash}\n{body}".encode()).hexdigest()


def _payload(event: AuditEvent) -> dict[str, Any]:
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


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    organisation_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the service's transaction")
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    event = AuditEvent(
        at=timezone.now(),
        actor_id=getattr(actor, "user_id", None),
        actor_label=str(getattr(actor, "label", actor) or "system"),
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(object_id if object_id is not None else getattr(obj, "pk", "")),
        organisation_id=organisation_id,
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        previous_hash=head.last_hash,
    )
    event.hash = _digest(head.last_hash, _payload(event))
    event.save()
    head.last_hash = event.hash
    head.save(update_fields=["last_hash"])
    return event


def verify_chain() -> tuple[bool, int | None]:
    """Recompute every hash in order. Returns (intact, id of the first broken event)."""
    previous = "0" * 64
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.previous_hash != previous or event.hash != _digest(previous, _payload(event)):
            return False, event.id
        previous = event.hash
    return True, None
