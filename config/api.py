"""The JSON API at /api/v1/: one NinjaAPI, one router per domain app, errors mapped once.

Every error answer, whoever raises it (our services, ninja's authentication and CSRF checks,
an unknown path or method), has the same bilingual body: `samdrift.core.api.ErrorOut`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from samdrift.accounts.api_auth import SessionAuth, TokenAuth
from samdrift.core.api import HTTP_ERRORS, INVALID_INPUT, UNAUTHENTICATED, error_body
from samdrift.core.api_inputs import harden_inputs
from samdrift.core.busy import busy_body, is_busy, with_retry_after
from samdrift.core.exceptions import DomainError, ValidationFailed
from samdrift.core.tenancy import STEP_UP_LEVEL_ATTR, StepUpRequired


class SamdriftApi(NinjaAPI):
    """A NinjaAPI whose unknown paths and methods answer with our error body too: ninja leaves
    the first to Django's HTML 404 and answers the second with a plain-text 405."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for url in urls:
            if isinstance(url, URLPattern) and not inspect.iscoroutinefunction(url.callback):
                url.callback = _with_our_405(url.callback)
        return [*urls, re_path(r"^.*$", _unknown_path, name="unknown")]


api = SamdriftApi(
    title="samdrift API",
    version="1",
    description="Agencies, catalogue, demand and connections of samdrift.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


def _with_our_405(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)  # keeps csrf_exempt: ninja's views do their own CSRF check
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            code, message = HTTP_ERRORS[405]
            ours = api.create_response(request, error_body(code, message), status=405)
            ours["Allow"] = response["Allow"]
            return ours
        return response

    return wrapped


@csrf_exempt  # a POST to an unknown path is a 404, not a CSRF failure
def _unknown_path(request: HttpRequest) -> HttpResponse:
    code, message = HTTP_ERRORS[404]
    return api.create_response(request, error_body(code, message), status=404)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = exc.errors
    if isinstance(exc, StepUpRequired):
        # An object's own level (a SAFOS class, ADR 0601) steps up like a service's: the
        # actor middleware adds the WWW-Authenticate challenge for this level.
        setattr(request, STEP_UP_LEVEL_ATTR, exc.level)
    return api.create_response(
        request, error_body(exc.code, exc.message, exc.params, **extra), status=exc.http_status
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, error_body("unauthenticated", UNAUTHENTICATED), status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, message = HTTP_ERRORS.get(exc.status_code, HTTP_ERRORS[400])
    return api.create_response(request, error_body(code, message), status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    code, message = HTTP_ERRORS[404]
    return api.create_response(request, error_body(code, message), status=404)


@api.exception_handler(OperationalError)
def database_busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """A locked or contended database: 503 with Retry-After, try again (issue 19 item 2)."""
    if not is_busy(exc):
        raise exc
    return with_retry_after(api.create_response(request, busy_body(), status=503))


@api.exception_handler(NinjaValidationError)
def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return api.create_response(
        request,
        error_body("invalid", INVALID_INPUT, errors=exc.errors),
        status=422,
    )


def _register_routers() -> None:
    from samdrift.accessibility.api import router as accessibility_router
    from samdrift.accounts.api import router as tokens_router
    from samdrift.billing.api import router as billing_router
    from samdrift.calendars.api import router as calendars_router
    from samdrift.catalogue.api import router as catalogue_router
    from samdrift.chat.api import router as chat_router
    from samdrift.coediting.api import router as coediting_router
    from samdrift.collaboration.api import router as collaboration_router
    from samdrift.continuity.api import router as continuity_router
    from samdrift.cooperation.api import router as cooperation_router
    from samdrift.core.jobs.api import router as jobs_router
    from samdrift.core.notifications.api import router as inbox_router
    from samdrift.efos.api import router as efos_router
    from samdrift.identity.api import router as identity_router
    from samdrift.meetings.api import router as meetings_router
    from samdrift.onboarding.api import router as onboarding_router
    from samdrift.operations.api import router as operations_router
    from samdrift.organisations.api import router as organisations_router
    from samdrift.reporting.api import router as reporting_router
    from samdrift.security.api import router as security_router
    from samdrift.ui.api import router as composed_router
    from samdrift.ui.search_api import router as search_router

    api.add_router("/", organisations_router)
    api.add_router("/", composed_router)  # operations combining apps (samdrift.ui.api)
    api.add_router("/", search_router)  # the site-wide search (samdrift.ui.search_api)
    api.add_router("/", catalogue_router)
    api.add_router("/", onboarding_router)
    api.add_router("/", tokens_router)
    api.add_router("/accessibility", accessibility_router)
    api.add_router("/billing", billing_router)
    api.add_router("/chat", chat_router)
    api.add_router("/calendars", calendars_router)
    api.add_router("/collaboration", collaboration_router)
    api.add_router("/continuity", continuity_router)
    api.add_router("/cooperation", cooperation_router)
    api.add_router("/efos", efos_router)
    api.add_router("/identity", identity_router)
    api.add_router("/inbox", inbox_router)
    api.add_router("/live", coediting_router)
    api.add_router("/jobs", jobs_router)
    api.add_router("/meetings", meetings_router)
    api.add_router("/operations", operations_router)
    api.add_router("/reporting", reporting_router)
    api.add_router("/security", security_router)


_register_routers()
harden_inputs(api)  # every input field bounded, once (samdrift.core.api_inputs, ADR 0068)
