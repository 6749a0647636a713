"""Background jobs of notifications (django-tasks; the backend is the jobs kernel's)."""

from __future__ import annotations

import logging

from django_tasks import default_task_backend, task

from samdrift.core.jobs.schedules import declare

from . import delivery

logger = logging.getLogger(__name__)


@task()
def deliver_email(notification_id: int) -> str:
    """Send one e-mail row. A failed attempt is retried at its backoff time, and a row another
    worker holds is looked at again when that worker's lease ends (it may have died mid-send):
    by a deferred job when the backend can defer, and by the sweeper (`deliver_due_email`) in
    any case."""
    outcome = delivery.deliver(notification_id)
    again = outcome.result in ("retry", "busy") and outcome.next_attempt_at
    if again and default_task_backend.supports_defer:
        deliver_email.using(run_after=outcome.next_attempt_at).enqueue(notification_id)
    return outcome.result


@task()
def deliver_due_email() -> dict[str, int]:
    """The sweeper: every e-mail row that is due. Scheduled every minute (docs/domains/
    notifications.md); safe to run on several workers at once."""
    counts: dict[str, int] = {}
    for outcome in delivery.deliver_due():
        counts[outcome.result] = counts.get(outcome.result, 0) + 1
    return counts


# Recurring, queued by the workers (samdrift.core.jobs.schedules; SAMDRIFT_SCHEDULES changes them).
declare("notifications.sweep_email", deliver_due_email, every=60)
# (by path: the task sits beside the services it calls, which import this module)
declare(
    "notifications.prune", "samdrift.core.notifications.retention.prune_notifications", every=86400
)
