"""Customers told before a change's window (issue 16 item 1, ADR 0842): at approval the contacts
of every agency the change reaches, a reminder a day before, once; a draft tells nobody."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from samdrift.core.notifications.models import Notification
from samdrift.operations import services
from samdrift.operations.models import Change
from samdrift.operations.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db


def _told(kind: str) -> set[str]:
    return set(
        Notification.objects.filter(kind=kind, channel="in_app").values_list(
            "recipient__username", flat=True
        )
    )


def test_approval_tells_the_reached_agencies_and_the_day_before_reminds_once(ops):
    operator = ops.actor("operator")
    start = MONDAY + dt.timedelta(days=3)
    draft = services.change_create(
        actor=operator, service_code="BASE", kind="normal", title="Databasbyte",
        window_start=start, window_end=start + dt.timedelta(hours=2),
    )  # fmt: skip
    assert _told("change_planned") == set()  # a draft tells nobody
    services.change_transition(actor=operator, change_id=draft.id, target="awaiting_approval")
    approver = dataclasses.replace(ops.actor("operator"), is_superuser=True)  # an approver
    services.change_transition(actor=approver, change_id=draft.id, target="approved")
    # BASE reaches B (subscribes) and A (APP depends on BASE); only their contacts, not C's
    assert _told("change_planned") == {"a_contact"}
    assert Change.objects.get(id=draft.id).announced_at is not None
    # two days before: nothing due; a day before: reminded; again: nothing more
    assert services.remind_due_changes(now=start - dt.timedelta(days=2)) == 0
    assert services.remind_due_changes(now=start - dt.timedelta(hours=20)) == 1
    assert services.remind_due_changes(now=start - dt.timedelta(hours=19)) == 0
    assert _told("change_soon") == {"a_contact"}


def test_a_new_window_for_a_standard_change_is_announced_again(ops):
    operator = ops.actor("operator")
    start = MONDAY + dt.timedelta(days=3)
    change = services.change_create(
        actor=operator, service_code="APP", kind="standard", title="Patch",
        window_start=start, window_end=start + dt.timedelta(hours=1),
    )  # fmt: skip
    services.remind_due_changes(now=start - dt.timedelta(hours=2))
    later = start + dt.timedelta(days=7)
    services.change_reschedule(
        actor=operator, change_id=change.id, window_start=later,
        window_end=later + dt.timedelta(hours=1),
    )  # fmt: skip
    assert Notification.objects.filter(kind="change_planned", channel="in_app").count() == 2
    assert Change.objects.get(id=change.id).reminded_at is None  # due again before the new one
