"""Over-large bodies are refused before they are read (issue 19 item 10): by Content-Length in the
Django middleware, and under ASGI also by counting as the body arrives."""

from __future__ import annotations

import asyncio
import io
import json

import pytest
from django.test import RequestFactory

from samdrift.core.request_limit import RequestSizeLimitMiddleware, limit_for, limit_request_size

MIB = 1024 * 1024


class Untouchable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the body was read")

    readline = read  # type: ignore[assignment]


@pytest.fixture
def limits(settings):
    settings.SAMDRIFT_FILES_MAX_BYTES = 100 * MIB
    settings.SAMDRIFT_REQUEST_LIMITS = {
        "/api/v1/accessibility/": 50 * MIB,
        "/accessibility/": 50 * MIB,
    }


def test_the_checker_has_its_50_mb_limit_and_other_paths_the_file_limit(limits):
    assert limit_for("/api/v1/accessibility/check") == 51 * MIB
    assert limit_for("/cases/1/attachments") == 101 * MIB


@pytest.mark.parametrize("path", ["/api/v1/accessibility/check", "/accessibility/"])
def test_a_300_mb_content_length_is_refused_without_reading(limits, path):
    request = RequestFactory().generic("POST", path, content_type="multipart/form-data; boundary=x")
    request.META["CONTENT_LENGTH"] = str(300 * MIB)
    request.META["wsgi.input"] = Untouchable()
    reached = []
    response = RequestSizeLimitMiddleware(lambda r: reached.append(r))(request)
    assert response.status_code == 413 and not reached
    text = response.content.decode()
    assert "för stor" in text and "too large" in text
    if path.startswith("/api/"):
        assert json.loads(response.content)["code"] == "too_large"


def test_a_body_under_the_limit_passes(limits):
    request = RequestFactory().post("/api/v1/accessibility/check", data=b"x" * 1000,
                                    content_type="application/octet-stream")  # fmt: skip
    response = RequestSizeLimitMiddleware(lambda r: "passed")(request)
    assert response == "passed"


def _run_asgi(headers, chunks, path="/api/v1/accessibility/check"):
    """Drive the wrapper as uvicorn would; return the response status and chunks consumed."""
    consumed, sent = [], []

    async def receive():
        chunk = chunks[len(consumed)]
        consumed.append(chunk)
        return {"type": "http.request", "body": chunk, "more_body": len(consumed) < len(chunks)}

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):  # reads the whole body, as Django's handler does
        more = True
        while more:
            more = (await receive())["more_body"]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    scope = {"type": "http", "path": path, "headers": headers}
    asyncio.run(limit_request_size(app)(scope, receive, send))
    return sent[0]["status"], len(consumed)


def test_asgi_refuses_by_content_length_before_reading(limits):
    chunks = [b"x" * MIB] * 300
    status, consumed = _run_asgi([(b"content-length", str(300 * MIB).encode())], chunks)
    assert (status, consumed) == (413, 0)


def test_asgi_stops_reading_a_chunked_body_at_the_limit(limits):
    chunks = [b"x" * MIB] * 300  # no Content-Length: a chunked upload of 300 MB
    status, consumed = _run_asgi([], chunks)
    assert status == 413 and consumed == 52  # 51 MiB allowed, the 52nd chunk passes it


def test_asgi_passes_a_body_under_the_limit(limits):
    status, consumed = _run_asgi([], [b"x" * MIB] * 3)
    assert (status, consumed) == (200, 3)


@pytest.mark.django_db
def test_installed_the_checker_api_answers_413_by_declared_length(client):
    """Through the whole middleware stack: no login needed to be refused, nothing read."""
    response = client.post("/api/v1/accessibility/check", data=b"x" * 10,
                           content_type="application/pdf", CONTENT_LENGTH=str(300 * MIB))  # fmt: skip
    assert response.status_code == 413
    assert json.loads(response.content)["message_en"].startswith("The request is too large")
