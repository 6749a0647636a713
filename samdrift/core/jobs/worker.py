"""The worker: threads that claim jobs, run them under a renewed lease and record the outcome.

Used by `samdrift worker` (its own process) and by the in-process worker of `make run`.
`stop()` is graceful: no new claims, running tasks finish. A worker killed outright leaves its
jobs RUNNING under a lease that expires; another worker then runs them again (at-least-once,
so tasks are written to be idempotent — ADR 0011).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import close_old_connections, connection, connections
from django.utils.module_loading import import_string
from django_tasks import task_backends
from django_tasks.base import Task, TaskContext
from django_tasks.signals import task_finished, task_started
from django_tasks.utils import get_exception_traceback, get_module_path, normalize_json

from samdrift.core.exceptions import DomainError

from . import live, progress, queue
from .backend import DatabaseBackend, as_task_result
from .models import Job, Status
from .schedules import Scheduler

logger = logging.getLogger(__name__)

# A batch of jobs each this quick lets the next claim take twice as many (up to CLAIM_BATCH).
FAST_JOB_SECONDS = 0.05


def new_worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Heartbeat(threading.Thread):
    """Renews the lease every third of its length while the task runs."""

    def __init__(
        self, job: Job, worker_id: str, lease_seconds: float, others: list[Job] | None = None
    ) -> None:
        super().__init__(daemon=True, name=f"heartbeat-{job.id}")
        self.job, self.worker_id, self.lease_seconds = job, worker_id, lease_seconds
        # The rest of the batch: claimed jobs waiting their turn, finished ones whose outcome
        # is not written yet. Their leases are renewed alongside (ADR 0074).
        self.others = others if others is not None else []
        self.done = threading.Event()
        self.lost = False

    def run(self) -> None:
        try:
            while not self.done.wait(self.lease_seconds / 3):
                queue.renew_waiting(
                    list(self.others), worker_id=self.worker_id, lease_seconds=self.lease_seconds
                )
                if not queue.renew(
                    self.job, worker_id=self.worker_id, lease_seconds=self.lease_seconds
                ):
                    self.lost = True
                    logger.warning(
                        "job %s: lease lost; its outcome will not be recorded here", self.job.id
                    )
                    return
        finally:
            connections.close_all()


class Outcomes:
    """Successes of a batch not written yet: written together, in one transaction, when the
    batch ends or `FLUSH_SECONDS` after the first (ADR 0074). Until then their leases hold (the
    heartbeat renews them), so an outcome lost with the worker means the job runs again —
    at-least-once, as after any crash."""

    FLUSH_SECONDS = 0.25

    def __init__(self, worker_id: str, backend: DatabaseBackend) -> None:
        self.worker_id, self.backend = worker_id, backend
        self.items: list[tuple[Job, Any, Task[Any, Any]]] = []
        self.since = 0.0

    def add(self, job: Job, value: Any, task: Task[Any, Any]) -> None:
        if not self.items:
            self.since = time.monotonic()
        self.items.append((job, value, task))

    def due(self) -> bool:
        return bool(self.items) and time.monotonic() - self.since >= self.FLUSH_SECONDS

    def jobs(self) -> list[Job]:
        return [job for job, _value, _task in self.items]

    def flush(self) -> None:
        items, self.items = self.items, []
        if not items:
            return
        recorded = queue.succeed_many(
            [(job, value) for job, value, _task in items], worker_id=self.worker_id
        )
        finished = []
        for (job, _value, task), done in zip(items, recorded, strict=True):
            if not done:
                logger.warning("job %s finished after its lease was lost; not recorded", job.id)
                continue
            finished.append(job)
            task_finished.send(type(self.backend), task_result=as_task_result(job, task))
        live.jobs_finished(finished)


def run_job(
    job: Job,
    *,
    worker_id: str,
    backend: DatabaseBackend,
    others: list[Job] | None = None,
    outcomes: Outcomes | None = None,
) -> Status | None:
    """Run one claimed job to its outcome; returns the status recorded (None: lease lost).
    With `outcomes`, a success is only added there, to be written with the batch's others."""
    try:
        task: Task[Any, Any] = import_string(job.task_path)
        if not isinstance(task, Task):
            raise TypeError(f"{job.task_path} is not a task")
    except Exception as error:  # an unknown task will not appear by retrying
        return queue.fail(
            job,
            worker_id=worker_id,
            error_class=get_module_path(type(error)),
            error=get_exception_traceback(error),
            retry=False,
            base=backend.retry_base_seconds,
            cap=backend.retry_cap_seconds,
        )
    task_result = as_task_result(job, task)
    task_started.send(type(backend), task_result=task_result)
    heartbeat = Heartbeat(job, worker_id, backend.lease_seconds, others)
    heartbeat.start()
    token = progress._running.set(progress.Running(job, worker_id, backend.lease_seconds))
    try:
        if task.takes_context:
            value = task.call(TaskContext(task_result=task_result), *job.args, **job.kwargs)
        else:
            value = task.call(*job.args, **job.kwargs)
        value = normalize_json(value)
    except Exception as error:
        heartbeat.done.set()
        heartbeat.join()
        outcome = queue.fail(
            job,
            worker_id=worker_id,
            error_class=get_module_path(type(error)),
            error=get_exception_traceback(error),
            # A refused rule or bad input stays refused; everything else may be passing.
            retry=not isinstance(error, DomainError),
            base=backend.retry_base_seconds,
            cap=backend.retry_cap_seconds,
        )
    else:
        heartbeat.done.set()
        heartbeat.join()
        if outcomes is not None and not heartbeat.lost:
            outcomes.add(job, value, task)
            return Status.SUCCESSFUL
        outcome = (
            Status.SUCCESSFUL if queue.succeed(job, worker_id=worker_id, result=value) else None
        )
    finally:
        progress._running.reset(token)
    if outcome is None:
        logger.warning("job %s finished after its lease was lost; outcome not recorded", job.id)
        return None
    live.job_changed(job)
    task_finished.send(type(backend), task_result=as_task_result(job, task))
    return outcome


