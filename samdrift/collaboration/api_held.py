"""API of uploads held for their malware scan (ADR 0688), on the collaboration router: what an
upload of a large file answers (202) and where its uploader follows it until it is a version or
refused. Only the uploader sees a held upload."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from samdrift.core.actor import Actor
from samdrift.core.api import errors

from . import selectors
from .models import HeldUpload

_router = Router(tags=["collaboration"])


def register(router: Router) -> None:
    """Adds the held-upload operations to the collaboration router (api.py)."""
    router.add_router("", _router)


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return actor


class HeldOut(Schema):
    id: int
    workspace_id: int
    name: str
    size: int
    sha256: str
    state: str  # scanning, stored or refused
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    document_id: int | None  # once stored: the document and its new version's number
    version: int | None
    reason_code: str  # when refused, e.g. malware_found, quota_exceeded, locked
    message: str
    message_sv: str
    message_en: str
    status: str  # where to follow it


def held_out(held: HeldUpload) -> HeldOut:
    version = held.version if held.version_id else None
    return HeldOut(
        id=held.id,
        workspace_id=held.workspace_id,
        name=held.name,
        size=held.size,
        sha256=held.sha256,
        state=held.state,
        created_at=held.created_at,
        finished_at=held.finished_at,
        document_id=version.document_id if version is not None else None,
        version=version.number if version is not None else None,
        reason_code=held.reason_code,
        message=held.reason,
        message_sv=held.reason_sv,
        message_en=held.reason_en,
        status=f"/api/v1/collaboration/held/{held.id}",
    )


@_router.get(
    "/held/{held_id}",
    response={200: HeldOut, **errors(404)},
    summary="An upload held for its malware scan: scanning, stored (with its version) or refused",
)
def held_get(request: HttpRequest, held_id: int) -> HeldOut:
    return held_out(selectors.held_upload_get(actor=_actor(request), held_id=held_id))


@_router.get(
    "/workspaces/{workspace_id}/held",
    response={200: list[HeldOut], **errors(404)},
    summary="Your uploads to the workspace being scanned, and those decided within a day",
)
def held_list(request: HttpRequest, workspace_id: int) -> list[HeldOut]:
    actor = _actor(request)
    selectors.workspace_get(actor=actor, workspace_id=workspace_id)  # 404 like any other
    return [held_out(h) for h in selectors.held_uploads(actor=actor, workspace_id=workspace_id)]
