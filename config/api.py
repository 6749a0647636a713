"""The JSON API at /api/v1/: one NinjaAPI, one router per domain app, errors mapped once."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from samdrift.accounts.actor import Actor
from samdrift.accounts.selectors import actor_for_token, actor_for_user
from samdrift.accounts.services import token_mark_used
from samdrift.core.exceptions import DomainError, ValidationFailed
from samdrift.core.i18n import in_both_languages


class TokenAuth(HttpBearer):
    """`Authorization: Bearer sd_…` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        actor = actor_for_token(token)
        if actor is not None:
            token_mark_used(secret=token)
        return actor


class SessionAuth(APIKeyCookie):
    """The browser's session; Django's CSRF check applies to unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return actor_for_user(user)


api = NinjaAPI(
    title="samdrift API",
    version="1",
    description="Agencies, catalogue, demand and connections of samdrift.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


def _error_body(
    code: str, message: Any, params: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    both = in_both_languages(message, params)
    return {
        "code": code,
        "message": str(message) % params if params else str(message),
        "message_sv": both["sv"],
        "message_en": both["en"],
        **extra,
    }


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = exc.errors
    return api.create_response(
        request, _error_body(exc.code, exc.message, exc.params, **extra), status=exc.http_status
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    from django.utils.translation import gettext_lazy as _

    return api.create_response(
        request, _error_body("unauthenticated", _("Log in or give a valid API token.")), status=401
    )


@api.exception_handler(NinjaValidationError)
def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    from django.utils.translation import gettext_lazy as _

    return api.create_response(
        request,
        _error_body("invalid", _("The request is not valid; see `errors`."), errors=exc.errors),
        status=422,
    )


def _register_routers() -> None:
    from samdrift.accessibility.api import router as accessibility_router
    from samdrift.accounts.api_tokens import router as tokens_router
    from samdrift.billing.api import router as billing_router
    from samdrift.catalogue.api import router as catalogue_router
    from samdrift.efos.api import router as efos_router
    from samdrift.identity.api import router as identity_router
    from samdrift.onboarding.api import router as onboarding_router
    from samdrift.organisations.api import router as organisations_router
    from samdrift.reporting.api import router as reporting_router

    api.add_router("/", organisations_router)
    api.add_router("/", catalogue_router)
    api.add_router("/", onboarding_router)
    api.add_router("/", tokens_router)
    api.add_router("/accessibility", accessibility_router)
    api.add_router("/billing", billing_router)
    api.add_router("/efos", efos_router)
    api.add_router("/identity", identity_router)
    api.add_router("/reporting", reporting_router)


_register_routers()
