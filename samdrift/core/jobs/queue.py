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
from django.db.models import F
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
    """Take the next due job, or None. PostgreSQL: FOR UPDATE SKIP LOCKED lets many workers
    claim side by side; SQLite: the transaction begins IMMEDIATE (settings), which takes the one
    write lock first, so two claims queue instead of both reading the same row."""
    global _last_sweep
    now = timezone.now()
    if time.monotonic() - _last_sweep >= SWEEP_EVERY:
        _last_sweep = time.monotonic()
        fail_exhausted_leases(now)
    with transaction.atomic():
        _relaxed_commit()
        job = None
        for candidates in (_abandoned(now, queues), _claimable(now, queues)):
            if connection.vendor == "postgresql":
                candidates = candidates.select_for_update(skip_locked=True)
            job = candidates.first()
            if job is not None:
                break
        if job is None:
            return None
        job.status = Status.RUNNING
        job.attempts += 1
        job.lease_owner = worker_id
        job.lease_expires_at = now + dt.timedelta(seconds=lease_seconds)
        job.started_at = job.started_at or now
        job.worker_ids = [*job.worker_ids, worker_id]
        job.save(
            update_fields=[
                "status",
                "attempts",
                "lease_owner",
                "lease_expires_at",
                "started_at",
                "worker_ids",
                "updated_at",
            ]
        )
    return job


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
    now = timezone.now()
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
    return _update_held(job, worker_id, **changes)


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
