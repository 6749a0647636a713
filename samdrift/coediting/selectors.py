"""Reads of live documents, always for an actor (ADR 0680).

A document is seen where its workspace is (collaboration's `workspace_scope`); anyone else gets
the same `NotFound` as for a document that does not exist. A class that demands a stronger login
raises `StepUpRequired`, only once the document is known to be in sight."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone
from pycrdt import merge_updates

from samdrift.collaboration.selectors import (
    ShownImage,
    WorkspaceAccess,
    require_level,
    workspace_accesses,
    workspace_get,
    workspace_images,
    workspace_list,
)
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound
from samdrift.core.tenancy import visible_or_404

from .choices import DocKind
from .models import LiveDoc, LiveUpdate, LiveVersion
from .permissions import doc_abilities, image_may_show

DATABASE_SESSIONS = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


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


def docs_for_writers(pairs: Sequence[tuple[Actor, int]]) -> list[DocAccess | Exception]:
    """`doc_get` for each (actor, document) of a batch, in order: what the batched writer (ADR
    0684) asks before every write. Two queries whatever the number of writers: the documents
    with their workspaces, then the members (`workspace_accesses`, the workspace rules). A
    document the actor may not see is `NotFound`, one whose class wants a stronger login
    `StepUpRequired`."""
    docs = {
        d.pk: d
        for d in LiveDoc.objects.select_related("workspace")
        .defer("snapshot")
        .filter(id__in={doc_id for _a, doc_id in pairs})
        .order_by()
    }
    unique = list(dict.fromkeys((id(a), d) for a, d in pairs if d in docs))
    actors = {id(actor): actor for actor, _d in pairs}
    accesses = workspace_accesses([(actors[a], docs[d].workspace) for a, d in unique])
    known: dict[tuple[int, int], DocAccess | Exception] = {}
    for (actor_key, doc_id), access in zip(unique, accesses, strict=True):
        doc = docs[doc_id]
        known[actor_key, doc_id] = (
            NotFound("document")  # a workspace out of sight hides its documents
            if isinstance(access, NotFound)
            else access
            if isinstance(access, Exception)
            else DocAccess(
                doc, access, doc_abilities(access.abilities, doc.workspace.classification)
            )
        )
    return [known.get((id(a), d), NotFound("document")) for a, d in pairs]


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
    """The images a note may show (ADR 0686): its workspace's, no higher in class than it. A
    whiteboard shows none."""
    if access.doc.kind != DocKind.NOTE:
        return []
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


def live_sessions(users_by_session: dict[str, int]) -> set[str]:
    """Of these sessions (key → the user it was resolved for), those still live: not logged out
    or expired, and their account still active. Two queries for the writer's whole batch (ADR
    0689) with sessions in the database (samdrift's engines); one per session otherwise."""
    if not users_by_session:
        return set()
    if settings.SESSION_ENGINE in DATABASE_SESSIONS:
        rows = list(
            Session.objects.filter(
                session_key__in=list(users_by_session), expire_date__gt=timezone.now()
            ).values_list("session_key", flat=True)
        )
    else:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        rows = [key for key in users_by_session if store().exists(key)]
    active = set(
        get_user_model()
        .objects.filter(pk__in=set(users_by_session.values()), is_active=True)
        .values_list("pk", flat=True)
    )
    return {key for key in rows if users_by_session[key] in active}
