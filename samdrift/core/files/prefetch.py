"""A download's first read started early (ADR 0669).

The storage request of a download (S3: ~3 ms to the first byte here) and its first chunk are
read in a worker thread from the moment the caller may send the file, while it still records the
read and the answer passes back through the middleware; `file_response` takes over what was
read. A prefetch nobody takes is closed once its read is done.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from .models import StoredFile
from .services import open_for_download

_first_reads = ThreadPoolExecutor(max_workers=8, thread_name_prefix="file-first-read")
_PREFETCHED = "_samdrift_prefetched_download"

Started = tuple[Iterator[bytes], "Future[bytes | None]"]


def prefetch(stored: StoredFile) -> StoredFile:
    """Start reading `stored` for its download now. Call it only once the caller may send the
    file (after its access check)."""
    if _PREFETCHED not in stored.__dict__:
        stored.__dict__[_PREFETCHED] = start(open_for_download(stored))
    return stored


def start(chunks: Iterator[bytes]) -> Started:
    """The chunks, with their first one being read in a worker thread."""
    return chunks, _first_reads.submit(next_chunk, chunks)


def take(stored: StoredFile) -> Started | None:
    """What `prefetch` started for `stored`, once; None when nothing was."""
    started: Started | None = stored.__dict__.pop(_PREFETCHED, None)
    return started


def drop(started: Started) -> None:
    """A prefetch that is not needed after all (a 304): closed once its read is done."""
    chunks, first = started
    first.add_done_callback(lambda _done: _close(chunks))


def next_chunk(chunks: Iterator[bytes]) -> bytes | None:
    return next(chunks, None)


def _close(chunks: Iterator[bytes]) -> None:
    close = getattr(chunks, "close", None)
    if close is not None:
        close()
