"""Demo calendars: every SAFOS member's own calendar and one per workspace, with a weekly
meeting, a few events over the coming two weeks and a small task board in the first workspace."""

from __future__ import annotations

import datetime as dt
from typing import Any

from samdrift.accounts.selectors import actor_for_user
from samdrift.collaboration.selectors import all_memberships

from . import services
from .choices import TaskStatus
from .ical import HOME_ZONE
from .models import Calendar

WEEKLY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//samdrift//demo//SV
BEGIN:VEVENT
UID:demo-veckomote@samdrift
DTSTAMP:20260101T080000Z
DTSTART;TZID=Europe/Stockholm:{start}
DTEND;TZID=Europe/Stockholm:{end}
RRULE:FREQ=WEEKLY;BYDAY=MO
SUMMARY:Veckomöte i samverkansytan
LOCATION:SAFOS möte
END:VEVENT
END:VCALENDAR
"""

TASKS = (
    ("Sammanställ remissvar", TaskStatus.NEEDS_ACTION, 1),
    ("Boka lokal för workshop", TaskStatus.NEEDS_ACTION, 5),
    ("Granska riskanalys", TaskStatus.IN_PROCESS, 1),
    ("Skicka kallelse", TaskStatus.COMPLETED, 0),
)


def load(*, stdout: Any) -> None:
    if Calendar.objects.exists():
        return
    members = list(all_memberships())
    for user in {m.user for m in members}:
        services.ensure_calendars(actor=actor_for_user(user, loa_rank=3))
    writer = next((m for m in members if m.role in ("owner", "editor")), None)
    if writer is None:
        return
    actor = actor_for_user(writer.user, loa_rank=3)
    calendar = Calendar.objects.get(workspace_id=writer.workspace_id)
    monday = dt.datetime.now(HOME_ZONE).date()
    monday -= dt.timedelta(days=monday.weekday())
    services.import_ics(
        actor=actor,
        calendar_id=calendar.id,
        text=WEEKLY.format(start=f"{monday:%Y%m%d}T100000", end=f"{monday:%Y%m%d}T110000"),
    )
    for offset, (title, hour) in enumerate(
        [("Avstämning med leverantören", 13), ("Genomgång av säkerhetsloggar", 9)], start=2
    ):
        day = monday + dt.timedelta(days=offset)
        start = dt.datetime.combine(day, dt.time(hour), tzinfo=HOME_ZONE)
        services.event_create(
            actor=actor,
            calendar_id=calendar.id,
            summary=title,
            start=start,
            end=start + dt.timedelta(hours=1),
        )
    for title, status, priority in TASKS:
        row = services.task_create(
            actor=actor,
            calendar_id=calendar.id,
            summary=title,
            due=dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(16), tzinfo=HOME_ZONE),
            priority=priority,
        )
        if status != TaskStatus.NEEDS_ACTION:
            services.task_move(actor=actor, calendar_id=calendar.id, href=row.href, status=status)
    stdout.write(
        f"Calendars: {Calendar.objects.count()}, demo events and tasks in {calendar.name}."
    )
