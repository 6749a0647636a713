"""Delivery through samdrift's own jobs kernel (the database queue and its worker), not the
immediate backend: the e-mail job is queued at commit, a failed attempt queues a deferred retry,
and running a job again (as the kernel does after a worker died) never sends twice."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from samdrift.core.jobs.models import Job
from samdrift.core.jobs.models import Status as JobStatus
from samdrift.core.jobs.worker import Worker
from samdrift.core.notifications.models import Channel, Notification, Status
from samdrift.core.notifications.services import notify

from .conftest import actor, person

pytestmark = pytest.mark.django_db(transaction=True)

TASK = "samdrift.core.notifications.tasks.deliver_email"
CONTEXT = {"agency": "Myndighet Å", "case_id": 1, "phase": {"sv": "Planera", "en": "Plan"}}


@pytest.fixture
def queue(smtp, settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "samdrift.core.jobs.backend.DatabaseBackend"}}
    return smtp


def _run_worker() -> int:
    return Worker(burst=True, poll_seconds=0.05).run()


def test_the_worker_sends_retries_later_and_never_twice(queue):
    smtp = queue
    karin = person("karin")
    with transaction.atomic():
        notify([karin.id], "signoff_required", CONTEXT, actor=actor(person("sender")))
        assert not Job.objects.exists()  # queued only when the change commits
    (first,) = Job.objects.filter(task_path=TASK)
    row = Notification.objects.get(channel=Channel.EMAIL)
    assert first.args == [row.id] and smtp.mailbox.received == []

    smtp.stop()
    assert _run_worker() == 1
    row.refresh_from_db()
    assert row.status == Status.PENDING and row.attempts == 1
    (retry,) = Job.objects.filter(task_path=TASK, status=JobStatus.READY)
    assert retry.run_after == row.next_attempt_at  # a deferred job at the backoff time
    assert _run_worker() == 0  # not due yet

    smtp.start()
    # Thirty seconds pass.
    due = timezone.now() - datetime.timedelta(seconds=1)
    Notification.objects.filter(id=row.id).update(next_attempt_at=due)
    Job.objects.filter(id=retry.id).update(run_after=due)
    assert _run_worker() == 1
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2
    assert [str(m["To"]) for m in smtp.mailbox.messages()] == ["karin@myndighet.test"]

    # The kernel runs the first job again (as after a worker killed mid-job): nothing is sent.
    Job.objects.filter(id=first.id).update(status=JobStatus.READY, run_after=due)
    assert _run_worker() == 1
    assert Job.objects.get(id=first.id).result == "skipped"
    assert len(smtp.mailbox.received) == 1
