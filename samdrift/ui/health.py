"""`/healthz`: the liveness check, and the benchmark's baseline for "a trivial view".

It answers "ok" without touching the database or the session, so a load balancer can ask it
without logging in, and `bench/bench_pages.py` can divide every page's time by it: the ratio is
what the page itself costs on top of the server, middleware and network of the same run.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
