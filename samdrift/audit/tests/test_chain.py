from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from samdrift.audit.checkpoints import verify
from samdrift.audit.models import AuditEvent
from samdrift.audit.services import AuditEntry, audit_record, audit_records
from samdrift.core.actor import SYSTEM

from .tampering import triggers_bypassed

pytestmark = pytest.mark.django_db


def _record(n: int) -> None:
    with transaction.atomic():
        for i in range(n):
            audit_record(
                actor=SYSTEM, action="test.done", object_type="test", object_id=i, after={"i": i}
            )


def test_chain_verifies_and_links_each_event_to_the_previous():
    _record(3)
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.previous_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    verdict = verify()
    assert (verdict.intact, verdict.events, verdict.broken_at) == (True, 3, None)


def test_a_batch_is_one_run_of_the_same_chain():
    """`audit_records` (thousands of incidents recomputed at once) seals each event on the one
    before, between single records, and the chain verifies as if they were written one by one."""
    _record(1)
    with transaction.atomic():
        batch = audit_records(
            actor=SYSTEM,
            entries=[AuditEntry("test.batch", object_type="test", object_id=i) for i in range(4)],
        )
    _record(1)
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == ["test.done", *["test.batch"] * 4, "test.done"]
    assert [e.id for e in batch] == [e.id for e in events[1:5]]
    assert [e.previous_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert verify().intact and verify().events == 6
    with triggers_bypassed():
        AuditEvent.objects.filter(id=events[2].id).update(object_id="x")
    assert (verify().intact, verify().broken_at) == (False, events[2].id)


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"]
)
def test_database_refuses_to_change_or_remove_events(statement):
    _record(2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.count() == 2
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"test.done"}


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit_record(actor=SYSTEM, action="x", object_type="t", object_id=1)


def test_a_changed_row_breaks_the_chain():
    _record(3)
    middle = AuditEvent.objects.order_by("id")[1]
    with triggers_bypassed():
        AuditEvent.objects.filter(id=middle.id).update(after={"i": 99})
    verdict = verify()
    assert (verdict.intact, verdict.broken_at) == (False, middle.id)
