"""Background work of service operations: the reminder before a maintenance window (ADR 0842)
the hourly capacity figures read from Prometheus (ADR 0846) and the clock alerts (ADR 0849)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from samdrift.core.jobs.schedules import declare

from .services import alert_clocks, capacity_scrape, remind_due_changes


@task()
def change_reminders() -> dict[str, Any]:
    return {"reminded": remind_due_changes()}


declare("operations.change_reminders", change_reminders, every=900)


@task()
def capacity_from_prometheus() -> dict[str, Any]:
    return capacity_scrape()


declare("operations.capacity_from_prometheus", capacity_from_prometheus, every=3600)


@task()
def clock_alerts() -> dict[str, Any]:
    return alert_clocks()


declare("operations.clock_alerts", clock_alerts, every=300)
