"""Folders, uploads and versions (ADRs 0602, 0603, 0606): refused before a byte is kept, one
version per save, restore without copying."""

from __future__ import annotations

from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.files.scanning import require_clean
from samdrift.core.files.services import FileTooLarge, max_upload_bytes, staged

from ..models import Document, Folder, Version, Workspace
from ..policy import parse_classification
from ..selectors import (
    agency_quota_bytes,
    agency_used_bytes,
    in_folder,
    require_level,
    used_bytes,
    workspace_scope,
)
from ..validation import check_content, check_name
from .common import (
    AGENCY_QUOTA,
    BELOW_WORKSPACE,
    NAME_TAKEN,
    QUOTA,
    TRASHED,
    _document_for,
    _locked,
    _refuse,
    _workspace_for,
)
from .hooks import _run_version_hooks
from .publishing import unpublish_for_new_version
from .scale import LABEL_PREFIX, resolve_class


def folder_create(
    *, actor: Actor, workspace_id: int, name: str, parent_id: int | None = None
) -> Folder:
    clean = check_name(name)
    with transaction.atomic():
        workspace, _me = _workspace_for(actor, workspace_id, "make_folder")
        if parent_id is not None and not workspace.folders.filter(id=parent_id).exists():
            raise NotFound("folder")
        if workspace.folders.filter(parent_id=parent_id, name=clean).exists():
            raise ValidationFailed(NAME_TAKEN, errors={"name": [str(NAME_TAKEN)]})
        try:
            with transaction.atomic():
                folder = Folder.objects.create(workspace=workspace, parent_id=parent_id, name=clean)
        except IntegrityError:
            raise ValidationFailed(NAME_TAKEN, errors={"name": [str(NAME_TAKEN)]}) from None
        audit_record(
            actor=actor,
            action="collaboration.folder_create",
            obj=folder,
            organisation_id=workspace.owner_org_id,
            after={"workspace": workspace.id, "name": clean, "parent": parent_id},
        )
    return folder


def _refusal(message: Any, quota: int, used: int) -> ValidationFailed:
    free = max(quota - used, 0)
    params = {"free": f"{free / 1024 / 1024:.1f}", "quota": f"{quota / 1024 / 1024:.1f}"}
    return ValidationFailed(
        message, errors={"file": [str(message) % params]}, code="quota_exceeded", **params
    )


def _room(workspace: Workspace) -> tuple[int, ValidationFailed]:
    """The bytes the workspace may still take, and the refusal to give when they do not fit: the
    tighter of its own quota and its owning agency's (ADR 0611)."""
    used = used_bytes(workspace_id=workspace.id)
    agency_quota = agency_quota_bytes(org_id=workspace.owner_org_id)
    agency_used = agency_used_bytes(org_id=workspace.owner_org_id)
    own_room = workspace.quota_bytes - used
    agency_room = agency_quota - agency_used
    if agency_room < own_room:
        return agency_room, _refusal(AGENCY_QUOTA, agency_quota, agency_used)
    return own_room, _refusal(QUOTA, workspace.quota_bytes, used)


