"""Batched claims and outcomes (ADR 0074): a worker takes several fast jobs of one queue in one
transaction, each under its own lease, and writes their results together; a slow job sends it
back to one at a time; stopping gives the unstarted ones back; one lost lease hides no other
outcome. And `enqueue` inside the caller's transaction adds no commit of its own."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samdrift.core.jobs import live, queue
from samdrift.core.jobs.models import Job, Status
from samdrift.core.jobs.worker import Worker

from . import sample_tasks

pytestmark = pytest.mark.django_db


def _batch(limit: int, worker: str = "w1", queues: tuple[str, ...] = ("default",)) -> list[Job]:
    return queue.claim_batch(worker_id=worker, lease_seconds=30, queues=queues, limit=limit)


def test_a_batch_takes_due_jobs_of_one_queue_in_order_each_under_its_lease():
    ids = [int(sample_tasks.add.enqueue(i, i).id) for i in range(5)]
    # (a row of another queue: the test backend allows only "default" to enqueue to)
    other = Job.objects.create(task_path=sample_tasks.add.module_path, queue_name="reports").id
    later = sample_tasks.add.using(run_after=timezone.now() + dt.timedelta(hours=1)).enqueue(1, 2)
    first = _batch(3, queues=("default", "reports"))
    assert [job.id for job in first] == ids[:3]
    second = _batch(10, worker="w2", queues=("default", "reports"))
    assert [job.id for job in second] == ids[3:]  # one queue per batch: "reports" waits
    rows = {job.id: job for job in Job.objects.filter(id__in=ids)}
    for job in first + second:
        row = rows[job.id]
        assert (row.status, row.attempts, row.lease_owner) == (Status.RUNNING, 1, job.lease_owner)
        assert row.worker_ids == [job.lease_owner] == job.worker_ids
        assert row.lease_expires_at == job.lease_expires_at and row.started_at is not None
    assert [job.id for job in _batch(10, queues=("default", "reports"))] == [other]
    assert Job.objects.get(id=int(later.id)).status == Status.READY


def test_fast_jobs_are_claimed_in_growing_batches_and_all_recorded(monkeypatch):
    ids = [int(sample_tasks.add.enqueue(i, 1).id) for i in range(20)]
    limits: list[int] = []
    claim_batch = queue.claim_batch

    def recording(**kwargs):  # type: ignore[no-untyped-def]
        limits.append(kwargs["limit"])
        return claim_batch(**kwargs)

    monkeypatch.setattr(queue, "claim_batch", recording)
    assert Worker(burst=True, max_batch=8).run() == 20
    assert limits == [1, 2, 4, 8, 8, 8]  # 1+2+4+8 = 15, then the last 5, then none left
    jobs = Job.objects.filter(id__in=ids).order_by("id")
    assert [(job.status, job.result, job.lease_owner) for job in jobs] == [
        (Status.SUCCESSFUL, i + 1, "") for i in range(20)
    ]


def test_a_slow_job_sends_the_worker_back_to_one_job_per_claim(monkeypatch):
    for _ in range(3):
        sample_tasks.add.enqueue(1, 1)
    sample_tasks.nap.enqueue(0.2)
    for _ in range(6):
        sample_tasks.add.enqueue(1, 1)
    limits: list[int] = []
    claim_batch = queue.claim_batch

    def recording(**kwargs):  # type: ignore[no-untyped-def]
        limits.append(kwargs["limit"])
        return claim_batch(**kwargs)

    monkeypatch.setattr(queue, "claim_batch", recording)
    assert Worker(burst=True, max_batch=8).run() == 10
    # 1 (fast) → 2 (fast) → 4 with the nap in it: 1 again → 2 → 4 (none left).
    assert limits == [1, 2, 4, 1, 2, 4]
    assert set(Job.objects.values_list("status", flat=True)) == {Status.SUCCESSFUL}


def test_stopping_mid_batch_gives_the_unstarted_jobs_back():
    ids = [int(sample_tasks.add.enqueue(i, 0).id) for i in range(4)]
    worker = Worker(burst=True, max_batch=4)
    jobs = _batch(4, worker=worker.worker_id)
    from samdrift.core.jobs import worker as worker_module

    original_run_job = worker_module.run_job

    def run_then_stop(job, **kwargs):  # type: ignore[no-untyped-def]
        status = original_run_job(job, **kwargs)
        worker.stop()  # SIGTERM arrives while the first job runs
        return status

    worker_module.run_job = run_then_stop
    try:
        assert worker._run_batch(jobs) == 1
    finally:
        worker_module.run_job = original_run_job
    rows = list(Job.objects.filter(id__in=ids).order_by("id"))
    assert (rows[0].status, rows[0].result) == (Status.SUCCESSFUL, 0)
    for row in rows[1:]:  # back in the queue as if never claimed
        assert (row.status, row.attempts, row.lease_owner, row.lease_expires_at) == (
            Status.READY,
            0,
            "",
            None,
        )


def test_a_lost_lease_in_a_batch_hides_no_other_outcome():
    for i in range(3):
        sample_tasks.add.enqueue(i, 10)
    jobs = _batch(3)
    # The middle job's lease expired and another worker took it meanwhile.
    Job.objects.filter(id=jobs[1].id).update(lease_owner="w2")
    recorded = queue.succeed_many([(job, 1) for job in jobs], worker_id="w1")
    assert recorded == [True, False, True]
    statuses = dict(Job.objects.values_list("id", "status"))
    assert statuses[jobs[1].id] == Status.RUNNING  # w2's outcome to write, not ours
    assert statuses[jobs[0].id] == statuses[jobs[2].id] == Status.SUCCESSFUL


def test_waiting_jobs_of_a_batch_keep_their_leases():
    for _ in range(3):
        sample_tasks.add.enqueue(1, 1)
    jobs = queue.claim_batch(worker_id="w1", lease_seconds=1, queues=["default"], limit=3)
    Job.objects.filter(id=jobs[2].id).update(lease_owner="w2")  # (lost: left alone)
    before = jobs[0].lease_expires_at
    queue.renew_waiting(jobs, worker_id="w1", lease_seconds=60)
    rows = dict(Job.objects.values_list("id", "lease_expires_at"))
    assert rows[jobs[0].id] > before + dt.timedelta(seconds=50)
    assert rows[jobs[1].id] > before + dt.timedelta(seconds=50)
    assert rows[jobs[2].id] == before


def test_a_batch_of_outcomes_sends_each_jobs_live_event():
    layer = get_channel_layer()
    ids = [int(sample_tasks.add.enqueue(i, 0).id) for i in range(3)]
    jobs = list(Job.objects.filter(id__in=ids).order_by("id"))
    channel = async_to_sync(layer.new_channel)()
    for job_id in ids:
        async_to_sync(layer.group_add)("live." + live.topic(job_id).replace(":", ".", 1), channel)
    for job in jobs:
        job.status = Status.SUCCESSFUL
    live.jobs_finished(jobs)

    async def receive_all() -> list[dict]:
        # In one event loop: channels_redis buffers a process-local channel per loop, and one
        # async_to_sync per receive hands back the first message again.
        return [await layer.receive(channel) for _ in ids]

    received = async_to_sync(receive_all)()
    assert sorted(m["event"]["id"] for m in received) == ids
    assert {(m["type"], m["event"]["status"]) for m in received} == {
        ("live.event", Status.SUCCESSFUL)
    }
    assert {m["topic"] for m in received} == {f"job:{i}" for i in ids}


def test_enqueue_inside_the_callers_transaction_adds_no_commit():
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        sample_tasks.add.enqueue(1, 2)
    sql = [q["sql"].upper() for q in queries.captured_queries]
    assert len(sql) == 1 and sql[0].startswith('INSERT INTO "JOBS_JOB"')
    assert not any("SAVEPOINT" in s or "COMMIT" in s or "BEGIN" in s for s in sql)
