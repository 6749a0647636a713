"""Pages declare the level of assurance they need; officials below it are sent to step up.

    from samdrift.identity.stepup import requires_loa, LoaRequiredMixin, ensure_loa

    @requires_loa(3)
    def my_view(request): ...

    class MyView(LoaRequiredMixin, View):
        required_loa = 3

    # a level only known at run time (a service's or a workspace's requirement):
    if (response := ensure_loa(request, workspace.min_rank)) is not None:
        return response
    if (response := ensure_service_loa(request, service.pk)) is not None:
        return response

The level a session holds comes only from a verified ID token (`remember_login`); a password
login (development only) holds level 0 and so can open no page that declares a level.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from . import loa

SESSION_KEY = "identity_login"
STATES_KEY = "identity_states"
PENDING_KEY = "identity_pending"
MAX_PENDING_STATES = 5

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def session_login(request: HttpRequest) -> dict[str, Any]:
    data = request.session.get(SESSION_KEY)
    return data if isinstance(data, dict) else {}


def session_rank(request: HttpRequest) -> int:
    """The level this session was authenticated at; 0 without an e-ID login."""
    if not request.user.is_authenticated:
        return 0
    data = session_login(request)
    if data.get("user_id") != request.user.pk:
        return 0
    value = data.get("rank", 0)
    return value if isinstance(value, int) else 0


def remember_login(
    request: HttpRequest, *, acr: str, rank: int, provider: str, auth_time: int
) -> None:
    request.session[SESSION_KEY] = {
        "user_id": request.user.pk,
        "acr": acr,
        "rank": rank,
        "provider": provider,
        "auth_time": auth_time,
    }


def _with_query(url: str, params: dict[str, str]) -> str:
    return f"{url}?{urllib.parse.urlencode(params)}"


def _fresh_enough(request: HttpRequest, max_age: int | None) -> bool:
    if max_age is None:
        return True
    auth_time = session_login(request).get("auth_time")
    return isinstance(auth_time, int | float) and time.time() - auth_time <= max_age


def ensure_loa(
    request: HttpRequest, level: int, *, max_age: int | None = None
) -> HttpResponse | None:
    """None when the session meets `level` (and, with `max_age` seconds, the e-ID login is that
    recent); otherwise the redirect that lets the official log in (or in again, higher) and come
    back to this very page."""
    if not loa.MIN_RANK <= level <= loa.MAX_RANK:
        raise ValueError(f"level must be 1–4, not {level!r}")
    if session_rank(request) >= level and _fresh_enough(request, max_age):
        return None
    params = {"level": str(level), "next": request.get_full_path()}
    if not request.user.is_authenticated:
        return HttpResponseRedirect(_with_query(reverse("identity:login"), params))
    return HttpResponseRedirect(_with_query(reverse("identity:step_up"), params))


def ensure_service_loa(request: HttpRequest, service_id: int) -> HttpResponse | None:
    """Like `ensure_loa` with the level a catalogue service declares (None: no requirement)."""
    from .selectors import required_rank_for_service

    level = required_rank_for_service(service_id=service_id)
    return None if level is None else ensure_loa(request, level)


def requires_loa(level: int, *, max_age: int | None = None) -> Callable[[ViewFunc], ViewFunc]:
    """Decorator for a view function that needs at least `level` (1–4), optionally from an
    e-ID login no older than `max_age` seconds (for signing or other sensitive acts)."""
    if not loa.MIN_RANK <= level <= loa.MAX_RANK:
        raise ValueError(f"level must be 1–4, not {level!r}")

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = ensure_loa(request, level, max_age=max_age)
            return response if response is not None else view(request, *args, **kwargs)

        wrapped.required_loa = level  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


class LoaRequiredMixin:
    """For class-based views: set `required_loa`. Put it first among the bases."""

    required_loa: int = loa.MIN_RANK
    required_loa_max_age: int | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = ensure_loa(request, self.required_loa, max_age=self.required_loa_max_age)
        if response is not None:
            return response
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
