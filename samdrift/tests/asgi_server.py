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


@contextmanager
def asgi_server() -> Iterator[str]:
    """Serve `config.asgi` on a free port of 127.0.0.1; yields its base URL."""
    from config.asgi import application, django_application

    app = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(django_application),
            "websocket": application.application_mapping["websocket"],
        }
    )
    with serve(app, ws="websockets") as url:
        yield url


@contextmanager
def serve(app: Any, *, ws: str = "none") -> Iterator[str]:
    """Serve any ASGI `app` on a free port of 127.0.0.1 in a thread; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
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
        thread.join(timeout=10)
        sock.close()
