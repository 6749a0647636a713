"""Folders, uploads and versions (ADRs 0602, 0603, 0606): refused before a byte is kept, one
version per save, restore without copying."""

from __future__ import annotations

from typing import IO, Any

from django.db import IntegrityError, transaction

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.files import scanning
from samdrift.core.files.models import StoredFile
from samdrift.core.files.scanning import require_clean
from samdrift.core.files.services import FileTooLarge, max_upload_bytes, staged

from ..models import Folder, HeldUpload, Version, Workspace
from ..policy import parse_classification
from ..selectors import workspace_scope
from ..validation import check_content, check_name
from .common import NAME_TAKEN, _document_for, _workspace_for
from .held import release_held_upload
from .hooks import _run_version_hooks
from .linking import Target, _link_version, _room, check_target
from .publishing import unpublish_for_new_version
from .scale import LABEL_PREFIX


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
    stored = _upload(
        actor, workspace_id, stream, name, content_type, folder_id, document_id, classification,
        may_hold=False,
    )  # fmt: skip
    if isinstance(stored, HeldUpload):  # cannot happen: may_hold=False holds nothing
        raise TypeError("an upload that may not be held was held")
    return stored


def upload_or_hold(
    *,
    actor: Actor,
    workspace_id: int,
    stream: IO[bytes] | Any,
    name: str,
    content_type: str | None = None,
    folder_id: int | None = None,
    document_id: int | None = None,
    classification: Any = None,
) -> Version | HeldUpload:
    """As `upload`, for the pages and the API: a file of at least `SAMDRIFT_SCAN_HOLD_FROM_BYTES`
    is stored after the same checks and answered at once as a `HeldUpload`; the malware scan
    reads it in the background and only then does it become a version (ADR 0688)."""
    return _upload(
        actor, workspace_id, stream, name, content_type, folder_id, document_id, classification,
        may_hold=True,
    )  # fmt: skip


def _upload(
    actor: Actor,
    workspace_id: int,
    stream: IO[bytes] | Any,
    name: str,
    content_type: str | None,
    folder_id: int | None,
    document_id: int | None,
    classification: Any,
    *,
    may_hold: bool,
) -> Version | HeldUpload:
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
    uploader = actor.user_id  # a held upload is released in its uploader's name
    hold = (
        may_hold
        and uploader is not None
        and (
            getattr(stream, "scanned_after_storing", False)  # as its request's handler judged
            or (isinstance(declared, int) and scanning.may_hold(declared))
        )
    )
    if not hold:
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
            target = Target(workspace_id, clean, folder_id, document_id, classification)
            if hold and uploader is not None:
                return _hold(actor, target, stored, uploader)
            version = _link_version(actor, target, stored)
    except FileTooLarge:
        if room < limit:
            raise refusal from None
        raise
    transaction.on_commit(lambda: _run_version_hooks(version.id))
    return version


def _hold(actor: Actor, target: Target, stored: StoredFile, uploader: int) -> HeldUpload:
    """Bytes stored but no version yet: checked now as a version would be, kept from the quota,
    and released or refused by `held.release` once scanned (ADR 0688)."""
    workspace, document, _class = check_target(actor, target, stored.size)
    stored.save(force_insert=True)
    held = HeldUpload.objects.create(
        workspace=workspace,
        folder_id=target.folder_id,
        document_id=document.id if document is not None else None,
        name=target.name,
        classification=str(target.classification or ""),
        file=stored,
        size=stored.size,
        sha256=stored.sha256,
        created_by_id=uploader,
        loa_rank=actor.loa_rank,
    )
    audit_record(
        actor=actor,
        action="collaboration.upload_held",
        obj=held,
        organisation_id=workspace.owner_org_id,
        after={"name": held.name, "size": held.size, "sha256": held.sha256,
               "document": held.document_id, "folder": held.folder_id},
    )  # fmt: skip
    transaction.on_commit(lambda: release_held_upload.enqueue(held.id))
    return held


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
