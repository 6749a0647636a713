"""Reads of live documents, always for an actor (ADR 0680).

A document is seen where its workspace is (collaboration's `workspace_scope`); anyone else gets
the same `NotFound` as for a document that does not exist. A class that demands a stronger login
raises `StepUpRequired`, only once the document is known to be in sight."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from pycrdt import merge_updates

from samdrift.collaboration.selectors import (
    ShownImage,
    WorkspaceAccess,
    require_level,
    workspace_access,
    workspace_get,
    workspace_images,
    workspace_list,
)
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound
from samdrift.core.tenancy import StepUpRequired, visible_or_404

from .models import LiveDoc, LiveUpdate, LiveVersion
from .permissions import doc_abilities, image_may_show


@dataclass(frozen=True)
class DocAccess:
    doc: LiveDoc
    workspace: WorkspaceAccess
    abilities: dict[str, Any]


def _docs(actor: Actor) -> QuerySet[LiveDoc]:
    seen = workspace_list(actor=actor).order_by().values("id")
    return LiveDoc.objects.select_related("workspace").filter(workspace_id__in=seen)


def doc_get(*, actor: Actor, doc_id: int) -> DocAccess:
    doc = visible_or_404(_docs(actor).defer("snapshot"), "document", id=doc_id)
    require_level(actor, doc.workspace.classification)
    workspace = workspace_get(actor=actor, workspace_id=doc.workspace_id)
    return DocAccess(
        doc, workspace, doc_abilities(workspace.abilities, doc.workspace.classification)
    )


def docs_for_writing(*, actor: Actor, doc_ids: Iterable[int]) -> dict[int, DocAccess | Exception]:
    """`doc_get` for several documents in one query of documents and one workspace check per
    workspace: what the batched writer (ADR 0684) asks for every batch. A document the actor may
    not see maps to `NotFound`, one whose class wants a stronger login to `StepUpRequired`."""
    wanted = set(doc_ids)
    found = {d.pk: d for d in _docs(actor).defer("snapshot").filter(id__in=wanted)}
    workspaces: dict[int, WorkspaceAccess | Exception] = {}
    result: dict[int, DocAccess | Exception] = {}
    for doc_id in wanted:
        doc = found.get(doc_id)
        if doc is None:
            result[doc_id] = NotFound("document")
            continue
        if doc.workspace_id not in workspaces:
            try:  # the document is in sight, so its workspace is: not read again
                workspaces[doc.workspace_id] = workspace_access(
                    actor=actor, workspace=doc.workspace
                )
            except StepUpRequired as refusal:
                workspaces[doc.workspace_id] = refusal
        access = workspaces[doc.workspace_id]
        result[doc_id] = (
            access
            if isinstance(access, Exception)
            else DocAccess(
                doc, access, doc_abilities(access.abilities, doc.workspace.classification)
            )
        )
    return result


def doc_list(*, workspace: WorkspaceAccess, limit: int = 200) -> QuerySet[LiveDoc]:
    return LiveDoc.objects.filter(workspace=workspace.workspace).defer("snapshot")[:limit]


def doc_state(*, doc_id: int) -> tuple[bytes, int]:
    """The document's whole state as one Yjs update, and the last update it includes."""
    snapshot, upto = LiveDoc.objects.values_list("snapshot", "snapshot_upto").get(pk=doc_id)
    rows = list(
        LiveUpdate.objects.filter(doc_id=doc_id, id__gt=upto)
        .order_by("id")
        .values_list("id", "data")
    )
    parts = [bytes(snapshot)] if snapshot else []
    parts += [bytes(data) for _, data in rows]
    last = rows[-1][0] if rows else upto
    if not parts:
        return b"", last
    return (parts[0] if len(parts) == 1 else merge_updates(*parts)), last


def version_list(*, doc: LiveDoc, limit: int = 100) -> QuerySet[LiveVersion]:
    return doc.versions.defer("state").select_related("created_by")[:limit]


def version_get(*, doc: LiveDoc, version_id: int) -> LiveVersion:
    return visible_or_404(doc.versions.all(), "version", id=version_id)


def note_images(*, access: DocAccess, ids: Collection[int] | None = None) -> list[ShownImage]:
    """The images a note may show (ADR 0686): its workspace's, no higher in class than it."""
    workspace = access.doc.workspace
    return [
        shown
        for shown in workspace_images(workspace=workspace, ids=ids)
        if image_may_show(
            note_workspace_id=workspace.pk,
            note_class=workspace.classification,
            image=shown.document,
        )
    ]
