"""Reminders samdrift sends itself (ADR 0647): a VALARM of an event or task, at its trigger
time, as a notification (in the inbox and by e-mail, as each person chose), so an official is
reminded even when no calendar program of theirs is running.

Who is reminded: the owner of a personal calendar (where invitations between samdrift users
land, ADR 0646); for a workspace calendar, the person who last saved the entry (who set the
alarm). Each recipient is checked with the calendars' own selector, as a login at the lowest
level would be: someone who left the workspace, or a workspace whose class needs a higher
level, gets nothing, so no title leaves by e-mail that the class keeps in. Each alarm of each
occurrence is sent once (`ReminderSent`), whatever the runs overlap; an alarm that came due
more than LOOKBACK ago (the job did not run) is not sent late.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import recurring_ical_events
from django.db import IntegrityError, transaction
from django.utils import timezone
from icalendar import Calendar as ICalendar

from samdrift.accounts.selectors import actor_for_user
from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import NotFound
from samdrift.core.notifications.services import notify

from .models import CalendarObject, ReminderSent
from .selectors import calendar_get

REMINDER = "calendar_reminder"
LOOKBACK = dt.timedelta(minutes=30)


def send_due_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send every alarm that came due in (now - LOOKBACK, now]. Returns how many were sent."""
    moment = now or timezone.now()
    since = moment - LOOKBACK
    candidates = CalendarObject.objects.filter(
        has_alarm=True, deleted=False, ends__gte=int(since.timestamp())
    ).select_related("calendar__owner", "modified_by")
    sent = 0
    for entry in candidates:
        user = entry.calendar.owner or entry.modified_by
        if user is None or not user.is_active:
            continue
        due = _alarms(entry.text, since, moment)
        if due and _may_read(user, entry):
            sent += sum(_send_once(entry, user, o, t, moment) for o, t in due)
    return {"sent": sent}


def _alarms(
    text: str, since: dt.datetime, until: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """(occurrence start, trigger time) of every alarm due in (since, until]."""
    calendar = ICalendar.from_ical(text)
    found = []
    for component in recurring_ical_events.of(calendar, components=["VALARM"]).between(
        since, until + dt.timedelta(seconds=1)
    ):
        for alarm in component.alarms.times:
            trigger = _aware(alarm.trigger)
            if since < trigger <= until:
                start = component.get("DTSTART") or component.get("DUE")
                found.append((_aware(start.dt) if start is not None else trigger, trigger))
    return found


def _aware(value: Any) -> dt.datetime:
    if not isinstance(value, dt.datetime):  # an all-day date: its midnight, here
        value = dt.datetime.combine(value, dt.time(), tzinfo=timezone.get_current_timezone())
    if value.tzinfo is None:
        value = timezone.make_aware(value)
    return value.astimezone(dt.UTC)


def _may_read(user: Any, entry: CalendarObject) -> bool:
    """Checked once per entry with alarms due, as a login at the lowest level would be."""
    try:
        calendar_get(actor=actor_for_user(user), calendar_id=entry.calendar_id)
    except NotFound:  # no longer a member, or the class needs a higher login
        return False
    return True


def _send_once(
    entry: CalendarObject, user: Any, occurrence: dt.datetime, trigger: dt.datetime,
    now: dt.datetime,
) -> int:  # fmt: skip
    recipient_id = user.pk
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                entry=entry, occurrence=occurrence, trigger_at=trigger, recipient_id=recipient_id,
                sent_at=now,
            )  # fmt: skip
            local = timezone.localtime(occurrence)
            notify(
                [recipient_id], REMINDER,
                {"summary": entry.summary, "calendar": entry.calendar.name,
                 "when": local.strftime("%Y-%m-%d %H:%M"), "task": entry.component == "VTODO"},
                link=f"/calendars/{entry.calendar_id}/", actor=SYSTEM,
            )  # fmt: skip
    except IntegrityError:  # another run sent it
        return 0
    return 1
