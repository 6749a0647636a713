"""The browser tests' live server (`samdrift.tests.live_server`): on SQLite (an in-memory test
database shared between connections) it serves one request at a time and closes each
connection; on PostgreSQL, where every thread has a connection of its own, it stays threaded."""

from __future__ import annotations

import pytest
import requests
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection

from samdrift.tests.live_server import _OneRequestAtATime

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_live_server_shares_no_connection_between_requests_at_once(live_server):
    answer = requests.get(f"{live_server.url}/healthz", timeout=10)
    assert answer.status_code == 200
    server = live_server.thread.httpd
    if connection.vendor == "sqlite":
        assert isinstance(server, _OneRequestAtATime)
        assert not isinstance(server, ThreadedWSGIServer)
        assert answer.headers["Connection"] == "close"  # no idle keep-alive holds the server
    else:
        assert isinstance(server, ThreadedWSGIServer)
