"""Per-address rate limits on the public protocol endpoints, and the client address for the
security log (issue 19 item 1, ADR 0061).

OCSP, the timestamp authority and the OpenID endpoints answer anyone. Each address gets a budget
per kind and window (`SAMDRIFT_PUBLIC_RATE_LIMITS`, counted in the cache: per process with the
local-memory cache, shared with Redis); past it the answer is 429 with `Retry-After` and a body in
Swedish and English, before any view, session or database work.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from samdrift.core.i18n import in_both_languages

from .context import serving

#: Which paths are public protocol endpoints, and the kind their budget is counted under.
PUBLIC_PATHS: tuple[tuple[str, str], ...] = (
    ("/efos/ocsp", "ocsp"),
    ("/efos/tsa", "tsa"),
    ("/efos/authorize", "oidc"),
    ("/efos/token", "oidc"),
    ("/efos/userinfo", "oidc"),
    ("/identity/callback/", "oidc"),
)
DEFAULT_LIMITS = {"ocsp": (600, 60), "tsa": (120, 60), "oidc": (60, 60)}
TOO_MANY = _("Too many requests from your address. Try again in %(seconds)s seconds.")


def kind_of(path: str) -> str | None:
    return next((kind for prefix, kind in PUBLIC_PATHS if path.startswith(prefix)), None)


def _limits(kind: str) -> tuple[int, int]:
    configured = getattr(settings, "SAMDRIFT_PUBLIC_RATE_LIMITS", {}) or {}
    requests, seconds = configured.get(kind, DEFAULT_LIMITS[kind])
    return int(requests), int(seconds)


def over_limit(kind: str, address: str) -> int:
    """0 if the call is within the budget, else the seconds until the window ends."""
    allowed, seconds = _limits(kind)
    now = int(time.time())
    window = now - now % seconds
    key = f"samdrift:rate:{kind}:{address}:{window}"
    cache.add(key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds + 1)
        count = 1
    return 0 if count <= allowed else max(1, window + seconds - now)


def too_many_requests(retry_after: int) -> HttpResponse:
    both = in_both_languages(TOO_MANY, {"seconds": retry_after})
    body = {
        "code": "rate_limited",
        "message": f"{both['sv']} / {both['en']}",
        "message_sv": both["sv"],
        "message_en": both["en"],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=429, content_type="application/json"
    )
    response["Retry-After"] = str(retry_after)
    return response


class PublicRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = str(request.META.get("REMOTE_ADDR") or "-")
        kind = kind_of(request.path_info)
        if kind is not None:
            retry_after = over_limit(kind, address)
            if retry_after:
                return too_many_requests(retry_after)
        with serving(address):
            return self.get_response(request)
