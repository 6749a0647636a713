"""The queue's database operations: claim under a lease, renew it, finish or retry.

Every write after the claim is fenced by the lease (`lease_owner` = this worker and still
RUNNING): a worker that lost its lease (paused too long, its job claimed again) changes nothing,
so an outcome is recorded once (ADR 0011).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Job, Status

LOST_WORKER = "samdrift.core.jobs.LeaseExpired"
SWEEP_EVERY = 5.0  # seconds between two sweeps of exhausted leases, per process
_last_sweep = 0.0


def _relaxed_commit() -> None:
    """PostgreSQL: the worker's own bookkeeping (claim, renew, outcome) need not wait for the
    disk. A crash may lose the last few milliseconds of it; that loses no job (enqueue stays
    durable) and at worst runs one again, which at-least-once already allows (ADR 0014)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def backoff_seconds(attempt: int, *, base: float, cap: float) -> float:
    """Exponential backoff with "equal jitter": half the delay fixed, half random, so retries of
    many jobs that failed together (a database restart) do not return together."""
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - spreading load, not secrecy


def _claimable(now: dt.datetime, queues: Iterable[str]) -> Any:
    return Job.objects.filter(
        status=Status.READY, run_after__lte=now, queue_name__in=list(queues)
    ).order_by("-priority", "run_after", "id")


def _abandoned(now: dt.datetime, queues: Iterable[str]) -> Any:
    """A lost worker's jobs, unless that was their last attempt (the sweep fails those). They
    go first: they have waited a whole lease already."""
    return Job.objects.filter(
        status=Status.RUNNING,
        lease_expires_at__lt=now,
        attempts__lt=F("max_attempts"),
        queue_name__in=list(queues),
    ).order_by("lease_expires_at", "id")


def fail_exhausted_leases(now: dt.datetime | None = None) -> int:
    """Jobs whose worker died on their last allowed attempt: failed, with that said."""
    now = now or timezone.now()
    return Job.objects.filter(
        status=Status.RUNNING, lease_expires_at__lt=now, attempts__gte=F("max_attempts")
    ).update(
        status=Status.FAILED,
        finished_at=now,
        lease_owner="",
        lease_expires_at=None,
        error_class=LOST_WORKER,
        error="The worker running the last allowed attempt stopped before finishing "
        "(its lease expired).",
    )


def claim(*, worker_id: str, lease_seconds: float, queues: Iterable[str]) -> Job | None:
    """Take the next due job, or None."""
    jobs = claim_batch(worker_id=worker_id, lease_seconds=lease_seconds, queues=queues, limit=1)
    return jobs[0] if jobs else None


def _append_worker(worker_id: str) -> RawSQL:
    """worker_ids + [worker_id], in the database (one UPDATE for a whole batch)."""
    if connection.vendor == "postgresql":
        return RawSQL("worker_ids || to_jsonb(%s::text)", (worker_id,))
    return RawSQL("json_insert(worker_ids, '$[#]', %s)", (worker_id,))


def claim_batch(
    *, worker_id: str, lease_seconds: float, queues: Iterable[str], limit: int
) -> list[Job]:
    """Take up to `limit` due jobs of one queue in one transaction (ADR 0074), each under its
    own lease. PostgreSQL: FOR UPDATE SKIP LOCKED lets many workers claim side by side; SQLite:
    the transaction begins IMMEDIATE (settings), which takes the one write lock first, so two
    claims queue instead of both reading the same rows."""
    global _last_sweep
    queues = list(queues)
    now = timezone.now()
    if time.monotonic() - _last_sweep >= SWEEP_EVERY:
        _last_sweep = time.monotonic()
        fail_exhausted_leases(now)
    with transaction.atomic():
        _relaxed_commit()
        jobs: list[Job] = []
        for candidates in (_abandoned(now, queues), _claimable(now, queues)):
            if jobs:
                candidates = candidates.filter(queue_name=jobs[0].queue_name)
            if connection.vendor == "postgresql":
                candidates = candidates.select_for_update(skip_locked=True)
            jobs += candidates[: limit - len(jobs)]
            # One queue per batch, the first job's: the rest wait for the next claim.
            jobs = [job for job in jobs if job.queue_name == jobs[0].queue_name]
            if len(jobs) >= limit:
                break
        if not jobs:
            return []
        expires = now + dt.timedelta(seconds=lease_seconds)
        Job.objects.filter(id__in=[job.id for job in jobs]).update(
            status=Status.RUNNING,
            attempts=F("attempts") + 1,
            lease_owner=worker_id,
            lease_expires_at=expires,
            started_at=Coalesce(F("started_at"), Value(now)),
            worker_ids=_append_worker(worker_id),
            updated_at=now,
        )
    for job in jobs:  # the rows as just written
        job.status, job.attempts = Status.RUNNING, job.attempts + 1
        job.lease_owner, job.lease_expires_at = worker_id, expires
        job.started_at = job.started_at or now
        job.worker_ids = [*job.worker_ids, worker_id]
        job.updated_at = now
    return jobs


