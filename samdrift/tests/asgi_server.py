"""samdrift's real ASGI application served by uvicorn in a thread of the test process, for tests
that need the WebSocket (pytest-django's `live_server` speaks WSGI only).

Same process, so the test database and the in-memory channel layer are the server's too. Static
files are served from the app folders, as `live_server` does.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from channels.routing import ProtocolTypeRouter
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from samdrift.core.lent_threads import close_idle_connections


@contextmanager
def asgi_server(port: int = 0) -> Iterator[str]:
    """Serve `config.asgi` on 127.0.0.1 (a free port unless one is named); yields its base URL."""
    from config.asgi import application, django_application

    app = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(django_application),
            "websocket": application.application_mapping["websocket"],
        }
    )
    with serve(app, ws="websockets", port=port) as url:
        yield url


@contextmanager
def serve(app: Any, *, ws: str = "none", port: int = 0) -> Iterator[str]:
    """Serve any ASGI `app` on 127.0.0.1 in a thread; yields its base URL. On leaving, the server
    stops without waiting for open connections (a WebSocket would hold it for ever)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart takes the same port
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", ws=ws))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.force_exit = True
        thread.join(timeout=10)
        sock.close()
        # Requests' threads are kept with their connections (ADR 0669): closed here, so none
        # outlives the test (PostgreSQL refuses to drop a test database that has sessions).
        close_idle_connections()
