"""Where an upload's bytes become a version (ADRs 0603, 0688): the checks an upload passes
under its workspace's lock (right, quota, folder, the document's level, trash and check-out, a
new document's class) and the rows it makes. A direct upload and a held one, once found clean,
both come through here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.files.models import StoredFile

from ..models import Document, Version, Workspace
from ..selectors import (
    agency_held_bytes,
    agency_quota_bytes,
    agency_used_bytes,
    held_bytes,
    in_folder,
    require_level,
    used_bytes,
)
from .common import AGENCY_QUOTA, BELOW_WORKSPACE, QUOTA, TRASHED, _locked, _refuse, _workspace_for
from .publishing import unpublish_for_new_version
from .scale import resolve_class


def _refusal(message: Any, quota: int, used: int) -> ValidationFailed:
    free = max(quota - used, 0)
    params = {"free": f"{free / 1024 / 1024:.1f}", "quota": f"{quota / 1024 / 1024:.1f}"}
    return ValidationFailed(
        message, errors={"file": [str(message) % params]}, code="quota_exceeded", **params
    )


def _room(workspace: Workspace) -> tuple[int, ValidationFailed]:
    """The bytes the workspace may still take, and the refusal to give when they do not fit: the
    tighter of its own quota and its owning agency's (ADR 0611)."""
    # Uploads held for their scan (ADR 0688) keep their bytes from the quota until decided.
    used = used_bytes(workspace_id=workspace.id) + held_bytes(workspace_id=workspace.id)
    agency_quota = agency_quota_bytes(org_id=workspace.owner_org_id)
    agency_used = agency_used_bytes(org_id=workspace.owner_org_id) + agency_held_bytes(
        org_id=workspace.owner_org_id
    )
    own_room = workspace.quota_bytes - used
    agency_room = agency_quota - agency_used
    if agency_room < own_room:
        return agency_room, _refusal(AGENCY_QUOTA, agency_quota, agency_used)
    return own_room, _refusal(QUOTA, workspace.quota_bytes, used)


@dataclass(frozen=True)
class Target:
    """Where an upload goes: a workspace, a folder, the document (by id, or by name in the
    folder), and a class for a new document."""

    workspace_id: int
    name: str
    folder_id: int | None
    document_id: int | None
    classification: Any


def check_target(
    actor: Actor, target: Target, size: int, *, waiting: int = 0
) -> tuple[Workspace, Document | None, tuple[int, int | None]]:
    """Whether `actor` may store `size` bytes at `target` now, under the workspace's lock: the
    workspace's right, quota (`waiting`: bytes of this upload already kept from it while it was
    held), folder, and the document's level, trash and check-out; or a new document's class.
    Returns the workspace, the existing document (locked) and the class for a new one."""
    workspace, _me = _workspace_for(actor, target.workspace_id, "upload")
    room, refusal = _room(workspace)  # again, under the workspace's lock
    if size > room + waiting:
        raise refusal
    folder_id = target.folder_id
    if folder_id is not None and not workspace.folders.filter(id=folder_id).exists():
        raise NotFound("folder")
    document: Document | None
    if target.document_id is not None:
        document = workspace.documents.select_for_update().filter(id=target.document_id).first()
        if document is None:
            raise NotFound("document")
    else:
        document = (
            workspace.documents.select_for_update()
            .filter(**in_folder(folder_id), name=target.name, trashed_at__isnull=True)
            .first()
        )
    if document is None:
        cls, label_id = (
            (workspace.classification, workspace.scale_label_id)
            if target.classification is None
            else resolve_class(target.classification, workspace.owner_org_id)
        )
        if cls < workspace.classification:
            raise ValidationFailed(BELOW_WORKSPACE, errors={"classification": [str(BELOW_WORKSPACE) % {"cls": workspace.classification}]}, cls=workspace.classification)  # fmt: skip
        require_level(actor, cls)
        return workspace, None, (cls, label_id)
    require_level(actor, document.classification)
    if document.trashed_at is not None:
        raise _refuse(TRASHED)
    if document.locked_by_id and document.locked_by_id != actor.user_id:
        raise _locked(document)
    return workspace, document, (document.classification, document.scale_label_id)


def _link_version(actor: Actor, target: Target, stored: StoredFile, *, waiting: int = 0) -> Version:
    """The version (and, when new, the document) for bytes already in storage; `stored` is
    saved here unless it already was (a held upload's)."""
    workspace, document, (cls, label_id) = check_target(actor, target, stored.size, waiting=waiting)
    created = document is None
    if document is None:
        document = Document.objects.create(
            workspace=workspace,
            folder_id=target.folder_id,
            name=target.name,
            classification=cls,
            scale_label_id=label_id,
            created_by_id=actor.user_id,
        )
    if stored._state.adding:
        stored.save(force_insert=True)
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = Version.objects.create(
        document=document,
        number=last + 1,
        file=stored,
        size=stored.size,
        sha256=stored.sha256,
        content_type=stored.content_type,
        created_by_id=actor.user_id,
    )
    # a new version is a draft again: it has to be checked and published anew (ADR 0618)
    unpublished = unpublish_for_new_version(document)
    Document.objects.filter(id=document.id).update(updated_at=timezone.now())
    Workspace.objects.filter(id=workspace.id).update(used_bytes=F("used_bytes") + version.size)
    audit_record(
        actor=actor,
        action="collaboration.document_create" if created else "collaboration.version_add",
        obj=document,
        organisation_id=workspace.owner_org_id,
        after={"version": version.number, "size": version.size, "sha256": version.sha256,
               "name": document.name, "classification": document.classification,
               **({"unpublished": True} if unpublished else {})},
    )  # fmt: skip
    return version
