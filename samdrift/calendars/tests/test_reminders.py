"""Reminders samdrift sends (ADR 0647): a VALARM at its trigger time becomes a notification,
once per alarm, occurrence and person, only to someone who may still read the calendar at the
lowest login, never for a deleted entry and never late."""

from __future__ import annotations

import datetime as dt

import pytest

from samdrift.calendars import services
from samdrift.calendars.models import Calendar, ReminderSent
from samdrift.calendars.reminders import send_due_reminders
from samdrift.core.notifications.models import Notification

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def alarmed(uid: str, start: str, rrule: str = "", trigger: str = "-PT15M") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:{start}\r\n"
        f"DTEND:{start[:9]}235900Z\r\nSUMMARY:Styrgruppsmöte\r\n"
        + (f"RRULE:{rrule}\r\n" if rrule else "")
        + f"BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:P\r\nTRIGGER:{trigger}\r\nEND:VALARM\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def reminders(user) -> list[Notification]:
    return list(Notification.objects.filter(kind="calendar_reminder", recipient=user))


@pytest.fixture
def personal(safos, spaces):
    services.ensure_calendars(actor=safos.actor("owner"))
    return Calendar.objects.get(owner=safos.users["owner"])


def test_a_personal_alarm_is_sent_once_at_its_time_for_each_occurrence(safos, personal):
    services.object_put(
        actor=safos.actor("owner"), calendar_id=personal.id, href="a.ics",
        text=alarmed("a@test", "20261207T090000Z", rrule="FREQ=DAILY;COUNT=3"),
    )  # fmt: skip
    owner = safos.users["owner"]
    # before the trigger (08:45): nothing
    assert send_due_reminders(now=dt.datetime(2026, 12, 7, 8, 40, tzinfo=UTC)) == {"sent": 0}
    # just after: one, with the event's title and local time
    assert send_due_reminders(now=dt.datetime(2026, 12, 7, 8, 46, tzinfo=UTC)) == {"sent": 1}
    [told] = [n for n in reminders(owner) if n.channel == "in_app"]
    assert "Styrgruppsmöte" in told.subject and "2026-12-07 10:00" in told.subject
    # an overlapping run sends nothing again
    assert send_due_reminders(now=dt.datetime(2026, 12, 7, 8, 50, tzinfo=UTC)) == {"sent": 0}
    # the next day's occurrence has its own reminder
    assert send_due_reminders(now=dt.datetime(2026, 12, 8, 8, 45, tzinfo=UTC)) == {"sent": 1}
    assert ReminderSent.objects.count() == 2


def test_no_late_reminder_and_none_for_a_deleted_entry(safos, personal):
    actor = safos.actor("owner")
    services.object_put(
        actor=actor,
        calendar_id=personal.id,
        href="b.ics",
        text=alarmed("b@test", "20261207T090000Z"),
    )
    # the job did not run for hours: the alarm is not sent late
    assert send_due_reminders(now=dt.datetime(2026, 12, 7, 12, 0, tzinfo=UTC)) == {"sent": 0}
    services.object_put(
        actor=actor,
        calendar_id=personal.id,
        href="c.ics",
        text=alarmed("c@test", "20261208T090000Z"),
    )
    services.object_delete(actor=actor, calendar_id=personal.id, href="c.ics")
    assert send_due_reminders(now=dt.datetime(2026, 12, 8, 8, 46, tzinfo=UTC)) == {"sent": 0}


def test_a_workspace_alarm_goes_to_who_set_it_only_while_the_class_allows(safos, spaces):
    _shared, secret, foreign = spaces
    services.ensure_calendars(actor=safos.actor("owner"))
    services.ensure_calendars(actor=safos.actor("editor"))
    open_calendar = Calendar.objects.get(workspace=foreign)  # class 0, the editor's
    secret_calendar = Calendar.objects.get(workspace=secret)  # class 2, the owner's
    services.object_put(
        actor=safos.actor("editor"), calendar_id=open_calendar.id, href="d.ics",
        text=alarmed("d@test", "20261207T090000Z"),
    )  # fmt: skip
    services.object_put(
        actor=safos.actor("owner"), calendar_id=secret_calendar.id, href="e.ics",
        text=alarmed("e@test", "20261207T090000Z"),
    )  # fmt: skip
    assert send_due_reminders(now=dt.datetime(2026, 12, 7, 8, 46, tzinfo=UTC)) == {"sent": 1}
    assert reminders(safos.users["editor"]) and not reminders(safos.users["owner"])
