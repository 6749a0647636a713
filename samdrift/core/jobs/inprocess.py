"""The in-process worker of `make run`: one background thread in the serving process, so the
demo needs no second command. Production runs `samdrift worker` instead (ADR 0012).

On when SAMDRIFT_INPROCESS_WORKER=1 (or the setting of that name). It starts with the first
request a process serves, not at start-up: `samdrift serve` replaces itself with the server
(exec), and management commands (migrate, demo) must not run jobs half-way and vanish.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from django.conf import settings

from .worker import Worker

_started: Worker | None = None
_lock = threading.Lock()


def enabled() -> bool:
    flag = os.environ.get("SAMDRIFT_INPROCESS_WORKER")
    if flag is not None:
        return flag == "1"
    return bool(getattr(settings, "SAMDRIFT_INPROCESS_WORKER", False))


def start(*, concurrency: int = 1) -> Worker:
    """Start the worker thread once per process; later calls return the same worker."""
    global _started
    with _lock:
        if _started is None:
            worker = Worker(concurrency=concurrency)
            threading.Thread(target=worker.run, name="jobs-inprocess", daemon=True).start()
            _started = worker
        return _started


def start_if_enabled() -> Worker | None:
    return start() if enabled() else None


def start_on_first_request(**kwargs: Any) -> None:
    """A `request_started` receiver; cheap after the first call."""
    if _started is None:
        start()
