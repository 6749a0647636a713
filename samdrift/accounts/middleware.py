"""Attach the actor to every request, built at most once and only when used; and hold every page
of a service area to the level of assurance its service declares (ADR 0043)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from samdrift.core.tenancy import (
    LOGIN_SESSION_KEY,
    STEP_UP_LEVEL_ATTR,
    StepUpRequired,
    area_for_url,
    missing_rank,
    step_up_challenge,
    step_up_redirect,
)

from .models import User
from .selectors import actor_for_user


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


def session_loa_rank(request: HttpRequest) -> int:
    """The e-ID level this session's login was verified at (identity writes it after checking the
    ID token, ADR 0401); 0 without one, or when it was recorded for another user."""
    user = _user(request)
    session = getattr(request, "session", None)
    if user is None or session is None:
        return 0
    login = session.get(LOGIN_SESSION_KEY)
    if not isinstance(login, dict) or login.get("user_id") != user.pk:
        return 0
    rank = login.get("rank", 0)
    return rank if isinstance(rank, int) else 0


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = SimpleLazyObject(  # type: ignore[attr-defined]
            lambda: actor_for_user(_user(request), loa_rank=session_loa_rank(request))
        )
        response = self.get_response(request)
        if response.status_code == StepUpRequired.http_status:
            _challenge(request, response)
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        """A page of a service area with a level requirement: a weaker login steps up first,
        before the view reads anything, so the answer is the same for every id (ADR 0043)."""
        match = request.resolver_match
        if match is None:
            return None
        area = area_for_url(match.namespace, match.url_name or "")
        if area is None:
            return None
        level = missing_rank(request.actor, area)  # type: ignore[attr-defined]
        return None if level is None else step_up_redirect(request, level)


def _challenge(request: HttpRequest, response: HttpResponse) -> None:
    """Give the API's step-up answer its `WWW-Authenticate` challenge; config's error mapping
    builds the bilingual body (code `step_up_required`), the authenticator noted the level."""
    level = getattr(request, STEP_UP_LEVEL_ATTR, None)
    if isinstance(level, int):
        response["WWW-Authenticate"] = step_up_challenge(level)
