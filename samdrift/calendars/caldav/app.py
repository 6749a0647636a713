"""CalDAV at `/caldav/`: Radicale, embedded, with samdrift's plug-ins (ADR 0640).

Radicale is a WSGI application; a2wsgi runs it in a thread pool beside Django, as WsgiDAV is run
for `/dav/`. Its behaviour is kept as it is: samdrift configures it and plugs in authentication
(app passwords), rights (samdrift's permissions) and storage (samdrift's database). A write the
services refuse comes back from Radicale as a bare 400; the mount answers with samdrift's status
and its reason in Swedish and English instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from a2wsgi import WSGIMiddleware
from django.db import close_old_connections
from radicale import Application, config

from samdrift.audit.context import serving

from ..ical import MAX_OBJECT_BYTES
from . import context, mailboxes, rewrite

MOUNT = "/caldav"
WELL_KNOWN = "/.well-known/caldav"


def radicale_configuration() -> config.Configuration:
    configuration = config.load()
    configuration.update(
        {
            "auth": {
                "type": "samdrift.calendars.caldav.auth",
                "realm": "SAFOS",
                "lc_username": "True",
                "delay": "1",
                "cache_logins": "False",
            },
            "rights": {
                "type": "samdrift.calendars.caldav.rights",
                "permit_delete_collection": "False",
                "permit_overwrite_collection": "False",
            },
            "storage": {"type": "samdrift.calendars.caldav.storage"},
            "web": {"type": "none"},
            "hook": {"type": "none"},
            "sharing": {"type": "none"},
            "server": {
                # A request body above this is refused before it is read (the 10 MB
                # event); Radicale caps one resource at 80 % of it.
                "max_content_length": str(MAX_OBJECT_BYTES * 2),
                "max_resource_size": str(MAX_OBJECT_BYTES),
            },
            "logging": {"level": "warning", "mask_passwords": "True"},
        },
        "samdrift",
        privileged=True,
    )
    return configuration


def _with_refusal(start_response: Any, request: context.RequestState) -> tuple[Any, list[Any]]:
    """Holds Radicale's answer until it is known whether a service refused the request."""
    held: list[Any] = []

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        held[:] = [status, headers, exc_info]
        return lambda _data: None

    return start, held


def caldav_wsgi_application(*, own_connections: bool = True) -> Callable[..., Iterable[bytes]]:
    radicale = Application(radicale_configuration())
    tidy = close_old_connections if own_connections else (lambda: None)

    def application(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == WELL_KNOWN or path.startswith(WELL_KNOWN + "/"):
            start_response("301 Moved Permanently", [("Location", MOUNT + "/")])
            return
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + MOUNT
        environ["PATH_INFO"] = path[len(MOUNT) :] or "/"
        token = context.begin(environ)
        tidy()
        try:
            with serving(str(environ.get("REMOTE_ADDR") or "-")):
                request = context.state()
                mailbox = mailboxes.mailbox_of(environ["PATH_INFO"])
                if mailbox is not None:  # RFC 6638's inbox and outbox (ADR 0648)
                    status, headers, answer = mailboxes.answer(environ, mailbox)
                    start_response(status, headers)
                    yield answer
                    return
                asked = rewrite.peek_body(environ)
                start, held = _with_refusal(start_response, request)
                body = list(radicale(environ, start))
                status, headers, exc_info = held
                headers = rewrite.scheduling(environ, status, headers, body, asked)
                if request.refusal is not None and status.startswith("400"):
                    code, text = request.refusal
                    reason = {403: "Forbidden", 412: "Precondition Failed"}.get(code, "Bad Request")
                    start_response(
                        f"{code} {reason}",
                        [("Content-Type", "text/plain; charset=utf-8")],
                    )
                    yield text.encode("utf-8")
                    return
                start_response(status, headers, exc_info)
                yield from body
        finally:
            tidy()
            context.end(token)

    return application


def mount_caldav(next_app: Any, *, workers: int = 10) -> Any:
    """An ASGI application that sends `/caldav…` and `/.well-known/caldav` to Radicale and the
    rest on."""
    caldav = WSGIMiddleware(caldav_wsgi_application(), workers=workers)

    async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (
            path == MOUNT or path.startswith(MOUNT + "/") or path.startswith(WELL_KNOWN)
        ):
            await caldav(scope, receive, send)  # type: ignore[arg-type]
            return
        await next_app(scope, receive, send)

    return application
