"""API of the SAFOS workspaces, mounted under /api/v1/collaboration.

The same selectors and services as the pages, so the same rules, classification and audit. A
workspace or document whose class demands a stronger login answers 401 `step_up_required`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import File, Form, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from samdrift.core.actor import Actor
from samdrift.core.api import MAX_LIMIT, errors
from samdrift.core.exceptions import NotFound
from samdrift.core.files.prefetch import prefetch
from samdrift.core.files.responses import file_response
from samdrift.core.files.uploads import forwarded_uploads
from samdrift.core.text import single_line

from . import api_held, api_shares, selectors, services
from .api_held import HeldOut, held_out
from .models import Document, HeldUpload, Invitation, Member, Version, Workspace

router = Router(tags=["collaboration"])


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return actor


class WorkspaceIn(Schema):
    name: str
    classification: str  # "0"–"3"; "S" (security-protected) is refused with its own message
    organisation_id: int | None = None
    description: str = ""


class WorkspaceOut(Schema):
    id: int
    name: str
    description: str
    owner_org_id: int
    classification: int
    label_id: int | None = None  # the owning agency's own label (ADR 0617)
    label: str | None = None
    require_accessible_pdfs: bool = False
    quota_bytes: int
    abilities: dict[str, bool] = {}


class ClassificationIn(Schema):
    classification: str  # "0"–"3", or "label:<id>" of the owning agency's scale (ADR 0617)


class PublishingIn(Schema):
    require_accessible_pdfs: bool


class ScaleLabelIn(Schema):
    id: int | None = None  # an existing label; none for a new one
    name_sv: str = single_line("", max_length=200)
    name_en: str = single_line("", max_length=200)
    level: str | int | None = None  # KLASSA 0–3


class ScaleIn(Schema):
    labels: list[ScaleLabelIn]


class ScaleLabelOut(Schema):
    id: int
    name_sv: str
    name_en: str
    level: int
    used_by: int  # workspaces and documents carrying it


class ScaleOut(Schema):
    organisation_id: int
    labels: list[ScaleLabelOut]


class WorkspaceMemberOut(Schema):
    id: int
    user_id: int
    username: str
    organisation_id: int
    role: str
    is_guest: bool


class InviteIn(Schema):
    email: str
    role: str


class WorkspaceInvitationOut(Schema):
    id: int
    workspace_id: int
    workspace_name: str
    email: str
    role: str
    state: str


class RoleIn(Schema):
    role: str


class AcceptIn(Schema):
    organisation_id: int | None = None


class FolderIn(Schema):
    name: str
    parent_id: int | None = None


class FolderOut(Schema):
    id: int
    name: str
    parent_id: int | None


class DocumentOut(Schema):
    id: int
    workspace_id: int
    folder_id: int | None
    name: str
    classification: int
    label_id: int | None = None
    label: str | None = None
    state: str = "draft"  # "draft" or "published" (ADR 0618)
    published_at: datetime.datetime | None = None
    published_by_id: int | None = None
    locked_by_id: int | None
    trashed: bool
    updated_at: datetime.datetime
    abilities: dict[str, bool] = {}


class VersionOut(Schema):
    document_id: int
    number: int
    size: int
    sha256: str
    content_type: str
    restored_from: int | None
    created_at: datetime.datetime
    # the PDF accessibility check's summary (ADR 0608): None until checked, and for other files
    accessibility: dict[str, Any] | None = None


class ReadOut(Schema):
    at: datetime.datetime
    who: str
    agency_id: int | None
    access: str
    version: int | None


def _workspace_out(workspace: Workspace, abilities: dict[str, bool] | None = None) -> WorkspaceOut:
    return WorkspaceOut(
        id=workspace.id,
        name=workspace.name,
        description=workspace.description,
        owner_org_id=workspace.owner_org_id,
        classification=workspace.classification,
        label_id=workspace.scale_label_id,
        label=workspace.scale_label.name if workspace.scale_label else None,
        require_accessible_pdfs=workspace.require_accessible_pdfs,
        quota_bytes=workspace.quota_bytes,
        abilities=abilities or {},
    )


def _member_out(member: Member) -> WorkspaceMemberOut:
    return WorkspaceMemberOut(
        id=member.id,
        user_id=member.user_id,
        username=member.user.username,
        organisation_id=member.organisation_id,
        role=member.role,
        is_guest=member.is_guest,
    )


def _invitation_out(invitation: Invitation) -> WorkspaceInvitationOut:
    return WorkspaceInvitationOut(
        id=invitation.id,
        workspace_id=invitation.workspace_id,
        workspace_name=invitation.workspace.name,
        email=invitation.email,
        role=invitation.role,
        state=invitation.state,
    )


def _document_out(document: Document, abilities: dict[str, bool] | None = None) -> DocumentOut:
    return DocumentOut(
        id=document.id,
        workspace_id=document.workspace_id,
        folder_id=document.folder_id,
        name=document.name,
        classification=document.classification,
        label_id=document.scale_label_id,
        label=document.scale_label.name if document.scale_label else None,
        state="published" if document.published_at else "draft",
        published_at=document.published_at,
        published_by_id=document.published_by_id,
        locked_by_id=document.locked_by_id,
        trashed=document.trashed_at is not None,
        updated_at=document.updated_at,
        abilities=abilities or {},
    )


def _version_out(version: Version) -> VersionOut:
    restored = version.restored_from.number if version.restored_from_id else None  # type: ignore[union-attr]
    return VersionOut(
        document_id=version.document_id,
        number=version.number,
        size=version.size,
        sha256=version.sha256,
        content_type=version.content_type,
        restored_from=restored,
        created_at=version.created_at,
        accessibility=version.accessibility,
    )


def _uploaded(stored: Version | HeldUpload) -> tuple[int, VersionOut | HeldOut]:
    if isinstance(stored, HeldUpload):
        return 202, held_out(stored)
    return 201, _version_out(stored)


# --- workspaces --------------------------------------------------------------------------------


class SearchHitOut(Schema):
    document_id: int
    workspace_id: int
    name: str
    snippet: str  # HTML: escaped text with the hits in <mark>
    score: float
    version: int


class SearchPageOut(Schema):
    """One page of hits. No total: counting every match would read every posting (ADR 0607);
    `has_next` says whether `offset + limit` gives more."""

    items: list[SearchHitOut]
    has_next: bool


@router.get("/search", response={200: SearchPageOut, **errors(422)})
def search(
    request: HttpRequest,
    q: str = "",
    limit: int = Query(50, ge=1, le=MAX_LIMIT, description=f"Hits per page, 1 to {MAX_LIMIT}."),
    offset: int = Query(0, ge=0, le=10**9, description="Hits to skip, 0 to 1,000,000,000."),
) -> SearchPageOut:
    """Documents the caller may see whose name or text has the words; each hit is a read."""
    hits, more = services.search(actor=_actor(request), query=q, limit=limit, offset=offset)
    items = [
        SearchHitOut(
            document_id=h.access.document.id,
            workspace_id=h.access.workspace.id,
            name=h.access.document.name,
            snippet=str(h.hit.snippet),
            score=h.hit.score,
            version=h.version.number,
        )
        for h in hits
    ]
    return SearchPageOut(items=items, has_next=bool(more))


@router.get("/workspaces", response={200: list[WorkspaceOut], **errors()})
def list_workspaces(request: HttpRequest) -> list[WorkspaceOut]:
    return [_workspace_out(w) for w in selectors.workspace_list(actor=_actor(request))[:500]]


@router.post("/workspaces", response={201: WorkspaceOut, **errors(409, 422)})
def create_workspace(request: HttpRequest, body: WorkspaceIn) -> tuple[int, WorkspaceOut]:
    workspace = services.workspace_create(
        actor=_actor(request),
        name=body.name,
        classification=body.classification,
        organisation_id=body.organisation_id,
        description=body.description,
    )
    return 201, _workspace_out(workspace)


@router.get("/workspaces/{workspace_id}", response={200: WorkspaceOut, **errors(404)})
def get_workspace(request: HttpRequest, workspace_id: int) -> WorkspaceOut:
    access = selectors.workspace_get(actor=_actor(request), workspace_id=workspace_id)
    return _workspace_out(access.workspace, access.abilities)


@router.put(
    "/workspaces/{workspace_id}/classification", response={200: WorkspaceOut, **errors(404, 409)}
)
def classify_workspace(
    request: HttpRequest, workspace_id: int, body: ClassificationIn
) -> WorkspaceOut:
    workspace = services.workspace_classify(
        actor=_actor(request), workspace_id=workspace_id, classification=body.classification
    )
    return _workspace_out(workspace)


@router.get(
    "/workspaces/{workspace_id}/members", response={200: list[WorkspaceMemberOut], **errors(404)}
)
def list_members(request: HttpRequest, workspace_id: int) -> list[WorkspaceMemberOut]:
    access = selectors.workspace_get(actor=_actor(request), workspace_id=workspace_id)
    return [_member_out(m) for m in selectors.member_list(workspace=access.workspace)]


@router.post(
    "/workspaces/{workspace_id}/invitations",
    response={201: WorkspaceInvitationOut, **errors(404, 409)},
)
def invite(
    request: HttpRequest, workspace_id: int, body: InviteIn
) -> tuple[int, WorkspaceInvitationOut]:
    invitation = services.invite(
        actor=_actor(request), workspace_id=workspace_id, email=body.email, role=body.role
    )
    return 201, _invitation_out(invitation)


@router.post(
    "/workspaces/{workspace_id}/invitations/{invitation_id}/revoke",
    response={204: None, **errors(404, 409)},
)
def revoke_invitation(
    request: HttpRequest, workspace_id: int, invitation_id: int
) -> tuple[int, None]:
    services.invitation_revoke(
        actor=_actor(request), workspace_id=workspace_id, invitation_id=invitation_id
    )
    return 204, None


@router.put(
    "/workspaces/{workspace_id}/members/{member_id}",
    response={200: WorkspaceMemberOut, **errors(404, 409)},
)
def set_role(
    request: HttpRequest, workspace_id: int, member_id: int, body: RoleIn
) -> WorkspaceMemberOut:
    member = services.member_set_role(
        actor=_actor(request), workspace_id=workspace_id, member_id=member_id, role=body.role
    )
    return _member_out(member)


@router.delete(
    "/workspaces/{workspace_id}/members/{member_id}", response={204: None, **errors(404, 409)}
)
def remove_member(request: HttpRequest, workspace_id: int, member_id: int) -> tuple[int, None]:
    services.member_remove(actor=_actor(request), workspace_id=workspace_id, member_id=member_id)
    return 204, None


@router.post(
    "/workspaces/{workspace_id}/members/{member_id}/transfer",
    response={200: WorkspaceOut, **errors(404, 409)},
)
def transfer(request: HttpRequest, workspace_id: int, member_id: int) -> WorkspaceOut:
    workspace = services.transfer_ownership(
        actor=_actor(request), workspace_id=workspace_id, member_id=member_id
    )
    return _workspace_out(workspace)


@router.post("/workspaces/{workspace_id}/leave", response={204: None, **errors(404, 409)})
def leave(request: HttpRequest, workspace_id: int) -> tuple[int, None]:
    services.leave(actor=_actor(request), workspace_id=workspace_id)
    return 204, None


@router.get("/invitations", response={200: list[WorkspaceInvitationOut], **errors()})
def my_invitations(request: HttpRequest) -> list[WorkspaceInvitationOut]:
    return [_invitation_out(i) for i in selectors.my_invitations(actor=_actor(request))[:500]]


@router.post(
    "/invitations/{invitation_id}/accept", response={200: WorkspaceMemberOut, **errors(404, 409)}
)
def accept(request: HttpRequest, invitation_id: int, body: AcceptIn) -> WorkspaceMemberOut:
    member = services.invitation_accept(
        actor=_actor(request), invitation_id=invitation_id, organisation_id=body.organisation_id
    )
    return _member_out(Member.objects.select_related("user").get(id=member.id))


@router.post("/invitations/{invitation_id}/decline", response={204: None, **errors(404)})
def decline(request: HttpRequest, invitation_id: int) -> tuple[int, None]:
    services.invitation_decline(actor=_actor(request), invitation_id=invitation_id)
    return 204, None


# --- folders and documents ----------------------------------------------------------------------


@router.post("/workspaces/{workspace_id}/folders", response={201: FolderOut, **errors(404, 409)})
def create_folder(request: HttpRequest, workspace_id: int, body: FolderIn) -> tuple[int, Any]:
    folder = services.folder_create(
        actor=_actor(request), workspace_id=workspace_id, name=body.name, parent_id=body.parent_id
    )
    return 201, FolderOut(id=folder.id, name=folder.name, parent_id=folder.parent_id)


@router.get(
    "/workspaces/{workspace_id}/documents", response={200: list[DocumentOut], **errors(404)}
)
def list_documents(
    request: HttpRequest, workspace_id: int, folder_id: int | None = None, trashed: bool = False
) -> list[DocumentOut]:
    access = selectors.workspace_get(actor=_actor(request), workspace_id=workspace_id)
    if trashed and not access.abilities["see_trash"]:
        return []
    documents = selectors.document_list(
        workspace=access.workspace, folder_id=folder_id, trashed=trashed
    )
    return [_document_out(d) for d in documents[:500]]


@router.post(
    "/workspaces/{workspace_id}/documents",
    response={201: VersionOut, 202: HeldOut, **errors(404, 409, 413, 503)},
)
@decorate_view(forwarded_uploads)  # stored and scanned as it arrives (ADR 0690)
def upload(
    request: HttpRequest,
    workspace_id: int,
    file: UploadedFile = File(...),  # noqa: B008 (django-ninja's way to declare a part)
    folder_id: int | None = Form(None),
    classification: str = Form(""),
) -> tuple[int, VersionOut | HeldOut]:
    """A file of at least SAMDRIFT_SCAN_HOLD_FROM_BYTES is answered 202 once stored: it becomes
    a version when its malware scan finds it clean (`status` tells; ADR 0688)."""
    version = services.upload_or_hold(
        actor=_actor(request),
        workspace_id=workspace_id,
        stream=file,
        name=file.name or "",
        content_type=file.content_type,
        folder_id=folder_id,
        classification=classification or None,
    )
    return _uploaded(version)


@router.get("/documents/{document_id}", response={200: DocumentOut, **errors(404)})
def get_document(request: HttpRequest, document_id: int) -> DocumentOut:
    access = selectors.document_get(actor=_actor(request), document_id=document_id)
    return _document_out(access.document, access.abilities)


@router.get("/documents/{document_id}/versions", response={200: list[VersionOut], **errors(404)})
def list_versions(request: HttpRequest, document_id: int) -> list[VersionOut]:
    access = selectors.document_get(actor=_actor(request), document_id=document_id)
    versions = selectors.version_list(document=access.document).select_related("restored_from")
    return [_version_out(v) for v in versions]


@router.post(
    "/documents/{document_id}/versions",
    response={201: VersionOut, 202: HeldOut, **errors(404, 409, 413, 503)},
)
@decorate_view(forwarded_uploads)  # stored and scanned as it arrives (ADR 0690)
def upload_version(
    request: HttpRequest,
    document_id: int,
    file: UploadedFile = File(...),  # noqa: B008
) -> tuple[int, VersionOut | HeldOut]:
    """As the workspace's upload: a large file is answered 202 and held for its scan."""
    actor = _actor(request)
    access = selectors.document_get(actor=actor, document_id=document_id)
    version = services.upload_or_hold(
        actor=actor,
        workspace_id=access.workspace.id,
        stream=file,
        name=file.name or "",
        content_type=file.content_type,
        document_id=document_id,
    )
    return _uploaded(version)


