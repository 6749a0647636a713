"""API of share links (ADR 0609), on the collaboration router: make, list and revoke a document's
links; follow one (named agencies and people only, logged in; every use an audited read)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from ninja import Router, Schema

from samdrift.core.actor import Actor
from samdrift.core.api import error_body, errors
from samdrift.core.files.responses import file_response

from . import selectors, services

_router = Router(tags=["collaboration"])


def register(router: Router) -> None:
    """Adds the share-link operations to the collaboration router (api.py)."""
    router.add_router("", _router)


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return actor


class ShareIn(Schema):
    agencies: list[int] = []
    people: list[str] = []
    days: int = 7


class ShareOut(Schema):
    id: int
    document_id: int
    agencies: list[int]
    people: list[str]
    expires_at: datetime.datetime
    revoked_at: datetime.datetime | None
    uses: int


class ShareMadeOut(ShareOut):
    token: str  # shown once; only its hash is kept


class SharedDocumentOut(Schema):
    document_id: int
    name: str
    classification: int
    version: int
    size: int
    content_type: str
    expires_at: datetime.datetime
    download_allowed: bool


def _share_out(link: Any) -> dict[str, Any]:
    return {
        "id": link.id,
        "document_id": link.document_id,
        "agencies": link.agencies,
        "people": link.people,
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
        "uses": link.uses,
    }


@_router.get("/documents/{document_id}/shares", response={200: list[ShareOut], **errors(404)})
def list_shares(request: HttpRequest, document_id: int) -> list[dict[str, Any]]:
    access = selectors.document_get(actor=_actor(request), document_id=document_id)
    return [_share_out(link) for link in selectors.share_list(access=access)[:500]]


@_router.post(
    "/documents/{document_id}/shares", response={201: ShareMadeOut, **errors(404, 409, 422)}
)
def create_share(request: HttpRequest, document_id: int, body: ShareIn) -> tuple[int, Any]:
    link, token = services.share_create(
        actor=_actor(request),
        document_id=document_id,
        agencies=body.agencies,
        people=body.people,
        days=body.days,
    )
    return 201, {**_share_out(link), "token": token}


@_router.post("/shares/{share_id}/revoke", response={200: ShareOut, **errors(404, 409)})
def revoke_share(request: HttpRequest, share_id: int) -> dict[str, Any]:
    return _share_out(services.share_revoke(actor=_actor(request), share_id=share_id))


def _shared(request: HttpRequest, token: str, how: str) -> Any:
    """The share link's document, or a 429 answer with Retry-After when uses come too fast."""
    try:
        return services.share_open(actor=_actor(request), token=token, how=how)
    except services.ShareRateLimited as error:
        body = error_body(error.code, error.message, error.params)
        response = JsonResponse(body, status=429, json_dumps_params={"ensure_ascii": False})
        response["Retry-After"] = str(error.retry_after)
        return response


@_router.get(
    "/shared/{token}",
    response={200: SharedDocumentOut, **errors(404, 409, 429)},
    summary="Follow a share link (named agencies and people only); recorded as a read",
)
def get_shared(request: HttpRequest, token: str) -> Any:
    found = _shared(request, token, "share_link")
    if isinstance(found, HttpResponseBase):
        return found
    return {
        "document_id": found.document.id,
        "name": found.document.name,
        "classification": found.document.classification,
        "version": found.version.number,
        "size": found.version.size,
        "content_type": found.version.content_type,
        "expires_at": found.link.expires_at,
        "download_allowed": found.download_allowed,
    }


@_router.get(
    "/shared/{token}/content",
    response={200: None, **errors(404, 409, 429)},
    summary="Download the newest version through a share link; recorded as a read",
)
def get_shared_content(request: HttpRequest, token: str) -> HttpResponseBase:
    found = _shared(request, token, "download")
    if isinstance(found, HttpResponseBase):
        return found
    return file_response(found.version.file, request)
