"""Django's ASGI handler, with large request bodies streamed to the view instead of read first
(ADR 0050).

Django's own handler reads the whole body into a spooled temporary file before any middleware
or view runs, so an upload is received completely before its first byte can go anywhere. Here a
body whose declared length is over FILE_UPLOAD_MAX_MEMORY_SIZE is handed over as a `BodyStream`:
a task on the event loop takes the ASGI `http.request` messages as they come and keeps at most
`HIGH_WATER` bytes of them; the view's thread reads from it, waiting when nothing has arrived
yet. The upload handlers (and with S3 the bucket, `core.files.uploads`) thus get the file while
it is still arriving. Smaller bodies and bodies without a length go Django's way.

The size limits still hold: `core.request_limit` refuses by Content-Length before this handler
runs and stops the stream at the path's limit.

Each request's sync code runs in a thread kept from earlier requests, with its database
connection (`core.lent_threads`, ADR 0669).
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler
from django.http import UnreadablePostError

from .lent_threads import request_threads

Receive = Callable[[], Awaitable[Mapping[str, Any]]]
HIGH_WATER = 8 * 1024 * 1024


class BodyStream:
    """A read-only file over an ASGI request body that is still arriving. `read` and `readline`
    block, so they belong to worker threads (Django's sync views and middleware); called on the
    event loop's own thread they raise instead of stopping it."""

    def __init__(self, receive: Receive, high_water: int = HIGH_WATER) -> None:
        self._receive = receive
        self._high_water = high_water
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._ended = False
        self._error: BaseException | None = None
        self._lock = threading.Condition()
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._room = asyncio.Event()
        self._room.set()
        self.done = asyncio.Event()  # the whole body has come (or the client went away)
        self.aborted = False
        self._task = self._loop.create_task(self._pump())

    async def _pump(self) -> None:
        try:
            while True:
                await self._room.wait()
                message = await self._receive()
                with self._lock:
                    if message["type"] == "http.disconnect":
                        self.aborted = True
                        self._error = UnreadablePostError("the client went away")
                    elif body := message.get("body", b""):
                        self._chunks.append(body)
                        self._buffered += len(body)
                        if self._buffered >= self._high_water:
                            self._room.clear()
                    if self._error is None and not message.get("more_body", False):
                        self._ended = True
                    self._lock.notify_all()
                    if self._ended or self._error is not None:
                        return
        except BaseException as error:
            with self._lock:
                self._error = UnreadablePostError(f"the request body stopped: {error!r}")
                self._lock.notify_all()
            raise
        finally:
            self.done.set()

    def _take(self, size: int) -> bytes:
        """Up to `size` bytes of what has arrived (the lock is held and something is there)."""
        parts, got = [], 0
        while self._chunks and got < size:
            chunk = self._chunks.popleft()
            if got + len(chunk) > size:
                cut = size - got
                self._chunks.appendleft(chunk[cut:])
                chunk = chunk[:cut]
            parts.append(chunk)
            got += len(chunk)
        self._buffered -= got
        if self._buffered < self._high_water and not self._room.is_set():
            self._loop.call_soon_threadsafe(self._room.set)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _wait_for_bytes(self, wanted: int = 1) -> None:
        """Until `wanted` bytes are there (at most the high-water mark) or the body has ended.
        Like a file's read: the multipart parser asking for 1 MiB gets 1 MiB, not each 64 KiB
        message in its own round of boundary search and handler calls."""
        if threading.get_ident() == self._loop_thread:
            raise RuntimeError("a streamed request body is read from a worker thread only")
        wanted = max(1, min(wanted, self._high_water))
        while self._buffered < wanted and not self._ended and self._error is None:
            self._lock.wait()
        if not self._chunks and self._error is not None:
            raise self._error

    def read(self, size: int = -1) -> bytes:
        with self._lock:
            if size is None or size < 0:
                parts: list[bytes] = []
                while True:
                    self._wait_for_bytes()
                    if not self._chunks:
                        return b"".join(parts)
                    parts.append(self._take(self._buffered))
            self._wait_for_bytes(size)
            return self._take(size) if self._chunks else b""

    def readline(self, size: int = -1) -> bytes:
        line = b""
        while not line.endswith(b"\n") and (size < 0 or len(line) < size):
            byte = self.read(1)
            if not byte:
                break
            line += byte
        return line

    def close(self) -> None:
        if not self._task.done():
            self._task.cancel()


_stream: contextvars.ContextVar[BodyStream | None] = contextvars.ContextVar(
    "samdrift_body_stream", default=None
)
_length: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "samdrift_body_length", default=None
)


class StreamingASGIHandler(ASGIHandler):
    """ASGIHandler whose large bodies reach the view as a `BodyStream` while they arrive."""

    # Django cuts every response chunk into 64 KiB ASGI messages, each one awaited through the
    # server's flow control: a 1 MiB download chunk was 16 sends. Sent whole it is one.
    chunk_size = 1024 * 1024

    async def read_body(self, receive: Receive) -> Any:
        if not _streams(_declared_length()):
            return await super().read_body(receive)
        stream = BodyStream(receive)
        _stream.set(stream)
        return stream

    async def handle(self, scope: Any, receive: Receive, send: Any) -> None:
        token = _length.set(_content_length(scope))
        try:
            async with request_threads.lent():  # the thread and its connection are kept
                await super().handle(scope, receive, send)
        finally:
            _length.reset(token)
            _stream.set(None)

    async def listen_for_disconnect(self, receive: Receive) -> None:
        stream = _stream.get()
        if stream is not None:  # the stream owns receive() until the body has ended
            await stream.done.wait()
            if stream.aborted:
                raise RequestAborted()
        await super().listen_for_disconnect(receive)


def _declared_length() -> int | None:
    return _length.get()


def _content_length(scope: Any) -> int | None:
    for name, value in scope.get("headers") or []:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _streams(length: int | None) -> bool:
    return length is not None and length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE


def get_streaming_asgi_application() -> StreamingASGIHandler:
    """Like `django.core.asgi.get_asgi_application`, with streamed request bodies."""
    import django

    django.setup(set_prefix=False)
    return StreamingASGIHandler()
