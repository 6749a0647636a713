"""Changes to live documents (ADRs 0680, 0681, 0684). Every update is checked against the workspace's
rules when it arrives (not only when the connection opened), written, and only then shared."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Count, F, Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from pycrdt import Doc, merge_updates

from samdrift.audit.services import audit_read, audit_record
from samdrift.collaboration.selectors import workspace_get
from samdrift.core import pdf
from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from samdrift.core.i18n import page_language

from . import export, export_docx, images, selectors
from .choices import DocKind
from .models import LiveDoc, LiveUpdate, LiveVersion

#: Updates folded into the snapshot once this many are waiting: opening a document then reads
#: one snapshot and at most this many small rows.
COMPACT_AFTER = 200
MAX_STATE_BYTES = 32 * 1024 * 1024
#: A document's `changed_at` (shown to the minute) is moved on at most this often, not by every
#: keystroke's update; each update row keeps its own exact time.
CHANGED_GRAIN = timedelta(seconds=10)

READ_ONLY = _("You can read this document but not change it.")
VIEW_ONLY = _(
    "This workspace's class allows viewing only: its documents cannot be exported from SAFOS."
)
STALE = _("The document was restored to a version since you opened it. Reload to continue.")
UNREADABLE = _("This is not a Yjs document state: it cannot be decoded.")
BEFORE_RESTORING = _("Before restoring")
BOARD_DESCRIPTION = _("A whiteboard with %(count)s items.")
# Field messages stay lazy so the API can give them in both languages.
KIND_RULE: Any = _("Choose a note or a whiteboard.")
TITLE_RULE: Any = _("Give a title of at most 200 characters.")
NAME_RULE: Any = _("Give a name of at most 120 characters.")


#: The files a document can be exported as, by kind, with their media types.
EXPORT_FORMATS: dict[str, dict[str, str]] = {
    DocKind.NOTE: {
        "html": "text/html; charset=utf-8",
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    },
    DocKind.BOARD: {"svg": "image/svg+xml", "png": "image/png"},
}


class StaleGeneration(BusinessRuleViolation):
    code = "stale_generation"


def group_name(doc_id: int) -> str:
    """The channel-layer group of a document's editors (Redis at scale, ADR 0681)."""
    return f"coedit.{doc_id}"


def check_update(update: bytes) -> Doc:
    """A Doc holding `update`, or ValidationFailed when it is not a Yjs update."""
    doc: Doc = Doc()
    try:
        doc.apply_update(update)
    except (ValueError, RuntimeError) as exc:
        raise ValidationFailed(UNREADABLE, code="unreadable") from exc
    return doc


