"""Renaming and moving a document within its workspace (ADR 0615): what a desktop program's
MOVE does over WebDAV. The same checks as an upload's name, the same rights as a new version."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, ValidationFailed

from ..models import Document
from ..selectors import in_folder
from ..validation import check_name
from .common import _document_for
from .search import _reindex_document

FILE_NAME_TAKEN = _("There is already a document with that name here.")


def document_move(
    *, actor: Actor, document_id: int, name: str, folder_id: int | None = None
) -> Document:
    """Give the document a new name and/or folder of the same workspace. Refused: unsafe
    names (ADR 0603), a name taken in the target folder, a folder of another workspace, a
    document in the trash or checked out by someone else, a reader."""
    clean = check_name(name)
    with transaction.atomic():
        document, _me = _document_for(actor, document_id, "upload_version")
        workspace = document.workspace
        if folder_id is not None and not workspace.folders.filter(id=folder_id).exists():
            raise NotFound("folder")
        if (clean, folder_id) == (document.name, document.folder_id):
            return document
        if (
            workspace.documents.filter(**in_folder(folder_id), name=clean, trashed_at__isnull=True)
            .exclude(id=document.id)
            .exists()
        ):
            raise ValidationFailed(FILE_NAME_TAKEN, errors={"name": [str(FILE_NAME_TAKEN)]})
        before = {"name": document.name, "folder": document.folder_id}
        document.name = clean
        document.folder_id = folder_id
        document.save(update_fields=["name", "folder", "updated_at"])
        audit_record(
            actor=actor,
            action="collaboration.document_move",
            obj=document,
            organisation_id=workspace.owner_org_id,
            before=before,
            after={"name": clean, "folder": folder_id},
        )
        _reindex_document(document)  # the title is indexed
    return document
