"""The browser tests' live server, one request at a time on SQLite.

Django's `LiveServerThread` serves each request in a thread of its own. On SQLite the test
database is in memory, shared between connections (pytest-django's session-wide live server is
made before that database, so each request thread opens a connection of its own to it). Two
requests at once (an invoice's correction and the browser's request for the favicon) then
deadlocked inside SQLite: both threads waited in `execute`, and a CI rehearsal hung for over
twenty minutes in `billing/tests/test_correcting_browser.py`. On SQLite the live server now
handles its requests one after the other in its own thread; Django's plain `WSGIServer`
answers with `Connection: close`, so no idle keep-alive connection holds it. On PostgreSQL
every thread has a real connection of its own and the threaded server stays.
"""

from __future__ import annotations

from typing import Any

from django.core.servers.basehttp import WSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

_threaded = LiveServerThread._create_server


class _OneRequestAtATime(WSGIServer):
    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        # any overriding connections are the server thread's already (`LiveServerThread.run`)
        super().__init__(*args, **kwargs)


def _create_server(self: LiveServerThread, connections_override: Any = None) -> Any:
    if connections["default"].vendor != "sqlite":  # a real connection per thread: threaded
        return _threaded(self, connections_override=connections_override)
    return _OneRequestAtATime(
        (self.host, self.port),
        QuietWSGIRequestHandler,
        allow_reuse_address=False,
        connections_override=connections_override,
    )


def install() -> None:
    LiveServerThread._create_server = _create_server  # type: ignore[method-assign]
