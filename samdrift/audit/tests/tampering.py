"""How an attacker with the database (not the key, not the checkpoint directory) gets past the
append-only triggers, as issue 19 item 8 found: on SQLite by registering a function named
`samdrift_audit_sealed` that answers 0 on the raw connection; on PostgreSQL as the table owner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from samdrift.audit.chain import GENESIS, payload
from samdrift.audit.models import AuditChainHead, AuditEvent
from samdrift.audit.sealing import is_sealed


@contextmanager
def triggers_bypassed() -> Iterator[None]:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.create_function("samdrift_audit_sealed", 0, lambda: 0)
        try:
            yield
        finally:
            raw.create_function("samdrift_audit_sealed", 0, is_sealed)
        return
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def rewrite(event_id: int, digest: Callable[[str, dict[str, Any]], str], **changes: Any) -> None:
    """Change one event, then recompute every following hash and the head with `digest`."""
    with triggers_bypassed():
        AuditEvent.objects.filter(id=event_id).update(**changes)
        previous = GENESIS
        for event in AuditEvent.objects.order_by("id"):
            if event.id >= event_id:
                new_hash = digest(previous, payload(event))
                AuditEvent.objects.filter(id=event.id).update(previous_hash=previous, hash=new_hash)
                event.hash = new_hash
            previous = event.hash
        AuditChainHead.objects.filter(id=1).update(last_hash=previous)


def truncate(keep: int) -> None:
    """Delete all but the first `keep` events and move the head back to the last one kept."""
    kept = list(AuditEvent.objects.order_by("id").values_list("id", "hash")[:keep])
    with triggers_bypassed():
        AuditEvent.objects.filter(id__gt=kept[-1][0]).delete()
        AuditChainHead.objects.filter(id=1).update(last_hash=kept[-1][1])
