"""A stored file as an HTTP download: streamed, checksum-verified, never rendered by the browser.

Content-Disposition carries the name twice (RFC 6266): an ASCII fallback for old clients and
`filename*` in UTF-8 for everyone else, so "Beslut åäö.pdf" arrives with its letters. ETag is the
SHA-256, so an unchanged file answers a conditional request with 304 and no body.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import (
    HttpRequest,
    HttpResponseBase,
    HttpResponseNotModified,
    StreamingHttpResponse,
)

from . import prefetch
from .models import StoredFile
from .services import open_for_download


def content_disposition(name: str) -> str:
    ascii_name = (
        unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().replace('"', "")
        or "download"
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def etag_of(stored: StoredFile) -> str:
    return f'"{stored.sha256}"'


def file_response(stored: StoredFile, request: HttpRequest | None = None) -> HttpResponseBase:
    """The download of `stored`. Streams in chunks (WSGI servers send them as they come)."""
    etag = etag_of(stored)
    prefetched = prefetch.take(stored)
    if request is not None and etag in _if_none_match(request):
        if prefetched is not None:
            prefetch.drop(prefetched)
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        return not_modified
    # Under ASGI Django buffers a *sync* iterator whole before sending (and under WSGI an async
    # one): give each server the kind it streams. Under ASGI the first read starts now.
    content: AsyncIterator[bytes] | Iterator[bytes]
    if isinstance(request, ASGIRequest):
        content = _async(*(prefetched or prefetch.start(open_for_download(stored))))
    else:
        content = _sync(*(prefetched or (open_for_download(stored), None)))
    response = StreamingHttpResponse(content, content_type=stored.content_type)
    response["Content-Length"] = str(stored.size)
    response["Content-Disposition"] = content_disposition(stored.name)
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _if_none_match(request: HttpRequest) -> set[str]:
    header = request.headers.get("If-None-Match", "")
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}


def _sync(chunks: Iterator[bytes], first: Future[bytes | None] | None) -> Iterator[bytes]:
    if first is not None and (chunk := first.result()) is not None:
        yield chunk
    yield from chunks


async def _async(chunks: Iterator[bytes], first: Future[bytes | None]) -> AsyncIterator[bytes]:
    """Each chunk read in a worker thread (storage reads block; they touch no database), the
    next one already being read while this one is sent (ADR 0050): reading from storage and
    sending to the client overlap, and at most two chunks are held. The first read was started
    when the response was made, or before (`prefetch`)."""
    read = sync_to_async(prefetch.next_chunk, thread_sensitive=False)
    ahead: asyncio.Future[bytes | None] = asyncio.wrap_future(first)
    try:
        while (chunk := await ahead) is not None:
            ahead = asyncio.ensure_future(read(chunks))
            yield chunk
    finally:
        if not ahead.done():
            ahead.cancel()