class Worker:
    def __init__(
        self,
        *,
        concurrency: int = 1,
        queues: Iterable[str] = ("default",),
        burst: bool = False,
        poll_seconds: float = 1.0,
        backend_alias: str = "default",
        worker_id: str | None = None,
        schedules: bool | Iterable[str] | None = None,
        max_batch: int | None = None,
    ) -> None:
        """`schedules`: queue the recurring jobs too (schedules.py) — all (True), none (False),
        only the names given; by default all unless in burst mode."""
        backend = task_backends[backend_alias]
        if not isinstance(backend, DatabaseBackend):
            raise TypeError(f"TASKS[{backend_alias!r}] is not samdrift's DatabaseBackend")
        self.backend = backend
        self.concurrency = max(1, concurrency)
        self.queues = tuple(queues)
        self.burst = burst
        self.poll_seconds = poll_seconds
        self.worker_id = worker_id or new_worker_id()
        self.max_batch = max(1, max_batch or backend.claim_batch)
        if schedules is None:
            schedules = not burst
        self.scheduler = (
            None
            if schedules is False
            else Scheduler(
                only=None if schedules is True else list(schedules),
                tick_seconds=min(1.0, poll_seconds),
            )
        )
        self.stopping = threading.Event()
        self.processed = 0
        self._count_lock = threading.Lock()

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> int:
        """Run until stopped (or, in burst mode, until nothing is due); returns jobs run.

        One job at a time runs in the calling thread (signals reach it there); more run in
        threads of their own, each with its own database connection."""
        if self.concurrency == 1:
            self._loop()
            return self.processed
        threads = [
            threading.Thread(target=self._thread, name=f"jobs-{i}", daemon=True)
            for i in range(self.concurrency)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)  # wakes up for signals in the main thread
        return self.processed

    def _thread(self) -> None:
        try:
            self._loop()
        finally:
            connections.close_all()

    def _loop(self) -> None:
        batch = 1
        while not self.stopping.is_set():
            if not connection.in_atomic_block:  # (a test's transaction: keep its connection)
                close_old_connections()
            if self.scheduler is not None:
                try:
                    self.scheduler.tick()
                except Exception:  # bad SAMDRIFT_SCHEDULES, the database away: keep working
                    logger.exception("queueing scheduled jobs failed")
            try:
                jobs = queue.claim_batch(
                    worker_id=self.worker_id,
                    lease_seconds=self.backend.lease_seconds,
                    queues=self.queues,
                    limit=batch,
                )
            except Exception:  # the database restarting must not end the worker
                if self.burst:
                    raise
                logger.exception("claiming a job failed; trying again")
                self.stopping.wait(self.poll_seconds)
                continue
            if not jobs:
                if self.burst:
                    return
                self.stopping.wait(self.poll_seconds)
                continue
            started = time.monotonic()
            ran = self._run_batch(jobs)
            with self._count_lock:
                self.processed += ran
            # Fast jobs: claim more at once next time; a slow one: one at a time again, so a
            # worker never sits on jobs that another, idle worker could be running.
            fast = ran == len(jobs) and (time.monotonic() - started) / ran < FAST_JOB_SECONDS
            batch = min(self.max_batch, batch * 2) if fast else 1

    def _run_batch(self, jobs: list[Job]) -> int:
        outcomes = Outcomes(self.worker_id, self.backend)
        others: list[Job] = []
        try:
            for index, job in enumerate(jobs):
                if self.stopping.is_set():  # stopping: the ones not started go back
                    queue.release(jobs[index:], worker_id=self.worker_id)
                    return index
                others[:] = [*jobs[index + 1 :], *outcomes.jobs()]
                run_job(
                    job,
                    worker_id=self.worker_id,
                    backend=self.backend,
                    others=others,
                    outcomes=outcomes if len(jobs) > 1 else None,
                )
                if outcomes.due():
                    outcomes.flush()
            return len(jobs)
        finally:
            outcomes.flush()
