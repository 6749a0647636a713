"""What every django-ninja router of samdrift shares: the error body, its schema, and pages.

Domain-free on purpose (core depends on no app). `ApiRequest` is here, beside the actor it
carries, so every app's router can name it without importing `accounts` (ADR 0045); the
authenticators that set it live in `samdrift.accounts.api_auth`.
"""

# No `from __future__ import annotations`: ninja reads the real annotations.
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from .actor import Actor
from .i18n import in_both_languages
from .paging import stable_order

# The messages of the errors the API itself answers (kept here, in an app, so the catalogue of
# translations keeps them).
UNAUTHENTICATED = _("Log in or give a valid API token.")
INVALID_INPUT = _("The request is not valid; see `errors`.")
# Ninja's own HTTP errors (throttling, an unknown path or method), per status, in our words.
HTTP_ERRORS: dict[int, tuple[str, Any]] = {
    400: ("bad_request", _("The request could not be read.")),
    403: ("forbidden", _("You may not do this.")),
    404: ("not_found", _("Not found: it does not exist or is not yours to see.")),
    405: ("method_not_allowed", _("This address does not take that method.")),
    429: ("throttled", _("Too many requests; wait a moment and try again.")),
}


class ApiRequest(HttpRequest):
    """The request as our endpoints get it: ninja has set `auth` to the caller's actor (the
    authenticators of `samdrift.accounts.api_auth` return one). A type for mypy only; ninja passes
    the parameter named `request` whatever its annotation."""

    auth: Actor


class ErrorOut(Schema):
    """The body of every error answer of the API (`error_body` builds it)."""

    code: str = Field(
        description="Stable, for programs: unauthenticated, csrf_failed, not_found, forbidden, "
        "method_not_allowed, invalid, rule_violation, checklist_incomplete, signoff_missing, "
        "concurrent_update, …"
    )
    message: str = Field(description="For people, in the request's language.")
    message_sv: str = Field(description="The same in Swedish.")
    message_en: str = Field(description="The same in English.")
    errors: dict[str, Any] | list[dict[str, Any]] | None = Field(
        None,
        description="With 422: per field (a rule of ours), or the list of malformed parts of "
        "the request (each with `loc` and `msg`).",
    )


def error_body(
    code: str, message: Any, params: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """An `ErrorOut` as a dict: `message` is a lazy translation, rendered in the request's
    language and in both of ours."""
    both = in_both_languages(message, params)
    return {
        "code": code,
        "message": str(message) % params if params else str(message),
        "message_sv": both["sv"],
        "message_en": both["en"],
        **extra,
    }


def errors(*statuses: int) -> dict[int, Any]:
    """The error answers an operation documents; 401 always (every endpoint needs a caller).
    403: may see but not do; 404: missing or another agency's (the same); 409: a rule or a
    concurrent change; 422: malformed input. Implied (found by schemathesis): an operation that
    can answer 404 has an id in its path, and an id that is not a number answers 422; one that
    reads input can meet a body that is not JSON at all, 400 `bad_request`."""
    codes = {401, *statuses}
    if 404 in codes:
        codes.add(422)
    if 422 in codes:
        codes.add(400)
    return dict.fromkeys(sorted(codes), ErrorOut)


MAX_LIMIT = 500


class Page(LimitOffsetPagination):
    """limit/offset pages with the total `count`, for every list of the API (ADR 0095): the
    list's order with the primary key last (`core.paging.stable_order`), so `offset` walks the
    list without a row twice or missed. A `limit` or `offset` out of bounds or not a number is
    a 422 `invalid` with the usual error body; an offset past the end gives no items."""

    class Input(Schema):
        limit: int = Field(
            50, ge=1, le=MAX_LIMIT, description=f"Rows per page, 1 to {MAX_LIMIT} (default 50)."
        )
        # Bounded: a database integer is 64-bit, and no list has a billion rows.
        offset: int = Field(
            0, ge=0, le=10**9, description="Rows to skip, 0 to 1,000,000,000 (default 0)."
        )

    def __init__(self, max_limit: int = MAX_LIMIT, **kwargs: Any) -> None:
        super().__init__(max_limit=min(max_limit, MAX_LIMIT), **kwargs)

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        if isinstance(queryset, QuerySet):
            queryset = stable_order(queryset)
        return super().paginate_queryset(queryset, pagination, request=request, **params)