def doc_create(*, actor: Actor, workspace_id: int, kind: str, title: str) -> LiveDoc:
    title = (title or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in DocKind.values:
        errors["kind"] = [KIND_RULE]
    if not title or len(title) > 200:
        errors["title"] = [TITLE_RULE]
    if errors:
        raise ValidationFailed(_("The document could not be created."), errors=errors)
    with transaction.atomic():
        access = workspace_get(actor=actor, workspace_id=workspace_id)
        if not access.abilities["upload"]:
            raise PermissionDenied(_("Only the workspace's editors can create documents."))
        doc = LiveDoc.objects.create(
            workspace=access.workspace, kind=kind, title=title, created_by_id=actor.user_id
        )
        audit_record(
            actor=actor,
            action="coediting.create",
            obj=doc,
            organisation_id=access.workspace.owner_org_id,
            after={"kind": kind, "title": title, "workspace": workspace_id},
        )
    return doc


def doc_opened(*, actor: Actor, access: selectors.DocAccess, channel: str) -> None:
    audit_read(
        actor=actor,
        obj=access.doc,
        access=channel,
        organisation_id=access.doc.workspace.owner_org_id,
    )


@dataclass(frozen=True)
class Edit:
    """One update a connection received, to be written for `actor`."""

    actor: Actor
    doc_id: int
    generation: int
    update: bytes
    #: The first change of this connection: audited (who changed the document, once per
    #: session; the rows say what).
    first: bool = False


def update_accept(
    *, actor: Actor, doc_id: int, generation: int, update: bytes, first: bool = False
) -> int:
    """Write one update sent by `actor` and return its sequence number (see `updates_accept`)."""
    accepted = updates_accept([Edit(actor, doc_id, generation, update, first)])
    compact_due(accepted.due)
    (result,) = accepted.results
    if isinstance(result, Exception):
        raise result
    return result


@dataclass(frozen=True)
class Accepted:
    #: For each edit, its sequence number or why it was refused.
    results: list[int | DomainError]
    #: The documents that may have `COMPACT_AFTER` updates waiting: `compact_due` them once the
    #: writers have their answers (folding is not on the way of an update to the others).
    due: set[int]


def compact_due(doc_ids: set[int]) -> None:
    """Compact those of `doc_ids` that have `COMPACT_AFTER` updates waiting. Sequence numbers
    are shared by all documents, so a gap that large only says a document *may* be due: the
    waiting rows of all of them are counted in one query."""
    if not doc_ids:
        return
    due = (
        LiveUpdate.objects.filter(doc_id__in=doc_ids, id__gt=F("doc__snapshot_upto"))
        .order_by()
        .values("doc_id")
        .annotate(waiting=Count("id"))
        .filter(waiting__gte=COMPACT_AFTER)
        .values_list("doc_id", flat=True)
    )
    for doc_id in list(due):
        compact(doc_id=doc_id)


def updates_accept(edits: Sequence[Edit]) -> Accepted:
    """Check and write a batch of updates in one transaction (ADR 0684). Each actor's rights and
    each document's generation are read here, so a membership removed or a restore done a
    second ago already counts; one refusal does not hold back the others."""
    with transaction.atomic():
        docs = selectors.docs_for_writers([(e.actor, e.doc_id) for e in edits])
        return _store(edits, [_refusal(a, e) or a.doc for e, a in zip(edits, docs, strict=True)])  # type: ignore[union-attr]


def updates_check(edits: Sequence[Edit]) -> list[DomainError | None]:
    """Whether each edit may be written, read now and outside any write: the actor's rights and
    the document's generation (ADR 0689). The live writer asks this before it shares an update
    with the other editors, and `updates_write` then stores what passed."""
    docs = selectors.docs_for_writers([(e.actor, e.doc_id) for e in edits])
    return [_refusal(access, e) for e, access in zip(edits, docs, strict=True)]


def updates_write(edits: Sequence[Edit]) -> Accepted:
    """Store edits `updates_check` let through, in one transaction. The check is the decision on
    rights (taken a moment before, as a write would have been); only the generation is read
    again, so a restore in between makes the edit stale rather than written into the restored
    state."""
    with transaction.atomic():
        docs = {
            d.pk: d
            for d in LiveDoc.objects.select_related("workspace")
            .defer("snapshot")
            .filter(pk__in={e.doc_id for e in edits})
            .order_by()
        }
        outcomes: list[LiveDoc | DomainError] = []
        for edit in edits:
            doc = docs.get(edit.doc_id)
            if doc is None:
                outcomes.append(NotFound())
            elif doc.generation != edit.generation:
                outcomes.append(StaleGeneration(STALE))
            else:
                outcomes.append(doc)
        return _store(edits, outcomes)


def _store(edits: Sequence[Edit], outcomes: Sequence[LiveDoc | DomainError]) -> Accepted:
    """The rows of the edits whose outcome is their document, with the document's change time
    and the first edit's audit record; called inside the caller's transaction."""
    accepted = [
        (e, LiveUpdate(doc_id=e.doc_id, data=e.update, author_id=e.actor.user_id), doc)
        for e, doc in zip(edits, outcomes, strict=True)
        if isinstance(doc, LiveDoc)
    ]
    LiveUpdate.objects.bulk_create([row for _e, row, _d in accepted])
    now = timezone.now()
    stale = {doc.pk for _e, _r, doc in accepted if now - doc.changed_at > CHANGED_GRAIN}
    if stale:
        LiveDoc.objects.filter(pk__in=stale).update(changed_at=now)
    for edit, _row, doc in accepted:
        if edit.first:
            audit_record(
                actor=edit.actor,
                action="coediting.edit",
                obj=doc,
                organisation_id=doc.workspace.owner_org_id,
            )
    rows = iter(row for _e, row, _d in accepted)
    results: list[int | DomainError] = [
        next(rows).pk if isinstance(doc, LiveDoc) else doc for doc in outcomes
    ]
    due = {doc.pk for _e, row, doc in accepted if row.pk - doc.snapshot_upto >= COMPACT_AFTER}
    return Accepted(results, due)


def _refusal(access: selectors.DocAccess | Exception, edit: Edit) -> DomainError | None:
    if isinstance(access, DomainError):
        return access
    if isinstance(access, Exception):
        raise access
    if not access.abilities["edit"]:
        return PermissionDenied(READ_ONLY, code="read_only")
    if access.doc.generation != edit.generation:
        return StaleGeneration(STALE)
    return None


def compact(*, doc_id: int) -> None:
    """Fold the waiting updates into the snapshot. Under the document's row lock, so two
    compactions never fold the same rows twice; an update accepted meanwhile stays a row."""
    with transaction.atomic():
        doc = LiveDoc.objects.select_for_update().get(pk=doc_id)
        rows = list(
            LiveUpdate.objects.filter(doc_id=doc_id, id__gt=doc.snapshot_upto)
            .order_by("id")
            .values_list("id", "data")
        )
        if not rows:
            return
        parts = ([bytes(doc.snapshot)] if doc.snapshot else []) + [bytes(d) for _, d in rows]
        doc.snapshot = merge_updates(*parts)
        doc.snapshot_upto = rows[-1][0]
        doc.save(update_fields=["snapshot", "snapshot_upto"])
        LiveUpdate.objects.filter(doc_id=doc_id, id__lte=doc.snapshot_upto).delete()


def version_keep(*, actor: Actor, doc_id: int, name: str) -> LiveVersion:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed(
            _("The version could not be kept."),
            errors={"name": [NAME_RULE]},
        )
    with transaction.atomic():
        access = selectors.doc_get(actor=actor, doc_id=doc_id)
        if not access.abilities["keep_version"]:
            raise PermissionDenied(READ_ONLY, code="read_only")
        state, _upto = selectors.doc_state(doc_id=doc_id)
        version = LiveVersion.objects.create(
            doc=access.doc, name=name, state=state, created_by_id=actor.user_id
        )
        audit_record(
            actor=actor,
            action="coediting.version",
            obj=access.doc,
            organisation_id=access.doc.workspace.owner_org_id,
            after={"version": version.pk, "name": name},
        )
    return version


def version_restore(*, actor: Actor, doc_id: int, version_id: int) -> LiveDoc:
    """Make a kept version the document's content. A CRDT cannot un-merge, so the document
    starts a new generation from the version's state; open editors are told to reload, and the
    content being replaced is kept as a version first, so the restore itself loses nothing."""
    with transaction.atomic():
        access = selectors.doc_get(actor=actor, doc_id=doc_id)
        if not access.abilities["restore_version"]:
            raise PermissionDenied(READ_ONLY, code="read_only")
        version = selectors.version_get(doc=access.doc, version_id=version_id)
        doc = LiveDoc.objects.select_for_update().get(pk=doc_id)
        state, _upto = selectors.doc_state(doc_id=doc_id)
        LiveVersion.objects.create(
            doc=doc,
            name=f"{BEFORE_RESTORING}: {version.name}"[:120],
            state=state,
            created_by_id=actor.user_id,
        )
        last = LiveUpdate.objects.filter(doc_id=doc_id).aggregate(m=Max("id"))["m"] or 0
        LiveUpdate.objects.filter(doc_id=doc_id).delete()
        doc.snapshot = bytes(version.state)
        doc.snapshot_upto = max(last, doc.snapshot_upto)
        doc.generation += 1
        doc.changed_at = timezone.now()
        doc.save()
        audit_record(
            actor=actor,
            action="coediting.restore",
            obj=doc,
            organisation_id=doc.workspace.owner_org_id,
            after={"version": version.pk, "generation": doc.generation},
        )
        transaction.on_commit(lambda: _tell(doc_id, {"type": "coedit.reset"}))
    return doc


def _tell(doc_id: int, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group_name(doc_id), message)


def state_import(*, actor: Actor, doc_id: int, name: str, state: bytes) -> LiveVersion:
    """A state saved elsewhere (an export of this or another samdrift) kept as a version, once
    it decodes; restoring it is a separate, deliberate step."""
    if len(state) > MAX_STATE_BYTES:
        raise ValidationFailed(_("The file is larger than 32 MiB."), code="too_large")
    check_update(state)
    with transaction.atomic():
        access = selectors.doc_get(actor=actor, doc_id=doc_id)
        if not access.abilities["keep_version"]:
            raise PermissionDenied(READ_ONLY, code="read_only")
        version = LiveVersion.objects.create(
            doc=access.doc, name=name[:120] or "import", state=state, created_by_id=actor.user_id
        )
        audit_record(
            actor=actor,
            action="coediting.import",
            obj=access.doc,
            organisation_id=access.doc.workspace.owner_org_id,
            after={"version": version.pk, "bytes": len(state)},
        )
    return version


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    filename: str


def doc_export_file(
    *, actor: Actor, access: selectors.DocAccess, fmt: str, request: Any = None
) -> ExportFile:
    """`doc_export` with the file's media type and name; `NotFound` for a format the document's
    kind does not export to (a note is no picture, a board no page)."""
    media_type = EXPORT_FORMATS[access.doc.kind].get(fmt)
    if media_type is None:
        raise NotFound()
    content = doc_export(actor=actor, access=access, fmt=fmt, request=request)
    return ExportFile(content, media_type, f"{slugify(access.doc.title) or 'dokument'}.{fmt}")


def doc_export(
    *, actor: Actor, access: selectors.DocAccess, fmt: str, request: Any = None
) -> bytes:
    """The document's content as a file in `fmt` (one of `EXPORT_FORMATS` of its kind),
    recorded as a read of the document. A class that allows viewing only (3) exports nothing."""
    if not access.abilities["export"]:
        raise PermissionDenied(VIEW_ONLY, code="view_only")
    state, _upto = selectors.doc_state(doc_id=access.doc.pk)
    doc = access.doc
    language = page_language()
    if fmt in ("svg", "png"):
        description = str(BOARD_DESCRIPTION % {"count": len(export.board_items(state))})
        if fmt == "svg":
            content = export.board_svg(state, title=doc.title, description=description).encode()
        else:
            content = export.board_png(state, title=doc.title, description=description)
    elif fmt == "docx":
        content = export_docx.note_docx(
            state, title=doc.title, language=language, missing=str(images.MISSING),
            pictures=images.note_pictures(actor=actor, access=access, state=state),
        )  # fmt: skip
    else:
        pictures = images.note_pictures(actor=actor, access=access, state=state)
        body = export.note_html(state, pictures, str(images.MISSING))
        context = {"doc": doc, "body": mark_safe(body)}  # noqa: S308 - escaped
        if fmt == "pdf":
            content = pdf.render(
                "coediting/export_note.html", context, kind="coediting.note",
                language=language, title=doc.title, request=request,
            )  # fmt: skip
        else:
            content = render_to_string(
                "coediting/export_note.html",
                {**context, "document_language": language, "document_title": doc.title},
                request=request,
            ).encode()
    doc_opened(actor=actor, access=access, channel=f"export-{fmt}")
    return content
