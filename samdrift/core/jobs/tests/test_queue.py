"""Claim, lease, retry and backoff of the database queue (units against the test database)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks import default_task_backend
from django_tasks.base import TaskResultStatus

from samdrift.core.actor import Actor
from samdrift.core.jobs import queue
from samdrift.core.jobs.models import Job, Status
from samdrift.core.jobs.origin import queued_by
from samdrift.core.jobs.worker import Worker, run_job

from . import sample_tasks

pytestmark = pytest.mark.django_db


def _claim(worker: str = "w1", lease: float = 30) -> Job | None:
    return queue.claim(worker_id=worker, lease_seconds=lease, queues=["default"])


def test_enqueue_stores_a_row_and_get_result_reads_it():
    result = sample_tasks.add.enqueue(2, 3)
    job = Job.objects.get(id=int(result.id))
    assert job.task_path == "samdrift.core.jobs.tests.sample_tasks.add"
    assert (job.args, job.kwargs, job.status) == ([2, 3], {}, Status.READY)
    again = default_task_backend.get_result(result.id)
    assert again.status == TaskResultStatus.READY and again.args == [2, 3]


def test_queued_by_records_creator_and_agency():
    with queued_by(Actor(user_id=7, label="u"), agency_id=3, label="Invoice run"):
        result = sample_tasks.add.enqueue(1, 1)
    job = Job.objects.get(id=int(result.id))
    assert (job.created_by_id, job.agency_id, job.label) == (7, 3, "Invoice run")


def test_claim_takes_the_highest_priority_due_job_once():
    sample_tasks.add.enqueue(1, 1)
    urgent = sample_tasks.urgent.enqueue()
    sample_tasks.add.using(run_after=timezone.now() + dt.timedelta(hours=1)).enqueue(9, 9)
    first = _claim()
    assert first is not None and first.id == int(urgent.id)
    assert first.status == Status.RUNNING and first.attempts == 1 and first.lease_owner == "w1"
    second = _claim("w2")
    assert second is not None and second.args == [1, 1]
    assert _claim("w3") is None  # the deferred one is not due; the others are leased


def test_an_expired_lease_makes_the_job_claimable_again():
    sample_tasks.add.enqueue(1, 2)
    job = _claim("dead")
    assert job is not None and _claim("w2") is None
    Job.objects.filter(id=job.id).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    again = _claim("w2")
    assert again is not None and again.id == job.id
    assert again.attempts == 2 and again.worker_ids == ["dead", "w2"]
    # The dead worker's late outcome is fenced off: it no longer holds the lease.
    assert queue.succeed(job, worker_id="dead", result=1) is False
    assert queue.succeed(again, worker_id="w2", result=3) is True
    assert Job.objects.get(id=job.id).result == 3


def test_a_lost_worker_on_the_last_attempt_fails_the_job(monkeypatch):
    monkeypatch.setattr(queue, "_last_sweep", 0.0)  # the sweep is due (it runs every few seconds)
    sample_tasks.add.enqueue(1, 2)
    job = _claim("dead")
    assert job is not None
    Job.objects.filter(id=job.id).update(
        attempts=job.max_attempts, lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert _claim("w2") is None  # not run a fourth time
    monkeypatch.setattr(queue, "_last_sweep", 0.0)
    assert _claim("w2") is None
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.error_class == queue.LOST_WORKER


def test_backoff_grows_exponentially_within_jitter_and_cap():
    for attempt, full in ((1, 5), (2, 10), (3, 20), (4, 40)):
        delays = [queue.backoff_seconds(attempt, base=5, cap=600) for _ in range(200)]
        assert all(full / 2 <= d <= full for d in delays)
        assert max(delays) - min(delays) > full / 10  # jittered, not one fixed value
    assert queue.backoff_seconds(30, base=5, cap=600) <= 600


def test_a_failing_job_retries_with_backoff_then_fails_keeping_its_error():
    sample_tasks.CALLS.clear()
    result = sample_tasks.flaky.enqueue("x")
    worker = Worker(burst=True)
    before = timezone.now()
    for attempt in range(1, 4):
        job = _claim(worker.worker_id)
        assert job is not None and job.attempts == attempt
        outcome = run_job(job, worker_id=worker.worker_id, backend=worker.backend)
        job.refresh_from_db()
        assert "ConnectionError: the far side is down" in job.error
        if attempt < 3:
            assert outcome == Status.READY
            full = 5 * 2 ** (attempt - 1)
            assert before + dt.timedelta(seconds=full / 2 - 1) <= job.run_after
            assert job.run_after <= timezone.now() + dt.timedelta(seconds=full)
            assert _claim(worker.worker_id) is None  # not before its backoff
            Job.objects.filter(id=job.id).update(run_after=timezone.now())
        else:
            assert outcome == Status.FAILED
    assert sample_tasks.CALLS == ["x", "x", "x"]
    final = default_task_backend.get_result(result.id)
    assert final.status == TaskResultStatus.FAILED
    assert final.errors[0].exception_class_path == "builtins.ConnectionError"


def test_a_refused_rule_is_not_retried():
    sample_tasks.refused.enqueue()
    Worker(burst=True).run()
    job = Job.objects.get()
    assert job.status == Status.FAILED and job.attempts == 1
    assert job.error_class.endswith("BusinessRuleViolation")


def test_burst_worker_runs_everything_due_and_records_results_and_progress():
    results = [sample_tasks.add.enqueue(i, i) for i in range(5)]
    counting = sample_tasks.counting.enqueue(4)
    assert Worker(burst=True).run() == 6
    assert [default_task_backend.get_result(r.id).return_value for r in results] == [
        0,
        2,
        4,
        6,
        8,
    ]
    job = Job.objects.get(id=int(counting.id))
    assert job.status == Status.SUCCESSFUL and job.result == {"steps": 4, "link": "/jobs/"}
    assert (job.progress_done, job.progress_total, job.progress_message) == (4, 4, "step 4")
    assert job.lease_owner == "" and job.finished_at is not None


def test_an_unknown_task_fails_without_retry():
    Job.objects.create(task_path="samdrift.nowhere.task")
    Worker(burst=True).run()
    job = Job.objects.get()
    assert job.status == Status.FAILED and job.attempts == 1 and "nowhere" in job.error