def renew_waiting(jobs: list[Job], *, worker_id: str, lease_seconds: float) -> None:
    """Extend the leases of claimed jobs still waiting their turn in this worker (the running
    job's heartbeat does it), so a batch never outlives its leases."""
    if not jobs:
        return
    expires = timezone.now() + dt.timedelta(seconds=lease_seconds)
    with transaction.atomic():
        _relaxed_commit()
        Job.objects.filter(
            id__in=[job.id for job in jobs], lease_owner=worker_id, status=Status.RUNNING
        ).update(lease_expires_at=expires)
    for job in jobs:
        job.lease_expires_at = expires


def release(jobs: list[Job], *, worker_id: str) -> int:
    """Give claimed jobs that never started back (a worker stopping): waiting again, the attempt
    not counted."""
    if not jobs:
        return 0
    with transaction.atomic():
        return Job.objects.filter(
            id__in=[job.id for job in jobs], lease_owner=worker_id, status=Status.RUNNING
        ).update(
            status=Status.READY,
            attempts=F("attempts") - 1,
            lease_owner="",
            lease_expires_at=None,
            updated_at=timezone.now(),
        )


def _held(job: Job, worker_id: str) -> Any:
    return Job.objects.filter(id=job.id, lease_owner=worker_id, status=Status.RUNNING)


def _update_held(job: Job, worker_id: str, **changes: Any) -> bool:
    with transaction.atomic():
        _relaxed_commit()
        updated = bool(_held(job, worker_id).update(**changes))
    if updated:
        for name, value in changes.items():
            setattr(job, name, value)
    return updated


def renew(job: Job, *, worker_id: str, lease_seconds: float, **fields: Any) -> bool:
    """Extend the lease (the heartbeat), optionally with progress fields; False if it was lost."""
    expires = timezone.now() + dt.timedelta(seconds=lease_seconds)
    return _update_held(
        job, worker_id, lease_expires_at=expires, updated_at=timezone.now(), **fields
    )


def succeed(job: Job, *, worker_id: str, result: Any) -> bool:
    return succeed_many([(job, result)], worker_id=worker_id) == [True]


def _success(job: Job, result: Any, now: dt.datetime) -> dict[str, Any]:
    changes: dict[str, Any] = {
        "status": Status.SUCCESSFUL,
        "result": result,
        "finished_at": now,
        "updated_at": now,
        "lease_owner": "",
        "lease_expires_at": None,
    }
    if job.progress_total:
        changes["progress_done"] = job.progress_total
    return changes


def succeed_many(outcomes: list[tuple[Job, Any]], *, worker_id: str) -> list[bool]:
    """Record the results of several finished jobs in one transaction (ADR 0074); each write is
    fenced by its own lease, so one lost lease does not hide the others. True where recorded."""
    now = timezone.now()
    recorded = []
    with transaction.atomic():
        _relaxed_commit()
        for job, result in outcomes:
            changes = _success(job, result, now)
            recorded.append(bool(_held(job, worker_id).update(**changes)))
    for (job, result), done in zip(outcomes, recorded, strict=True):
        if done:
            for name, value in _success(job, result, now).items():
                setattr(job, name, value)
    return recorded


def fail(
    job: Job,
    *,
    worker_id: str,
    error_class: str,
    error: str,
    retry: bool,
    base: float,
    cap: float,
) -> Status | None:
    """Record a failed attempt: back to READY after a backoff while attempts remain (and the
    error is worth retrying), else FAILED. The last error is kept either way."""
    now = timezone.now()
    again = retry and job.attempts < job.max_attempts
    changes: dict[str, Any] = {
        "error_class": error_class[:255],
        "error": error,
        "lease_owner": "",
        "lease_expires_at": None,
        "updated_at": now,
    }
    if again:
        delay = backoff_seconds(job.attempts, base=base, cap=cap)
        changes |= {"status": Status.READY, "run_after": now + dt.timedelta(seconds=delay)}
    else:
        changes |= {"status": Status.FAILED, "finished_at": now}
    if not _update_held(job, worker_id, **changes):
        return None
    return Status.READY if again else Status.FAILED
