"""Changes of a document: check-out lock, trash and restore, class (ADRs 0601, 0602)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from samdrift.audit.services import audit_record, snapshot
from samdrift.core.actor import Actor
from samdrift.core.exceptions import ValidationFailed
from samdrift.core.search import services as search_index

from ..models import DavLock, Document
from ..permissions import document_abilities
from ..policy import parse_classification
from ..selectors import SEARCH_KIND, in_folder, require_level
from .common import (
    ALREADY_LOCKED,
    BELOW_WORKSPACE,
    LOWER_NEEDS_SECURITY,
    NAME_TAKEN,
    NOT_ALLOWED,
    _document_for,
    _locked,
    _refuse,
)
from .scale import LABEL_PREFIX, resolve_class
from .search import _reindex_document


def _document_change(
    actor: Actor, document_id: int, ability: str, action: str, **fields: Any
) -> Document:
    with transaction.atomic():
        document, _me = _document_for(actor, document_id, ability)
        before = snapshot(document, list(fields))
        for field, value in fields.items():
            setattr(document, field, value)
        document.save(update_fields=[*fields, "updated_at"])
        audit_record(
            actor=actor,
            action=action,
            obj=document,
            organisation_id=document.workspace.owner_org_id,
            before=before,
            after=snapshot(document, list(fields)),
        )
    return document


def document_lock(*, actor: Actor, document_id: int) -> Document:
    with transaction.atomic():
        current, _me = _document_for(actor, document_id, "view")
        if current.locked_by_id is not None:
            if current.locked_by_id == actor.user_id:
                raise _refuse(ALREADY_LOCKED)
            raise _locked(current)
        return _document_change(
            actor,
            document_id,
            "lock",
            "collaboration.document_lock",
            locked_by_id=actor.user_id,
            locked_at=timezone.now(),
        )


def document_unlock(*, actor: Actor, document_id: int) -> Document:
    """A check-in on the web also ends the document's WebDAV locks (ADR 0687): the program
    that held one gets 412 on its next write, not a silent overwrite."""
    with transaction.atomic():
        document = _document_change(
            actor,
            document_id,
            "unlock",
            "collaboration.document_unlock",
            locked_by_id=None,
            locked_at=None,
        )
        DavLock.objects.filter(document_id=document_id).delete()
    return document


def document_trash(*, actor: Actor, document_id: int) -> Document:
    with transaction.atomic():
        document = _document_change(
            actor,
            document_id,
            "trash",
            "collaboration.document_trash",
            trashed_at=timezone.now(),
            trashed_by_id=actor.user_id,
            locked_by_id=None,
            locked_at=None,
        )
        DavLock.objects.filter(document_id=document_id).delete()
        # out of the index once the trashing is committed; back in on untrash (ADR 0607)
        transaction.on_commit(
            lambda: search_index.remove_entry(kind=SEARCH_KIND, object_id=document_id)
        )
    return document


def document_untrash(*, actor: Actor, document_id: int) -> Document:
    with transaction.atomic():
        document, _me = _document_for(actor, document_id, "untrash")
        if document.workspace.documents.filter(
            **in_folder(document.folder_id), name=document.name, trashed_at__isnull=True
        ).exists():
            raise ValidationFailed(NAME_TAKEN, errors={"name": [str(NAME_TAKEN)]})
        document = _document_change(
            actor,
            document_id,
            "untrash",
            "collaboration.document_untrash",
            trashed_at=None,
            trashed_by_id=None,
        )
        _reindex_document(document)
        return document


def document_classify(*, actor: Actor, document_id: int, classification: Any) -> Document:
    """Raise (owner) or lower (the owner agency's security role) a document's class, by KLASSA
    level or by one of the owning agency's labels (ADR 0617); never below its workspace's."""
    if not str(classification or "").strip().lower().startswith(LABEL_PREFIX):
        parse_classification(classification)
    with transaction.atomic():
        document, _me = _document_for(actor, document_id, "view")
        workspace = document.workspace
        level, label_id = resolve_class(classification, workspace.owner_org_id)
        if level < workspace.classification:
            raise ValidationFailed(
                BELOW_WORKSPACE,
                errors={
                    "classification": [str(BELOW_WORKSPACE) % {"cls": workspace.classification}]
                },
                cls=workspace.classification,
            )
        require_level(actor, max(level, document.classification))
        abilities = document_abilities(
            actor=actor, document=document, workspace=workspace, member=_me
        )
        if level < document.classification and not abilities["lower_class"]:
            raise _refuse(LOWER_NEEDS_SECURITY)
        if level == document.classification and label_id == document.scale_label_id:
            return document
        if not (abilities["raise_class"] or abilities["lower_class"]):
            raise _refuse(NOT_ALLOWED)
        return _document_change(
            actor,
            document_id,
            "view",
            "collaboration.document_classify",
            classification=level,
            scale_label_id=label_id,
        )
