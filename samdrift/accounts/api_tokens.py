"""API of personal tokens: GET/POST /api/v1/me/tokens, DELETE /api/v1/me/tokens/{id}.

A token is made only from a logged-in browser session, never with another token: a leaked token
must not be able to mint successors that outlive its revocation. Listing and revoking work with
either. The secret is in the answer to the POST and nowhere else, ever.

Also home of the few pieces every foundation router shares (`ApiRequest`, `Page`, `ErrorOut` /
`errors`): accounts is the app all others already depend on, so no import runs backwards.
"""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.security import APIKeyCookie

from samdrift.accounts.actor import Actor

from . import services
from .selectors import actor_for_user, own_tokens

router = Router(tags=["accounts"])


class ApiRequest(HttpRequest):
    """The request as our endpoints get it: ninja has set `auth` to the caller's actor (the
    authenticators in config/api.py return one). A type for mypy only; ninja passes the
    parameter named `request` whatever its annotation."""

    auth: Actor


class ErrorOut(Schema):
    """The body of every error answer of the API (config/api.py builds it)."""

    code: str = Field(
        description="Stable, for programs: unauthenticated, not_found, forbidden, invalid, "
        "rule_violation, checklist_incomplete, signoff_missing, concurrent_update, …"
    )
    message: str = Field(description="For people, in the request's language.")
    message_sv: str = Field(description="The same in Swedish.")
    message_en: str = Field(description="The same in English.")
    errors: dict[str, Any] | None = Field(None, description="Per field, with 422.")


class Page(LimitOffsetPagination):
    """limit/offset pages with the total `count`, for every list of the foundation API."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500, description="Rows per page (at most 500).")
        offset: int = Field(0, ge=0, description="Rows to skip.")


def errors(*statuses: int) -> dict[int, Any]:
    """The error answers an operation documents; 401 always (every endpoint needs a caller).
    403: may see but not do; 404: missing or another agency's (the same); 409: a rule or a
    concurrent change; 422: malformed input."""
    return dict.fromkeys((401, *statuses), ErrorOut)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The secret's first characters, to recognise it by.")
    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class TokenCreatedOut(TokenOut):
    secret: str = Field(
        description="Send as `Authorization: Bearer <secret>`. Shown only in this answer."
    )


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100, description="What the token is for.")
    expires_at: datetime.datetime | None = Field(None, description="Optional; in the future.")


@router.get(
    "/me/tokens",
    response={200: list[TokenOut], **errors()},
    summary="List my personal API tokens",
    description="Newest first, revoked ones included (with `revoked_at`). Never the secrets.",
)
def list_tokens(request: ApiRequest) -> Any:
    return own_tokens(request.auth)


class SessionOnlyAuth(APIKeyCookie):
    """The browser session alone, for the one endpoint a token must not reach. (Defined here,
    not taken from config.api, which imports this module: no import cycle.)"""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return actor_for_user(user)


@router.post(
    "/me/tokens",
    response={201: TokenCreatedOut, **errors(422)},
    auth=SessionOnlyAuth(),
    summary="Create a personal API token (browser session only)",
    description="The answer carries the secret; it is not stored and cannot be shown again.",
)
def create_token(request: ApiRequest, payload: TokenIn) -> tuple[int, dict[str, Any]]:
    token, secret = services.token_create(
        actor=request.auth, name=payload.name, expires_at=payload.expires_at
    )
    return 201, {**TokenOut.from_orm(token).model_dump(), "secret": secret}


@router.delete(
    "/me/tokens/{token_id}",
    response={204: None, **errors(404)},
    summary="Revoke one of my personal API tokens",
    description="From then on the token gives 401. Another user's token is a 404.",
)
def revoke_token(request: ApiRequest, token_id: int) -> HttpResponse:
    services.token_revoke(actor=request.auth, token_id=token_id)
    return HttpResponse(status=204)
