"""Audited reads of content (ADR 0605): download, preview, share-link use and search hits."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_read
from samdrift.core.actor import Actor

from ..choices import ReadAccess
from ..models import Version
from ..permissions import is_security_officer
from ..policy import policy_for
from ..selectors import DocumentAccess
from .common import NOT_ALLOWED, _refuse, note_active


def record_read(
    *,
    actor: Actor,
    access: DocumentAccess,
    version: Version,
    how: str = ReadAccess.DOWNLOAD,
    share_id: int | None = None,
    agency_id: int | None = None,
) -> None:
    """Record that the actor was shown a document's content: who, for which agency, when, which
    version (ADR 0605). Download, preview, share-link use and search hits all call this."""
    member = access.member
    note_active(actor.user_id, member.organisation_id if member else agency_id)
    audit_read(
        actor=actor,
        obj=access.document,
        access=str(how),
        organisation_id=access.workspace.owner_org_id,
        detail={
            "version": version.number,
            "agency": member.organisation_id if member else agency_id,
            "guest": bool(member and member.is_guest),
            "security_role": member is None
            and is_security_officer(actor, access.workspace.owner_org_id),
            "workspace": access.workspace.id,
            **({"share": share_id} if share_id is not None else {}),
        },
    )


def ensure_download_allowed(access: DocumentAccess) -> None:
    if not access.abilities["download"]:
        raise _refuse(
            _("Class %(cls)s documents may only be viewed, not downloaded.")
            if not policy_for(access.document.classification).download_allowed
            else NOT_ALLOWED,
            cls=access.document.classification,
        )


def record_export(*, actor: Actor, access: DocumentAccess) -> None:
    """The export of a document's read log is itself a sensitive read."""
    audit_read(
        actor=actor,
        object_type="collaboration.read_log",
        object_id=access.document.id,
        access="export",
        organisation_id=access.workspace.owner_org_id,
    )
