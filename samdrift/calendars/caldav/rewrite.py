"""Radicale's answers made a scheduling server's (RFC 6638, ADR 0648).

Radicale speaks CalDAV without scheduling; samdrift schedules on the server (ADR 0646). After
Radicale has answered, this adds what a calendar program looks for: `calendar-auto-schedule` in
the DAV header; the principal's scheduling properties in a PROPFIND of its home; and the
Schedule-Tag of a scheduling object, as a header on GET, HEAD and PUT and as the `schedule-tag`
property in PROPFIND and REPORT answers that ask for it.
"""

from __future__ import annotations

import gzip
import io
import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import quote, unquote

from radicale.xmlutils import make_clark

from samdrift.accounts.selectors import user_by_id

from .. import selectors
from . import context, mailboxes, multistatus
from .rights import reachable

OBJECT = re.compile(r"^/(?P<user>[^/]+)/(?P<slug>[^/]+)/(?P<href>[^/]+)$")
SCHEDULE_TAG = make_clark("C:schedule-tag")
# PROPFIND and REPORT bodies are a few kilobytes; above this nobody asks for schedule-tag.
PEEK_BYTES = 256 * 1024

Headers = list[tuple[str, str]]


def peek_body(environ: dict[str, Any]) -> bytes:
    """A PROPFIND's or REPORT's body, read here and put back for Radicale to read again."""
    if environ.get("REQUEST_METHOD") not in ("PROPFIND", "REPORT"):
        return b""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return b""
    if not 0 < length <= PEEK_BYTES:
        return b""
    body: bytes = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def scheduling(
    environ: dict[str, Any], status: str, headers: Headers, body: list[bytes], asked: bytes
) -> Headers:
    """Radicale's answer with the scheduling additions; `body` is rewritten in place, the
    headers are returned. `asked` is the request body `peek_body` kept."""
    request = context.state()
    method = environ.get("REQUEST_METHOD")
    headers = [(n, mailboxes.dav_header(v) if n.lower() == "dav" else v) for n, v in headers]
    if request.login is None or not request.principal:
        return headers
    if method in ("GET", "HEAD", "PUT") and status[:1] == "2":
        tag = _tag_of(environ["PATH_INFO"])
        return [*headers, ("Schedule-Tag", tag)] if tag else headers
    if not status.startswith("207"):
        return headers
    principal_asked = method == "PROPFIND" and environ["PATH_INFO"].strip("/") in (
        "",
        request.principal,
    )
    if not principal_asked and b"schedule-tag" not in asked:
        return headers
    raw = b"".join(body)
    if {n.lower(): v for n, v in headers}.get("content-encoding") == "gzip":
        raw = gzip.decompress(raw)  # Radicale compresses for clients that accept it
    home = f"{environ.get('SCRIPT_NAME', '')}/{quote(request.principal)}/"
    if principal_asked:
        user = user_by_id(request.login.actor.user_id)
        raw = mailboxes.with_principal_properties(
            raw, home=home, email=(user.email if user else "") or ""
        )
    if b"schedule-tag" in asked:
        raw = _with_schedule_tags(raw, environ.get("SCRIPT_NAME", ""))
    body[:] = [raw]
    return [
        (name, str(len(raw)) if name.lower() == "content-length" else value)
        for name, value in headers
        if name.lower() != "content-encoding"
    ]


def _tag_of(path: str) -> str:
    match = OBJECT.match(path)
    if match is None:
        return ""
    known = context.state().schedule_tags.get(f"{match['slug']}/{unquote(match['href'])}")
    if known is not None:  # the row the storage plug-in read or wrote for this request
        return known
    access = selectors.by_slug(reachable(), match["slug"])
    if access is None:
        return ""
    row = selectors.object_get(access.calendar, unquote(match["href"]))
    return row.schedule_tag if row is not None else ""


def _with_schedule_tags(raw: bytes, base: str) -> bytes:
    """`schedule-tag` filled for each listed scheduling object: one query per calendar."""
    root = multistatus.parse(raw)
    wanted: dict[str, list[tuple[str, ET.Element]]] = {}
    for href, response in multistatus.responses(root):
        match = OBJECT.match(href.removeprefix(base))
        if match is not None:
            wanted.setdefault(match["slug"], []).append((match["href"], response))
    for slug, listed in wanted.items():
        access = selectors.by_slug(reachable(), slug)
        if access is None:
            continue
        rows = selectors.objects_by_href(access.calendar, [name for name, _ in listed])
        for name, response in listed:
            row = rows.get(name)
            if row is not None and row.schedule_tag:
                multistatus.fill_missing(response, {SCHEDULE_TAG: _text(row.schedule_tag)})
    return multistatus.serialise(root)


def _text(value: str) -> multistatus.Fill:
    def fill(element: ET.Element) -> None:
        element.text = value

    return fill
