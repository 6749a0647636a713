"""Creating a workspace and changing its confidentiality class (ADRs 0600, 0601)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from samdrift.audit.services import audit_record, snapshot
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import NotFound
from samdrift.organisations.selectors import organisation_get

from ..choices import Role
from ..models import Member, Workspace
from ..permissions import workspace_abilities
from ..policy import parse_classification, policy_for
from ..selectors import agency_connected, require_level
from ..validation import check_name
from .common import (
    HAS_GUESTS,
    LOWER_NEEDS_SECURITY,
    NOT_ALLOWED,
    NOT_CONNECTED,
    _locked_workspace,
    _member_of,
    _own_org,
    _refuse,
    _user_id,
    default_quota,
    note_active,
)
from .hooks import membership_changed
from .scale import LABEL_PREFIX, resolve_class


def workspace_create(
    *,
    actor: Actor,
    name: str,
    classification: Any,
    organisation_id: int | None = None,
    description: str = "",
    quota_bytes: int | None = None,
) -> Workspace:
    clean = check_name(name)
    if not _is_label(classification):
        parse_classification(classification)  # a bad or security-protected class first
    org_id = _own_org(actor, organisation_id)
    level, label_id = resolve_class(classification, org_id)
    require_level(actor, level)
    if not agency_connected(org_id=org_id):
        agency = organisation_get(actor=SYSTEM, org_id=org_id).name
        raise _refuse(NOT_CONNECTED, agency=agency)
    with transaction.atomic():
        workspace = Workspace.objects.create(
            name=clean,
            description=description.strip()[:5000],
            owner_org_id=org_id,
            classification=level,
            scale_label_id=label_id,
            quota_bytes=quota_bytes or default_quota(),
            created_by_id=actor.user_id,
        )
        Member.objects.create(
            workspace=workspace, user_id=_user_id(actor), organisation_id=org_id, role=Role.OWNER
        )
        note_active(actor.user_id, org_id)
        membership_changed(workspace.id)
        audit_record(
            actor=actor,
            action="collaboration.workspace_create",
            obj=workspace,
            organisation_id=org_id,
            after=snapshot(
                workspace,
                ["name", "owner_org_id", "classification", "scale_label_id", "quota_bytes"],
            ),
        )
    return workspace


def workspace_classify(*, actor: Actor, workspace_id: int, classification: Any) -> Workspace:
    """Raise (owner) or lower (the owner agency's security role) the workspace's class. Raising
    lifts every document below the new class to it, so none is less protected than its
    workspace; lowering leaves documents as they are."""
    if not _is_label(classification):
        parse_classification(classification)
    with transaction.atomic():
        workspace = _locked_workspace(workspace_id, actor)
        member = _member_of(actor, workspace_id)
        abilities = workspace_abilities(actor=actor, workspace=workspace, member=member)
        if not abilities["view"]:
            raise NotFound("workspace")
        level, label_id = resolve_class(classification, workspace.owner_org_id)
        require_level(actor, max(level, workspace.classification))
        before = snapshot(workspace, ["classification", "scale_label_id"])
        if level == workspace.classification and label_id == workspace.scale_label_id:
            return workspace
        if level < workspace.classification and not abilities["lower_class"]:
            raise _refuse(LOWER_NEEDS_SECURITY)
        if not (abilities["raise_class"] or abilities["lower_class"]):
            raise _refuse(NOT_ALLOWED)
        if not policy_for(level).guests_allowed and workspace.members.filter(is_guest=True):
            raise _refuse(HAS_GUESTS, cls=level)
        workspace.classification = level
        workspace.scale_label_id = label_id
        workspace.save(update_fields=["classification", "scale_label", "updated_at"])
        raised = workspace.documents.filter(classification__lt=level).update(
            classification=level, scale_label_id=label_id
        )
        audit_record(
            actor=actor,
            action="collaboration.workspace_classify",
            obj=workspace,
            organisation_id=workspace.owner_org_id,
            before=before,
            after={"classification": level, "scale_label_id": label_id, "documents_raised": raised},
        )
    return workspace


def _is_label(value: Any) -> bool:
    return str(value or "").strip().lower().startswith(LABEL_PREFIX)