@router.get(
    "/documents/{document_id}/content",
    response={200: None, **errors(404, 409)},
    summary="Download a version (the newest unless `version` is given); recorded as a read",
)
def download(
    request: HttpRequest, document_id: int, version: int | None = None
) -> HttpResponseBase:
    actor = _actor(request)
    access = selectors.document_get(actor=actor, document_id=document_id)
    found = selectors.version_get(document=access.document, number=version)
    services.ensure_download_allowed(access)
    prefetch(found.file)  # read while the read is recorded (ADR 0669)
    services.record_read(actor=actor, access=access, version=found)
    return file_response(found.file, request)


@router.get(
    "/documents/{document_id}/preview",
    response={200: None, **errors(404)},
    summary="A PNG preview of a version (first page of a PDF, or the image); recorded as a read",
)
def preview(request: HttpRequest, document_id: int, version: int | None = None) -> HttpResponseBase:
    actor = _actor(request)
    access = selectors.document_get(actor=actor, document_id=document_id)
    found = selectors.version_get(document=access.document, number=version)
    if not access.abilities["preview"] or found.preview_id is None or found.preview is None:
        raise NotFound("preview")
    services.record_read(actor=actor, access=access, version=found, how="preview")
    return file_response(found.preview, request)


@router.post(
    "/documents/{document_id}/versions/{number}/restore",
    response={201: VersionOut, **errors(404, 409)},
)
def restore_version(request: HttpRequest, document_id: int, number: int) -> tuple[int, Any]:
    version = services.version_restore(
        actor=_actor(request), document_id=document_id, number=number
    )
    return 201, _version_out(version)