def upload(
    *,
    actor: Actor,
    workspace_id: int,
    stream: IO[bytes] | Any,
    name: str,
    content_type: str | None = None,
    folder_id: int | None = None,
    document_id: int | None = None,
    classification: Any = None,
) -> Version:
    """Store a file as a new document, or as a new version of `document_id` (or of the document
    of the same name in the same folder). Refused before a byte is kept: unsafe names, content
    that does not match its extension, over the size limit or the quota, empty files, a document
    checked out by someone else, malware (or no scanner to ask)."""
    clean = check_name(name, "file")
    check_content(stream, clean)
    # A first look, outside the transaction, to refuse early and to cap the stream.
    workspace = Workspace.objects.filter(workspace_scope(actor), id=workspace_id).first()
    if workspace is None:
        raise NotFound("workspace")
    limit = max_upload_bytes()
    room, refusal = _room(workspace)
    declared = getattr(stream, "size", None)
    if room <= 0 or (isinstance(declared, int) and declared > room and declared <= limit):
        raise refusal
    if classification in (None, ""):
        classification = None
    elif not str(classification).strip().lower().startswith(LABEL_PREFIX):
        parse_classification(classification)  # refused before the bytes are read
    # Malware scanning before a byte is stored (ADR 0606): infected is refused (422), an
    # unreachable scanner refuses too (503, fail closed); `SAMDRIFT_CLAMD` empty = off (dev).
    require_clean(stream)
    try:
        with (
            staged(
                stream,
                clean,
                content_type,
                actor=actor,
                owner_org_id=workspace.owner_org_id,
                max_bytes=min(limit, room),
            ) as stored,
            transaction.atomic(),
        ):
            version = _link_version(
                actor, workspace_id, stored, clean, folder_id, document_id, classification
            )
    except FileTooLarge:
        if room < limit:
            raise refusal from None
        raise
    transaction.on_commit(lambda: _run_version_hooks(version.id))
    return version


def _link_version(
    actor: Actor,
    workspace_id: int,
    stored: Any,
    name: str,
    folder_id: int | None,
    document_id: int | None,
    classification: Any,
) -> Version:
    workspace, _me = _workspace_for(actor, workspace_id, "upload")
    room, refusal = _room(workspace)  # again, under the workspace's lock
    if stored.size > room:
        raise refusal
    if folder_id is not None and not workspace.folders.filter(id=folder_id).exists():
        raise NotFound("folder")
    document: Document | None
    if document_id is not None:
        document = workspace.documents.select_for_update().filter(id=document_id).first()
        if document is None:
            raise NotFound("document")
    else:
        document = (
            workspace.documents.select_for_update()
            .filter(**in_folder(folder_id), name=name, trashed_at__isnull=True)
            .first()
        )
    created = document is None
    if document is None:
        cls, label_id = (
            (workspace.classification, workspace.scale_label_id)
            if classification is None
            else resolve_class(classification, workspace.owner_org_id)
        )
        if cls < workspace.classification:
            raise ValidationFailed(BELOW_WORKSPACE, errors={"classification": [str(BELOW_WORKSPACE) % {"cls": workspace.classification}]}, cls=workspace.classification)  # fmt: skip
        require_level(actor, cls)
        document = Document.objects.create(
            workspace=workspace,
            folder_id=folder_id,
            name=name,
            classification=cls,
            scale_label_id=label_id,
            created_by_id=actor.user_id,
        )
    else:
        require_level(actor, document.classification)
        if document.trashed_at is not None:
            raise _refuse(TRASHED)
        if document.locked_by_id and document.locked_by_id != actor.user_id:
            raise _locked(document)
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


def version_restore(*, actor: Actor, document_id: int, number: int) -> Version:
    """A new version with an old version's bytes (nothing is copied; the quota is not charged)."""
    with transaction.atomic():
        document, _me = _document_for(actor, document_id, "restore_version")
        old = document.versions.filter(number=number).first()
        if old is None:
            raise NotFound("version")
        last = document.versions.order_by("-number").values_list("number", flat=True).first()
        version = Version.objects.create(
            document=document,
            number=(last or 0) + 1,
            file_id=old.file_id,
            size=old.size,
            sha256=old.sha256,
            content_type=old.content_type,
            restored_from=old,
            created_by_id=actor.user_id,
        )
        unpublished = unpublish_for_new_version(document)
        audit_record(
            actor=actor,
            action="collaboration.version_restore",
            obj=document,
            organisation_id=document.workspace.owner_org_id,
            after={"version": version.number, "restored_from": old.number,
                   **({"unpublished": True} if unpublished else {})},
        )  # fmt: skip
    transaction.on_commit(lambda: _run_version_hooks(version.id))
    return version
