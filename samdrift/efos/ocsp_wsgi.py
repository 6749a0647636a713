"""A lean WSGI application that only answers OCSP (`samdrift efos ocsp-serve`).

OCSP responders are usually run apart from the web application: they must stay up when it is
busy, and each answer is tiny. This app answers exactly what /efos/ocsp answers (same code, same
database rows, same responder key), without URL routing, sessions, CSRF, locale or templates in
the way (ADR 0302). POST `/` or `/efos/ocsp` with `application/ocsp-request`, or GET
`/<base64>` / `/efos/ocsp/<base64>` (RFC 6960 §A.1).
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
django.setup()

from cryptography.x509 import ocsp as x509_ocsp  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402

from samdrift.audit.context import serving  # noqa: E402
from samdrift.audit.middleware import over_limit, too_many_requests  # noqa: E402
from samdrift.efos.ca.revocation import unsuccessful  # noqa: E402
from samdrift.efos.ocsp import MAX_OCSP_REQUEST, answer_ocsp  # noqa: E402

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
OCSP_TYPE = "application/ocsp-response"


def _reply(
    start_response: StartResponse, status: str, body: bytes, content_type: str = OCSP_TYPE
) -> Iterable[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    # The same per-address budget and security log as /efos/ocsp on the page stack (ADR 0061).
    address = str(environ.get("REMOTE_ADDR") or "-")
    retry_after = over_limit("ocsp", address)
    if retry_after:
        refused = too_many_requests(retry_after)
        start_response("429 Too Many Requests", list(refused.items()))
        return [refused.content]
    with serving(address):
        return _answer(environ, start_response)


def _answer(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    if not connection.in_atomic_block:  # what Django does around each request (not inside a test)
        close_old_connections()
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "/")
    if method == "POST":
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= 0 or length > MAX_OCSP_REQUEST:
            body = unsuccessful(x509_ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
        else:
            body = answer_ocsp(environ["wsgi.input"].read(length))
        return _reply(start_response, "200 OK", body)
    if method == "GET":
        encoded = path.removeprefix("/efos/ocsp").lstrip("/")
        if not encoded:
            return _reply(start_response, "404 Not Found", b"", "text/plain")
        try:
            der = base64.b64decode(unquote(encoded))
        except (binascii.Error, ValueError):
            der = b""
        return _reply(start_response, "200 OK", answer_ocsp(der))
    return _reply(start_response, "405 Method Not Allowed", b"", "text/plain")
