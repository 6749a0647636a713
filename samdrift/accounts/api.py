"""API of personal tokens: GET/POST /api/v1/me/tokens, DELETE /api/v1/me/tokens/{id}.

A token is made only from a logged-in browser session, never with another token: a leaked token
must not be able to mint successors that outlive its revocation. Listing and revoking work with
either. The secret is in the answer to the POST and nowhere else, ever.
"""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
from typing import Any

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from samdrift.core.api import ApiRequest, Page, errors

from . import app_passwords, services
from .api_auth import SessionAuth
from .selectors import own_tokens

router = Router(tags=["accounts"])


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
    response={200: list[TokenOut], **errors(422)},
    summary="List my personal API tokens",
    description="Newest first, revoked ones included (with `revoked_at`). Never the secrets.",
)
@paginate(Page)
def list_tokens(request: ApiRequest) -> Any:
    return own_tokens(request.auth)


@router.post(
    "/me/tokens",
    response={201: TokenCreatedOut, **errors(422)},
    auth=SessionAuth(),
    summary="Create a personal API token (browser session only)",
    description="The answer carries the secret; it is not stored and cannot be shown again.",
)
def create_token(request: ApiRequest, payload: TokenIn) -> Status:
    token, secret = services.token_create(
        actor=request.auth, name=payload.name, expires_at=payload.expires_at
    )
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "secret": secret})


@router.delete(
    "/me/tokens/{token_id}",
    response={204: None, **errors(404)},
    summary="Revoke one of my personal API tokens",
    description="From then on the token gives 401. Another user's token is a 404.",
)
def revoke_token(request: ApiRequest, token_id: int) -> HttpResponse:
    services.token_revoke(actor=request.auth, token_id=token_id)
    return HttpResponse(status=204)


# --- app passwords (ADRs 0613, 0614): GET/POST /api/v1/me/app-passwords, DELETE …/{id} ---------


class AppPasswordOut(TokenOut):
    max_class: int = Field(description="The highest confidentiality class it may open (0–3).")


class AppPasswordCreatedOut(AppPasswordOut):
    secret: str = Field(
        description="The WebDAV password at /dav/, with your user name. Shown only in this answer."
    )


class AppPasswordIn(TokenIn):
    max_class: int = Field(
        ge=0, le=3, description="Highest class; this login's level of assurance must reach it."
    )


@router.get(
    "/me/app-passwords",
    response={200: list[AppPasswordOut], **errors(422)},
    summary="List my app passwords",
    description="Newest first, revoked ones included (with `revoked_at`). Never the secrets.",
)
@paginate(Page)
def list_app_passwords(request: ApiRequest) -> Any:
    return app_passwords.own_app_passwords(request.auth)


@router.post(
    "/me/app-passwords",
    response={201: AppPasswordCreatedOut, **errors(422)},
    auth=SessionAuth(),
    summary="Create an app password for WebDAV (browser session only)",
    description="Carries this login's level of assurance, which must reach `max_class` "
    "(`class_above_login` otherwise). The answer carries the secret; it cannot be shown again.",
)
def create_app_password(request: ApiRequest, payload: AppPasswordIn) -> Status:
    row, secret = app_passwords.app_password_create(
        actor=request.auth,
        name=payload.name,
        max_class=payload.max_class,
        expires_at=payload.expires_at,
    )
    return Status(201, {**AppPasswordOut.from_orm(row).model_dump(), "secret": secret})


@router.delete(
    "/me/app-passwords/{password_id}",
    response={204: None, **errors(404)},
    summary="Revoke one of my app passwords",
    description="From then on WebDAV refuses it (401). Another user's app password is a 404.",
)
def revoke_app_password(request: ApiRequest, password_id: int) -> HttpResponse:
    app_passwords.app_password_revoke(actor=request.auth, password_id=password_id)
    return HttpResponse(status=204)
