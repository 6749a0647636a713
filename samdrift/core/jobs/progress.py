"""`report(done, total, message)`: a running task says how far it is.

Inside a worker the row is updated (at most every `MIN_INTERVAL` seconds, and always at the
end), which renews the lease too, and a live event goes to topic `job:<id>`. Outside a worker
(the immediate backend in tests, a service called directly) it does nothing.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field

from . import live, queue
from .models import Job

MIN_INTERVAL = 0.5  # seconds between two writes of one job's progress


@dataclass
class Running:
    job: Job
    worker_id: str
    lease_seconds: float
    written_at: float = field(default=0.0)


_running: ContextVar[Running | None] = ContextVar("samdrift_running_job", default=None)


def current_job_id() -> int | None:
    running = _running.get()
    return running.job.id if running else None


def report(done: int, total: int, message: str = "") -> None:
    running = _running.get()
    if running is None:
        return
    done, total = max(0, int(done)), max(0, int(total))
    now = time.monotonic()
    if done < total and now - running.written_at < MIN_INTERVAL:
        return
    running.written_at = now
    message = str(message)[:200]
    running.job.progress_done, running.job.progress_total = done, total
    running.job.progress_message = message
    if queue.renew(
        running.job,
        worker_id=running.worker_id,
        lease_seconds=running.lease_seconds,
        progress_done=done,
        progress_total=total,
        progress_message=message,
    ):
        live.job_changed(running.job)
