"""Refuse an over-large request body before reading it (issue 19 item 10).

The upload handlers cap what is written to disk, but the multipart parser still reads every byte
the client sends: a 300 MB upload was read in full before the 50 MB limit answered. Here the
declared `Content-Length` is compared with the path's limit first (413 at once, nothing read),
and under ASGI — where Django reads the whole body before any middleware runs — the body is
counted as it arrives and reading stops at the limit, also for chunked bodies without a length.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

MIB = 1024 * 1024
# A multipart body is the file plus boundaries and the other fields: allow that much on top.
MULTIPART_ALLOWANCE = MIB

SWEDISH = "Förfrågan är för stor: högst {mb} MB."
ENGLISH = "The request is too large: at most {mb} MB."


def limit_for(path: str) -> int:
    """The largest body accepted on `path`: the longest matching prefix in
    SAMDRIFT_REQUEST_LIMITS, else the file store's limit, each with the multipart allowance."""
    limits: dict[str, int] = getattr(settings, "SAMDRIFT_REQUEST_LIMITS", {})
    prefixes = [p for p in limits if path.startswith(p)]
    base = (
        limits[max(prefixes, key=len)]
        if prefixes
        else int(getattr(settings, "SAMDRIFT_FILES_MAX_BYTES", 100 * MIB))
    )
    return base + MULTIPART_ALLOWANCE


def _body(path: str, limit: int) -> tuple[bytes, str]:
    mb = (limit - MULTIPART_ALLOWANCE) // MIB  # the limit people were told
    sv, en = SWEDISH.format(mb=mb), ENGLISH.format(mb=mb)
    if path.startswith("/api/"):  # the API's own error shape (samdrift.core.api)
        body = {"code": "too_large", "message": sv, "message_sv": sv, "message_en": en}
        return json.dumps(body, ensure_ascii=False).encode(), "application/json"
    return f"{sv}\n{en}\n".encode(), "text/plain; charset=utf-8"


def _declared_length(value: str | bytes | None) -> int | None:
    try:
        return int(value) if value not in (None, "", b"") else None
    except ValueError:
        return None


class RequestSizeLimitMiddleware:
    """Django middleware (WSGI, tests): 413 by Content-Length before the body is touched. Under
    WSGI Django reads at most Content-Length bytes, so an honest length bounds the reading."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = limit_for(request.path)
        length = _declared_length(request.META.get("CONTENT_LENGTH"))
        if length is not None and length > limit:
            body, content_type = _body(request.path, limit)
            if content_type == "application/json":
                response: HttpResponse = JsonResponse(
                    json.loads(body), status=413, json_dumps_params={"ensure_ascii": False}
                )
            else:
                response = HttpResponse(body, status=413, content_type=content_type)
            response["Connection"] = "close"  # the unread body is not drained
            return response
        return self.get_response(request)


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class _TooLarge(Exception):
    pass


def limit_request_size(app: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """ASGI wrapper for HTTP: 413 by Content-Length before reading, else stop reading the body
    as soon as it passes the limit (the application never sees the rest)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        path = scope.get("path", "")
        limit = limit_for(path)
        headers = dict(scope.get("headers") or [])
        length = _declared_length(headers.get(b"content-length"))

        async def refuse() -> None:
            body, content_type = _body(path, limit)
            await send(
                {
                    "type": "http.response.start",
                    "status": 413,
                    "headers": [
                        (b"content-type", content_type.encode()),
                        (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})

        if length is not None and length > limit:
            return await refuse()
        received = 0

        async def counting_receive() -> MutableMapping[str, Any]:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        try:
            await app(scope, counting_receive, send)
        except _TooLarge:
            await refuse()

    return wrapped
