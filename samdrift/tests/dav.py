"""One WebDAV request through the whole `/dav/` application (app-password authentication,
WsgiDAV, samdrift's provider) as an in-process WSGI call, inside the test's own database
transaction: for tests that check answers and query counts without a server."""

from __future__ import annotations

import base64
import io
import sys
from typing import Any


def dav_call(
    method: str,
    path: str,
    username: str,
    secret: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    caldav: bool = False,
    answer_headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    """The status and body of `method path` as `username` with the app password `secret`, at
    WebDAV (`/dav/`) or with `caldav` at CalDAV (`/caldav/`); a PROPFIND asks for Depth 1 (the
    folder and its members). `headers` are added as sent; `answer_headers`, when given, gets
    the answer's."""
    from samdrift.calendars.caldav.app import caldav_wsgi_application
    from samdrift.collaboration.webdav.app import dav_wsgi_application

    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[Any], exc_info: Any = None) -> None:
        answer["status"] = int(status.split()[0])
        if answer_headers is not None:
            answer_headers.update(headers)

    basic = base64.b64encode(f"{username}:{secret}".encode()).decode()
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "HTTP_AUTHORIZATION": f"Basic {basic}",
        **({"HTTP_DEPTH": "1"} if method == "PROPFIND" else {}),
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        **{
            ("" if name.lower() == "content-type" else "HTTP_")
            + name.upper().replace("-", "_"): value
            for name, value in (headers or {}).items()
        },
    }
    if caldav:
        environ["SCRIPT_NAME"], environ["PATH_INFO"] = "", "/caldav" + path
    app = (caldav_wsgi_application if caldav else dav_wsgi_application)(own_connections=False)
    content = b"".join(app(environ, start_response))
    return answer["status"], content.decode("utf-8", "replace")
