"""API of live notes and whiteboards, mounted under /api/v1/live (issue 15): list, create, read,
keep and restore versions, and export, with the same selectors and services as the pages. The
content itself is edited over the WebSocket `/ws/coedit/<id>` (ADR 0681). A document the caller
does not see is 404, like one that does not exist; a class above the caller's login is 401 with
the step-up challenge."""

# No `from __future__ import annotations`: ninja reads the real annotations.
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from samdrift.collaboration.selectors import workspace_get
from samdrift.core.api import ApiRequest, Page, errors

from . import selectors, services
from .models import LiveDoc, LiveVersion

router = Router(tags=["live documents"])


class LiveDocIn(Schema):
    kind: str
    title: str


class LiveDocOut(Schema):
    id: int
    workspace: int
    kind: str
    title: str
    generation: int
    created_at: datetime
    changed_at: datetime
    websocket: str


class LiveDocDetailOut(LiveDocOut):
    abilities: dict[str, bool]
    exports: list[str]


class NoteImageOut(Schema):
    document: int
    name: str
    preview: str


class LiveVersionIn(Schema):
    name: str


class LiveVersionOut(Schema):
    id: int
    name: str
    created_at: datetime
    created_by: str


def _doc(doc: LiveDoc) -> dict[str, Any]:
    return {
        "id": doc.pk,
        "workspace": doc.workspace_id,
        "kind": doc.kind,
        "title": doc.title,
        "generation": doc.generation,
        "created_at": doc.created_at,
        "changed_at": doc.changed_at,
        "websocket": f"/ws/coedit/{doc.pk}",
    }


def _detail(access: selectors.DocAccess) -> dict[str, Any]:
    return {
        **_doc(access.doc),
        "abilities": {k: bool(v) for k, v in access.abilities.items()},
        "exports": sorted(services.EXPORT_FORMATS[access.doc.kind])
        if access.abilities["export"]
        else [],
    }


def _version(version: LiveVersion) -> dict[str, Any]:
    creator = version.created_by
    return {
        "id": version.pk,
        "name": version.name,
        "created_at": version.created_at,
        "created_by": creator.get_full_name() or creator.username if creator else "",
    }


@router.get(
    "/workspaces/{workspace_id}/docs",
    response={200: list[LiveDocOut], **errors(404)},
    summary="A workspace's live notes and whiteboards",
)
@paginate(Page)
def list_docs(request: ApiRequest, workspace_id: int) -> list[dict[str, Any]]:
    workspace = workspace_get(actor=request.auth, workspace_id=workspace_id)
    return [_doc(d) for d in selectors.doc_list(workspace=workspace)]


@router.post(
    "/workspaces/{workspace_id}/docs",
    response={201: LiveDocOut, **errors(403, 404, 422)},
    summary="Create a live note (`kind` = `note`) or whiteboard (`board`)",
    description="The workspace's owners and editors; audited.",
)
def create_doc(request: ApiRequest, workspace_id: int, payload: LiveDocIn) -> Status:
    doc = services.doc_create(
        actor=request.auth, workspace_id=workspace_id, kind=payload.kind, title=payload.title
    )
    return Status(201, _doc(doc))


@router.get(
    "/docs/{doc_id}",
    response={200: LiveDocDetailOut, **errors(404)},
    summary="One live document: what the caller may do with it and the formats it exports to",
)
def get_doc(request: ApiRequest, doc_id: int) -> dict[str, Any]:
    return _detail(selectors.doc_get(actor=request.auth, doc_id=doc_id))


@router.get(
    "/docs/{doc_id}/export/{fmt}",
    response={200: None, **errors(403, 404)},
    summary="The document as a file",
    description="A note as `html`, `pdf` (tagged, PDF/UA) or `docx`; a whiteboard as `svg` or "
    "`png`. Any other format is 404; a workspace of class 3 (view only) is 403. Audited as a "
    "read.",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file",
                "content": {
                    media: {"schema": {"type": "string", "format": "binary"}}
                    for media in sorted(
                        {m for kind in services.EXPORT_FORMATS.values() for m in kind.values()}
                    )
                },
            }
        }
    },
)
def export_doc(request: ApiRequest, doc_id: int, fmt: str) -> HttpResponse:
    access = selectors.doc_get(actor=request.auth, doc_id=doc_id)
    file = services.doc_export_file(actor=request.auth, access=access, fmt=fmt, request=request)
    response = HttpResponse(file.content, content_type=file.media_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


@router.get(
    "/docs/{doc_id}/images",
    response={200: list[NoteImageOut], **errors(404)},
    summary="The workspace's images the note may show",
    description="Images of the note's workspace, out of the trash, of the note's class or lower, "
    "with their preview made (ADR 0686). An image node in the note names one by `document` "
    "and carries its text alternative in `alt`. A whiteboard has none.",
)
@paginate(Page)
def list_images(request: ApiRequest, doc_id: int) -> list[dict[str, Any]]:
    access = selectors.doc_get(actor=request.auth, doc_id=doc_id)
    return [
        {
            "document": shown.document.pk,
            "name": shown.document.name,
            "preview": reverse("collaboration:document_preview", args=[shown.document.pk]),
        }
        for shown in selectors.note_images(access=access)
    ]


@router.get(
    "/docs/{doc_id}/versions",
    response={200: list[LiveVersionOut], **errors(404)},
    summary="The document's kept versions, newest first",
)
@paginate(Page)
def list_versions(request: ApiRequest, doc_id: int) -> list[dict[str, Any]]:
    access = selectors.doc_get(actor=request.auth, doc_id=doc_id)
    return [_version(v) for v in selectors.version_list(doc=access.doc)]


@router.post(
    "/docs/{doc_id}/versions",
    response={201: LiveVersionOut, **errors(403, 404, 422)},
    summary="Keep the document's content now as a named version (its editors)",
)
def keep_version(request: ApiRequest, doc_id: int, payload: LiveVersionIn) -> Status:
    version = services.version_keep(actor=request.auth, doc_id=doc_id, name=payload.name)
    return Status(201, _version(version))


@router.post(
    "/docs/{doc_id}/versions/{version_id}/restore",
    response={200: LiveDocDetailOut, **errors(403, 404)},
    summary="Make a kept version the document's content (its editors)",
    description="Starts a new generation: everyone editing is told to reload, and the content "
    "replaced is kept as a version first. Audited.",
)
def restore_version(request: ApiRequest, doc_id: int, version_id: int) -> dict[str, Any]:
    services.version_restore(actor=request.auth, doc_id=doc_id, version_id=version_id)
    return _detail(selectors.doc_get(actor=request.auth, doc_id=doc_id))
