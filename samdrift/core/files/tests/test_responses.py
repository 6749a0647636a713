"""The download response: headers, conditional requests, and streaming under WSGI and ASGI."""

from __future__ import annotations

import hashlib
import io
import os
import time

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncRequestFactory, RequestFactory

from samdrift.core.actor import SYSTEM
from samdrift.core.files import prefetch, services
from samdrift.core.files.responses import file_response

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture
def stored(local_backend):
    body = os.urandom(3 * MB + 1)
    return services.store(
        io.BytesIO(body), "Årsrapport.pdf", "application/pdf", actor=SYSTEM, owner_org_id=1
    ), body


def test_headers_of_a_download(stored):
    stored_file, body = stored
    response = file_response(stored_file, RequestFactory().get("/"))
    assert response["Content-Length"] == str(len(body))
    assert response["ETag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith('attachment; filename="Arsrapport.pdf"')
    assert response["Content-Type"] == "application/pdf"
    assert not response.is_async  # type: ignore[attr-defined]
    assert b"".join(response) == body


def test_a_matching_etag_answers_304_without_a_body(stored):
    stored_file, _body = stored
    request = RequestFactory().get("/", headers={"If-None-Match": f'W/"{stored_file.sha256}"'})
    response = file_response(stored_file, request)
    assert response.status_code == 304
    assert response.content == b""  # type: ignore[attr-defined]


def test_under_asgi_the_body_streams_as_an_async_iterator(stored):
    # Django buffers a sync iterator whole before an ASGI server sends it; ours must be async.
    stored_file, body = stored
    response = file_response(stored_file, AsyncRequestFactory().get("/"))
    assert response.is_async  # type: ignore[attr-defined]

    async def consume() -> list[bytes]:
        return [chunk async for chunk in response]  # type: ignore[attr-defined]

    chunks = async_to_sync(consume)()
    assert len(chunks) == 4  # 1 MiB pieces, not one buffer
    assert b"".join(chunks) == body


class CountedReads:
    """storage.read_chunks, counting the reads begun and the chunks read, and noting closes."""

    def __init__(self, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        self.started = self.chunks = self.closed = 0
        self._read = services.storage.read_chunks
        monkeypatch.setattr(services.storage, "read_chunks", self)

    def __call__(self, key: str):  # type: ignore[no-untyped-def]
        self.started += 1
        try:
            for chunk in self._read(key):
                self.chunks += 1
                yield chunk
        finally:
            self.closed += 1


@pytest.mark.parametrize("factory", [RequestFactory, AsyncRequestFactory], ids=["wsgi", "asgi"])
def test_a_prefetched_download_reads_once_and_sends_every_byte(stored, monkeypatch, factory):
    stored_file, body = stored
    reads = CountedReads(monkeypatch)
    prefetch.prefetch(stored_file)
    prefetch.prefetch(stored_file)  # a second call starts nothing new
    response = file_response(stored_file, factory().get("/"))

    async def consume() -> bytes:
        return b"".join([chunk async for chunk in response])  # type: ignore[attr-defined]

    sent = async_to_sync(consume)() if response.is_async else b"".join(response)  # type: ignore[attr-defined]
    assert sent == body
    assert reads.started == 1 and reads.chunks == 4


def test_a_prefetch_not_needed_for_a_304_is_closed(stored, monkeypatch):
    stored_file, _body = stored
    reads = CountedReads(monkeypatch)
    prefetch.prefetch(stored_file)
    request = RequestFactory().get("/", headers={"If-None-Match": f'"{stored_file.sha256}"'})
    assert file_response(stored_file, request).status_code == 304
    deadline = time.monotonic() + 5
    while not reads.closed and time.monotonic() < deadline:
        time.sleep(0.01)
    assert reads.closed == 1 and reads.chunks == 1  # the first chunk only, then closed
