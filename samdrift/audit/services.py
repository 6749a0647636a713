"""Writing the audit trail. Call `audit_record` inside the service's transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from .chain import payload, seal
from .context import client_address
from .models import AuditChainHead, AuditEvent, SecurityLogEntry

READ = "read"


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The stored values of a model instance (foreign keys as ids), for before/after records."""
    names = (
        list(fields) if fields is not None else [f.attname for f in instance._meta.concrete_fields]
    )
    return {name: _plain(getattr(instance, name)) for name in names}


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


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
    entry = AuditEntry(action, obj, object_type, object_id, organisation_id, before, after)
    return audit_records(actor=actor, entries=[entry])[0]


@dataclass(frozen=True)
class AuditEntry:
    """One event for `audit_records`: the arguments of `audit_record` but the actor."""

    action: str
    obj: models.Model | None = None
    object_type: str | None = None
    object_id: str | int | None = None
    organisation_id: int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def audit_records(*, actor: Any, entries: Sequence[AuditEntry]) -> list[AuditEvent]:
    """Append several events of one actor to the chain in order, each sealed on the one before:
    the chain's head is locked and written once and the events inserted in one statement (a
    recompute after an agreement change audits thousands of incidents). Must run inside the
    caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the service's transaction")
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    now = timezone.now()
    previous = head.last_hash
    events = []
    for entry in entries:
        obj = entry.obj
        event = AuditEvent(
            at=now,
            actor_id=getattr(actor, "user_id", None),
            actor_label=str(getattr(actor, "label", actor) or "system"),
            action=entry.action,
            object_type=entry.object_type or (obj._meta.label_lower if obj is not None else ""),
            object_id=str(
                entry.object_id if entry.object_id is not None else getattr(obj, "pk", "")
            ),
            organisation_id=entry.organisation_id,
            before=_plain(entry.before) if entry.before is not None else None,
            after=_plain(entry.after) if entry.after is not None else None,
            previous_hash=previous,
        )
        event.hash = previous = seal(previous, payload(event))
        events.append(event)
    if len(events) == 1:
        events[0].save()
    else:
        AuditEvent.objects.bulk_create(events, batch_size=1000)
    head.last_hash = previous
    head.save(update_fields=["last_hash"])
    return events


def audit_read(
    *,
    actor: Any,
    obj: models.Model | None = None,
    access: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    organisation_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that someone opened, downloaded or exported a sensitive object (kind `read`).

    Its own short transaction: a read changes nothing else, and the caller is a GET view."""
    with transaction.atomic():
        return audit_record(
            actor=actor,
            action=READ,
            obj=obj,
            object_type=object_type,
            object_id=object_id,
            organisation_id=organisation_id,
            after={"access": access, **(detail or {})},
        )


def _window_start(moment: dt.datetime) -> dt.datetime:
    seconds = int(getattr(settings, "SAMDRIFT_SECURITY_LOG_WINDOW_SECONDS", 600))
    epoch = int(moment.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def record_security_event(kind: str, detail: dict[str, Any] | None = None) -> None:
    """Count a refused anonymous call: one row per address, kind and window, never a chain event.

    The first call of a window keeps its detail (the reason), later ones only raise the count, so
    a flood costs one UPDATE per request and no new rows. Its own transaction."""
    now = timezone.now()
    key = {"window_start": _window_start(now), "address": client_address(), "kind": kind[:80]}
    with transaction.atomic():
        updated = SecurityLogEntry.objects.filter(**key).update(count=F("count") + 1, last_at=now)
        if updated:
            return
        try:
            with transaction.atomic():
                SecurityLogEntry.objects.create(
                    **key, count=1, first_at=now, last_at=now, detail=_plain(detail or {})
                )
        except IntegrityError:  # another request opened the window between our two statements
            SecurityLogEntry.objects.filter(**key).update(count=F("count") + 1, last_at=now)


def prune_security_log(*, older_than_days: int | None = None) -> int:
    """Forget security-log rows past their retention (`SAMDRIFT_SECURITY_LOG_RETENTION_DAYS`)."""
    days = older_than_days
    if days is None:
        days = int(getattr(settings, "SAMDRIFT_SECURITY_LOG_RETENTION_DAYS", 90))
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted, _ = SecurityLogEntry.objects.filter(last_at__lt=cutoff).delete()
    return deleted
