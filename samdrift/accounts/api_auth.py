"""Who is calling the API: a personal token or the browser's session, and the request type
that carries the caller's actor to every endpoint.

Config's NinjaAPI uses both authenticators for every router; the endpoint that mints tokens
uses the session alone (a leaked token must not mint successors).
"""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from samdrift.audit.services import record_security_event
from samdrift.core import throttle
from samdrift.core.actor import Actor
from samdrift.core.exceptions import DomainError, PermissionDenied
from samdrift.core.tenancy import (
    STEP_UP_LEVEL_ATTR,
    StepUpRequired,
    area_for_api_path,
    missing_rank,
)

from .middleware import session_loa_rank
from .selectors import actor_for_token, actor_for_user
from .services import token_mark_used


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"


class LoginThrottled(DomainError):
    """Too many wrong tokens from this address: not authenticated, so a 401."""

    code = "login_throttled"
    http_status = 401


THROTTLED = _("Too many failed login attempts. Wait %(minutes)s minutes, then try again.")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer sd_…` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        # Wrong tokens are counted per address like failed logins (ADR 0038); a blocked address
        # is refused before the token is looked up, with a 401 every operation documents.
        address = str(request.META.get("REMOTE_ADDR") or "-")
        wait = throttle.wait_seconds(username=None, address=address)
        if wait:
            record_security_event("token_throttled", {"seconds": wait})
            raise LoginThrottled(THROTTLED, minutes=math.ceil(wait / 60))
        actor = actor_for_token(token)
        if actor is None:
            throttle.failed(username=None, address=address)
            record_security_event("token_failed")
            return None
        token_mark_used(secret=token)
        _hold_to_service_level(request, actor)
        return actor


class SessionAuth(APIKeyCookie):
    """The browser's session; Django's CSRF check applies to unsafe methods.

    The check runs only when the session does log someone in: a caller without one is simply
    unauthenticated (401), and a refused check answers with our error body, not ninja's."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked in authenticate, once we know there is a user

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise CsrfFailed(
                _(
                    "The request came with your login session but without its CSRF token. "
                    "Send the X-CSRFToken header, or use a personal API token."
                )
            )
        actor = actor_for_user(user, loa_rank=session_loa_rank(request))
        _hold_to_service_level(request, actor)
        return actor


def _hold_to_service_level(request: HttpRequest, actor: Actor) -> None:
    """An operation of a service area whose service declares a level: a weaker login is refused
    with `step_up_required` (401 and a `WWW-Authenticate` challenge), after authentication and
    before the operation reads anything (ADR 0043). A personal token carries no e-ID level."""
    area = area_for_api_path(request.path)
    level = None if area is None else missing_rank(actor, area)
    if level is not None:
        setattr(request, STEP_UP_LEVEL_ATTR, level)
        raise StepUpRequired(level)
