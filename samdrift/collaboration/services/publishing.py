"""Publishing a document (ADR 0618): a document is a draft until an editor marks it published;
a workspace can require that a PDF's current version passed the accessibility check (ADR 0608)
first. A new version makes a published document a draft again: what was published was checked
and decided on, the new bytes were not."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.core.actor import Actor

from ..models import Document, Version, Workspace
from ..validation import is_pdf
from .common import Refused, _document_for, _workspace_for

NOT_CHECKED = _(
    "Version %(number)s of “%(name)s” has no accessibility result yet: its check is waiting or "
    "has not run. This workspace publishes only PDFs that passed the check. Wait until the "
    "document page shows the result, then publish again."
)
FAILED = _(
    "Version %(number)s of “%(name)s” failed %(count)s automatic accessibility checks "
    "(PDF/UA-1): %(rules)s. This workspace publishes only PDFs that passed the check. Correct the "
    "PDF (tags, title, language, alternative texts), upload it as a new version and publish it "
    "when its check has passed."
)
UNCHECKABLE = _(
    "Version %(number)s of “%(name)s” could not be checked for accessibility (%(error)s). This "
    "workspace publishes only PDFs that passed the check. Upload a readable PDF as a new version."
)


class NotAccessible(Refused):
    code = "not_accessible"


def accessibility_blocker(
    workspace: Workspace, document: Document, version: Version | None
) -> NotAccessible | None:
    """Why this version may not be published in this workspace, or None when it may."""
    if not workspace.require_accessible_pdfs or version is None:
        return None
    if not is_pdf(version.content_type, document.name):
        return None
    summary: dict[str, Any] | None = version.accessibility
    where: dict[str, Any] = {"number": version.number, "name": document.name}
    if not summary:
        return NotAccessible(NOT_CHECKED, **where)
    if summary.get("error"):
        error = summary.get("error_code") or summary.get("error")
        return NotAccessible(UNCHECKABLE, error=error, **where)
    if not summary.get("passed"):
        rules = list(summary.get("failed_rules") or [])
        shown = ", ".join(rules[:10]) + (" …" if len(rules) > 10 else "")
        count = (summary.get("counts") or {}).get("failed", len(rules))
        return NotAccessible(FAILED, count=count, rules=shown or "?", **where)
    return None


def document_publish(*, actor: Actor, document_id: int) -> Document:
    """Mark the document published (who and when); refused while the workspace requires
    accessible PDFs and the current version's check has not passed."""
    with transaction.atomic():
        document, _me = _document_for(actor, document_id, "publish")
        version = document.versions.order_by("-number").first()
        blocker = accessibility_blocker(document.workspace, document, version)
        if blocker is not None:
            raise blocker
        return _set_published(actor, document, version, published=True)


def document_unpublish(*, actor: Actor, document_id: int) -> Document:
    """Back to draft, by an editor's decision."""
    with transaction.atomic():
        document, _me = _document_for(actor, document_id, "unpublish")
        version = document.versions.order_by("-number").first()
        return _set_published(actor, document, version, published=False)


def _set_published(
    actor: Actor, document: Document, version: Version | None, *, published: bool
) -> Document:
    before = snapshot(document, ["published_at", "published_by_id"])
    document.published_at = timezone.now() if published else None
    document.published_by_id = actor.user_id if published else None
    document.save(update_fields=["published_at", "published_by", "updated_at"])
    audit_record(
        actor=actor,
        action="collaboration.document_publish" if published else "collaboration.document_unpublish",
        obj=document,
        organisation_id=document.workspace.owner_org_id,
        before=before,
        after={**snapshot(document, ["published_at", "published_by_id"]),
               "version": version.number if version else None},
    )  # fmt: skip
    return document


def unpublish_for_new_version(document: Document) -> bool:
    """Inside the transaction that adds a version: a published document becomes a draft again.
    True when it was published (the caller's audit record says so)."""
    return bool(
        Document.objects.filter(id=document.id, published_at__isnull=False).update(
            published_at=None, published_by=None
        )
    )


def workspace_publishing(
    *, actor: Actor, workspace_id: int, require_accessible_pdfs: bool
) -> Workspace:
    """The owner's setting: require accessible PDFs before publishing."""
    with transaction.atomic():
        workspace, _me = _workspace_for(actor, workspace_id, "manage_publishing")
        if workspace.require_accessible_pdfs == bool(require_accessible_pdfs):
            return workspace
        before = snapshot(workspace, ["require_accessible_pdfs"])
        workspace.require_accessible_pdfs = bool(require_accessible_pdfs)
        workspace.save(update_fields=["require_accessible_pdfs", "updated_at"])
        audit_record(
            actor=actor,
            action="collaboration.workspace_publishing",
            obj=workspace,
            organisation_id=workspace.owner_org_id,
            before=before,
            after=snapshot(workspace, ["require_accessible_pdfs"]),
        )
    return workspace