def _document_action(path: str, name: str) -> None:
    service = getattr(services, name)

    def operation(request: HttpRequest, document_id: int) -> DocumentOut:
        return _document_out(service(actor=_actor(request), document_id=document_id))

    operation.__name__ = name
    router.post(
        path, response={200: DocumentOut, **errors(404, 409)}, operation_id=f"collaboration_{name}"
    )(operation)


_document_action("/documents/{document_id}/lock", "document_lock")
_document_action("/documents/{document_id}/unlock", "document_unlock")
_document_action("/documents/{document_id}/trash", "document_trash")
_document_action("/documents/{document_id}/untrash", "document_untrash")
_document_action("/documents/{document_id}/publish", "document_publish")
_document_action("/documents/{document_id}/unpublish", "document_unpublish")


@router.put(
    "/workspaces/{workspace_id}/publishing", response={200: WorkspaceOut, **errors(404, 409)}
)
def workspace_publishing(
    request: HttpRequest, workspace_id: int, body: PublishingIn
) -> WorkspaceOut:
    """The owner's setting: a PDF is published only when its current version passed the check."""
    workspace = services.workspace_publishing(
        actor=_actor(request),
        workspace_id=workspace_id,
        require_accessible_pdfs=body.require_accessible_pdfs,
    )
    return _workspace_out(workspace)


