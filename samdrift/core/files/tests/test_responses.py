"""The download response: headers, conditional requests, and streaming under WSGI and ASGI."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncRequestFactory, RequestFactory

from samdrift.core.actor import SYSTEM
from samdrift.core.files import services
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
