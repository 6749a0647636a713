"""Threads lent to one piece of work at a time and kept for the next (ADR 0669).

**ASGI requests.** Django runs each ASGI request's middleware and view in a thread of its own,
started for that request and ended after it (asgiref's `ThreadSensitiveContext`). Everything a
thread keeps is lost with every request: above all its database connection, so `CONN_MAX_AGE`
had no effect and every request opened a new one (SQLite reads its whole schema again: ~2 ms
here; a PostgreSQL connection costs more). `request_threads.lent()` gives a request a
single-thread executor that an earlier request used, through asgiref's own way of supplying one
(`ThreadSensitiveContext(executor=...)`), and takes it back when the request is answered: the
thread, and the connection Django's `close_old_connections` keeps or drops as under WSGI, serve
the next request. As in a WSGI server's thread pool, one request at a time per thread.

**Checksums beside a stream.** `ParallelSha256` hashes the chunks of a download or upload in a
lent thread while the caller reads or sends the next (hashlib releases the GIL).

A thread still busy when its borrower is done (a request whose client left while its view was
running) is not lent again: it is shut down once its work ends, so nobody waits behind another's
work.
"""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from asgiref.sync import ThreadSensitiveContext

# Idle threads kept per process: more than the requests a worker serves at once on this size
# of machine; a burst beyond them gets new threads, which end after their work.
KEEP_IDLE = 16


class LentThread(ThreadPoolExecutor):
    """One thread, one call at a time, that knows whether it is still working."""

    def __init__(self, name: str) -> None:
        super().__init__(max_workers=1, thread_name_prefix=name)
        self._last: Future[Any] | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        self._last = future  # one worker runs them in order: the last done means all done
        return future

    @property
    def idle(self) -> bool:
        return self._last is None or self._last.done()


class LentThreads:
    """Single-thread executors lent to one borrower at a time and kept for the next."""

    def __init__(self, name: str, keep_idle: int = KEEP_IDLE) -> None:
        self._name = name
        self._idle: list[LentThread] = []
        self._lock = threading.Lock()
        self._keep_idle = keep_idle

    def borrow(self) -> LentThread:
        with self._lock:
            if self._idle:
                return self._idle.pop()  # the most recently used: its connection is warm
        return LentThread(self._name)

    def give_back(self, executor: LentThread) -> None:
        if executor.idle:
            with self._lock:
                if len(self._idle) < self._keep_idle:
                    self._idle.append(executor)
                    return
        executor.shutdown(wait=False)  # a busy one ends when its work does

    def run_in_each(self, fn: Callable[[], Any]) -> None:
        """Run `fn` in every idle thread (e.g. to close their database connections)."""
        with self._lock:
            idle = list(self._idle)
        for executor in idle:
            executor.submit(fn).result()

    @asynccontextmanager
    async def lent(self) -> AsyncIterator[None]:
        """The block's thread-sensitive sync calls run in a borrowed thread."""
        executor = self.borrow()
        try:
            async with ThreadSensitiveContext(executor=executor):
                yield
        finally:
            self.give_back(executor)


request_threads = LentThreads("samdrift-request")
stream_threads = LentThreads("samdrift-stream")  # work beside a stream: hashes, scans


def close_idle_connections() -> None:
    """Close the database connections the kept request threads hold (tests, before a database
    is dropped; a process that ends closes them anyway)."""
    from django.db import connections

    request_threads.run_in_each(connections.close_all)


class ParallelSha256:
    """SHA-256 of chunks given in order, computed in a lent thread while the caller goes on
    with the next; at most `AHEAD` chunks wait for it. `close` (or `hexdigest`) gives the thread
    back; a stream abandoned half-way must call `close`."""

    AHEAD = 2

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self._executor: LentThread | None = None
        self._pending: deque[Future[None]] = deque()

    def update(self, chunk: bytes) -> None:
        if self._executor is None:
            self._executor = stream_threads.borrow()
        self._pending.append(self._executor.submit(self._hash.update, chunk))
        if len(self._pending) > self.AHEAD:
            self._pending.popleft().result()

    def hexdigest(self) -> str:
        self.close()
        return self._hash.hexdigest()

    def close(self) -> None:
        while self._pending:
            self._pending.popleft().result()
        executor, self._executor = self._executor, None
        if executor is not None:
            stream_threads.give_back(executor)
