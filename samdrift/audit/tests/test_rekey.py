"""Migration 0004 re-keys a chain written under the first, unkeyed scheme, and refuses to
re-key one that does not verify (it must not launder a tampered chain)."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from samdrift.audit.chain import GENESIS, payload, unkeyed_digest
from samdrift.audit.checkpoints import verify
from samdrift.audit.models import AuditChainHead, AuditEvent

from .tampering import triggers_bypassed

pytestmark = pytest.mark.django_db
# The migration uses only the editor's connection (SQLite's editor cannot open inside a test).
EDITOR = SimpleNamespace(connection=connection)
rekey = importlib.import_module("samdrift.audit.migrations.0004_rekey_chain").rekey


def _old_chain(n: int) -> list[AuditEvent]:
    """Rows as the first scheme wrote them (plain SHA-256)."""
    previous, events = GENESIS, []
    with transaction.atomic():
        for i in range(n):
            event = AuditEvent(at=timezone.now(), actor_label="system", action="old.done",
                               object_type="t", object_id=str(i), previous_hash=previous)  # fmt: skip
            event.hash = unkeyed_digest(previous, payload(event))
            event.save()
            previous = event.hash
            events.append(event)
        AuditChainHead.objects.update_or_create(id=1, defaults={"last_hash": previous})
    return events


def test_an_unkeyed_chain_is_rekeyed_and_then_verifies():
    _old_chain(4)
    assert not verify().intact  # the keyed verifier refuses the old hashes
    rekey(apps, EDITOR)
    verdict = verify()
    assert (verdict.intact, verdict.events) == (True, 4)


def test_a_tampered_unkeyed_chain_is_not_rekeyed():
    events = _old_chain(3)
    with triggers_bypassed():
        AuditEvent.objects.filter(id=events[1].id).update(actor_label="someone else")
    with pytest.raises(RuntimeError, match=f"event {events[1].id}"):
        rekey(apps, EDITOR)
    assert AuditEvent.objects.get(id=events[2].id).hash == events[2].hash
