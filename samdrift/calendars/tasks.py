"""Background work of the calendars: the reminders samdrift sends itself (ADR 0647)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from samdrift.core.jobs.schedules import declare

from .reminders import send_due_reminders


@task()
def calendar_reminders() -> dict[str, Any]:
    return send_due_reminders()


declare("calendars.reminders", calendar_reminders, every=60)