# --- the agency's own confidentiality scale (ADR 0617) -------------------------------------------


def _scale_out(organisation_id: int, actor: Actor) -> ScaleOut:
    scale = selectors.scale_get(actor=actor, organisation_id=organisation_id)
    labels = [
        ScaleLabelOut(id=label.id, name_sv=label.name_sv, name_en=label.name_en,
                      level=label.level, used_by=scale.uses.get(label.id, 0))
        for label in scale.labels
    ]  # fmt: skip
    return ScaleOut(organisation_id=organisation_id, labels=labels)


@router.get("/agencies/{agency_id}/scale", response={200: ScaleOut, **errors(404)})
def get_scale(request: HttpRequest, agency_id: int) -> ScaleOut:
    """The agency's own labels and their KLASSA levels; for its security role only."""
    return _scale_out(agency_id, _actor(request))


@router.put("/agencies/{agency_id}/scale", response={200: ScaleOut, **errors(404, 422)})
def put_scale(request: HttpRequest, agency_id: int, body: ScaleIn) -> ScaleOut:
    """Replace the scale, all or nothing: every label mapped to a level 0–3, a label in use keeps
    its level and stays."""
    actor = _actor(request)
    services.scale_set(
        actor=actor,
        organisation_id=agency_id,
        labels=[label.dict() for label in body.labels],
    )
    return _scale_out(agency_id, actor)


@router.put(
    "/documents/{document_id}/classification", response={200: DocumentOut, **errors(404, 409)}
)
def classify_document(
    request: HttpRequest, document_id: int, body: ClassificationIn
) -> DocumentOut:
    document = services.document_classify(
        actor=_actor(request), document_id=document_id, classification=body.classification
    )
    return _document_out(document)


@router.get("/documents/{document_id}/reads", response={200: list[ReadOut], **errors(404)})
def reads(request: HttpRequest, document_id: int) -> list[ReadOut]:
    access = selectors.document_get(actor=_actor(request), document_id=document_id)
    out = []
    for event in selectors.read_log(access=access)[:500]:
        after = event.after or {}
        out.append(
            ReadOut(
                at=event.at,
                who=event.actor_label,
                agency_id=after.get("agency"),
                access=str(after.get("access", "")),
                version=after.get("version"),
            )
        )
    return out


# The share-link operations (ADR 0609) live in their own module.
api_shares.register(router)
api_held.register(router)
