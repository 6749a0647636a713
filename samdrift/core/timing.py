"""`Server-Timing: app;dur=…` on every answer, for benchmarks (SAMDRIFT_SERVER_TIMING=1 only).

The page bench times each request twice: at the client, and as the application's own time, which
it reads from this header (uvicorn workers write no gunicorn access log with request times). Off
by default: the header would tell any visitor how long the server worked on their request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        began = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - began) * 1000:.3f}"
        return response
