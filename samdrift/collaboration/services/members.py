"""Invitations, membership, leaving and the transfer of ownership (ADR 0600): a workspace always
keeps an owner."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import NotFound, ValidationFailed

from ..choices import InvitationState, Role
from ..models import DavLock, Document, Invitation, Member, Workspace
from ..policy import policy_for
from ..selectors import actor_email, agency_connected, my_invitation_get, require_level
from .common import (
    BAD_EMAIL,
    GUESTS_FORBIDDEN,
    NOT_ALLOWED,
    TRANSFER_GUEST,
    _ensure_owner,
    _locked_workspace,
    _member_of,
    _own_org,
    _parse_role,
    _refuse,
    _user_id,
    _workspace_for,
    note_active,
)
from .hooks import membership_changed
from .scale import relabel


def invite(*, actor: Actor, workspace_id: int, email: str, role: str) -> Invitation:
    """Invite an e-mail address. The answer is the same whether samdrift knows the address or
    not, so an invitation reveals nothing about who exists (ADR 0600)."""
    address = (email or "").strip().lower()
    if "@" not in address or len(address) > 254 or address.startswith("@") or " " in address:
        raise ValidationFailed(BAD_EMAIL, errors={"email": [str(BAD_EMAIL)]})
    role = _parse_role(role)
    with transaction.atomic():
        workspace, _member = _workspace_for(actor, workspace_id, "invite")
        invitation = workspace.invitations.filter(
            email=address, state=InvitationState.PENDING
        ).first()
        if invitation is None:
            invitation = Invitation.objects.create(
                workspace=workspace, email=address, role=role, invited_by_id=actor.user_id
            )
        else:
            invitation.role = role
            invitation.save(update_fields=["role"])
        audit_record(
            actor=actor,
            action="collaboration.invite",
            obj=invitation,
            organisation_id=workspace.owner_org_id,
            after={"workspace": workspace.id, "email": address, "role": role},
        )
    return invitation


def invitation_revoke(*, actor: Actor, workspace_id: int, invitation_id: int) -> None:
    with transaction.atomic():
        workspace, _member = _workspace_for(actor, workspace_id, "invite")
        invitation = (
            workspace.invitations.select_for_update()
            .filter(id=invitation_id, state=InvitationState.PENDING)
            .first()
        )
        if invitation is None:
            raise NotFound("invitation")
        invitation.state = InvitationState.REVOKED
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["state", "responded_at"])
        audit_record(
            actor=actor,
            action="collaboration.invitation_revoke",
            obj=invitation,
            organisation_id=workspace.owner_org_id,
        )


def invitation_accept(
    *, actor: Actor, invitation_id: int, organisation_id: int | None = None
) -> Member:
    """The invited person, logged in, joins for one of their agencies. A guest (agency not
    connected to SAFOS) must have logged in with an e-ID (level 2 or more) and the workspace's
    class must allow guests."""
    found = my_invitation_get(actor=actor, invitation_id=invitation_id)
    org_id = _own_org(actor, organisation_id)
    guest = not agency_connected(org_id=org_id)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(id=found.id)
        if invitation.state != InvitationState.PENDING or invitation.email != actor_email(actor):
            raise NotFound("invitation")
        workspace = _locked_workspace(invitation.workspace_id)
        policy = policy_for(workspace.classification)
        require_level(actor, workspace.classification)
        if guest and not policy.guests_allowed:
            raise _refuse(GUESTS_FORBIDDEN, cls=workspace.classification)
        if guest:
            require_level(actor, max(workspace.classification, 1))  # an e-ID login (class 1: 2)
        member = _member_of(actor, workspace.id)
        if member is None:
            member = Member.objects.create(
                workspace=workspace,
                user_id=_user_id(actor),
                organisation_id=org_id,
                role=invitation.role,
                is_guest=guest,
            )
        note_active(member.user_id, member.organisation_id)
        membership_changed(workspace.id)
        invitation.state = InvitationState.ACCEPTED
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["state", "responded_at"])
        audit_record(
            actor=actor,
            action="collaboration.invitation_accept",
            obj=member,
            organisation_id=workspace.owner_org_id,
            after={"workspace": workspace.id, "role": member.role, "guest": guest,
                   "organisation": org_id},
        )  # fmt: skip
    return member


def invitation_decline(*, actor: Actor, invitation_id: int) -> None:
    found = my_invitation_get(actor=actor, invitation_id=invitation_id)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(id=found.id)
        if invitation.state != InvitationState.PENDING:
            raise NotFound("invitation")
        invitation.state = InvitationState.DECLINED
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["state", "responded_at"])
        audit_record(
            actor=actor,
            action="collaboration.invitation_decline",
            obj=invitation,
            organisation_id=invitation.workspace.owner_org_id,
        )


def member_set_role(*, actor: Actor, workspace_id: int, member_id: int, role: str) -> Member:
    role = _parse_role(role)
    with transaction.atomic():
        workspace, _me = _workspace_for(actor, workspace_id, "manage_members")
        member = workspace.members.select_for_update().filter(id=member_id).first()
        if member is None:
            raise NotFound("member")
        before = snapshot(member, ["role"])
        member.role = role
        member.save(update_fields=["role"])
        _ensure_owner(workspace.id)
        membership_changed(workspace.id)
        audit_record(
            actor=actor,
            action="collaboration.member_role",
            obj=member,
            organisation_id=workspace.owner_org_id,
            before=before,
            after={"role": role},
        )
    return member


def member_remove(*, actor: Actor, workspace_id: int, member_id: int) -> None:
    with transaction.atomic():
        workspace, _me = _workspace_for(actor, workspace_id, "manage_members")
        member = workspace.members.select_for_update().filter(id=member_id).first()
        if member is None:
            raise NotFound("member")
        _remove(actor, workspace, member, "collaboration.member_remove")


def leave(*, actor: Actor, workspace_id: int) -> None:
    with transaction.atomic():
        workspace, member = _workspace_for(actor, workspace_id, "leave")
        if member is None:  # the security role sees the workspace without being in it
            raise _refuse(NOT_ALLOWED)
        _remove(actor, workspace, member, "collaboration.leave")


def _remove(actor: Actor, workspace: Workspace, member: Member, action: str) -> None:
    before = snapshot(member, ["user_id", "organisation_id", "role", "is_guest"])
    member.delete()
    _ensure_owner(workspace.id)
    membership_changed(workspace.id)
    Document.objects.filter(workspace=workspace, locked_by_id=before["user_id"]).update(
        locked_by=None, locked_at=None
    )
    DavLock.objects.filter(document__workspace=workspace, user_id=before["user_id"]).delete()
    audit_record(
        actor=actor,
        action=action,
        object_type="collaboration.member",
        object_id=before["user_id"],
        organisation_id=workspace.owner_org_id,
        before=before,
    )


def transfer_ownership(*, actor: Actor, workspace_id: int, member_id: int) -> Workspace:
    """Make another member the owner; the workspace then belongs to that member's agency (which
    must be connected to SAFOS). The previous owner stays as an editor."""
    with transaction.atomic():
        workspace, me = _workspace_for(actor, workspace_id, "transfer")
        target = workspace.members.select_for_update().filter(id=member_id).first()
        if target is None:
            raise NotFound("member")
        if target.is_guest or not agency_connected(org_id=target.organisation_id):
            raise _refuse(TRANSFER_GUEST)
        before = {"owner_org_id": workspace.owner_org_id, "owner": me.user_id if me else None}
        target.role = Role.OWNER
        target.save(update_fields=["role"])
        if me is not None and me.id != target.id:
            me.role = Role.EDITOR
            me.save(update_fields=["role"])
        workspace.owner_org_id = target.organisation_id
        workspace.save(update_fields=["owner_org", "updated_at"])
        relabel(workspace)
        _ensure_owner(workspace.id)
        membership_changed(workspace.id)
        audit_record(
            actor=actor,
            action="collaboration.transfer",
            obj=workspace,
            organisation_id=workspace.owner_org_id,
            before=before,
            after={"owner_org_id": target.organisation_id, "owner": target.user_id},
        )
    return workspace


OWNS_WORKSPACES = _(
    "The person owns workspaces for this agency (%(names)s). Transfer their ownership before "
    "the membership ends."
)


def agency_left(user_id: int, organisation_id: int) -> None:
    """The person no longer works for the agency: every workspace membership they held for it
    ends with the agency membership, in its transaction (ADR 0621). A workspace they own is
    refused by name: it must never be left without an owner, nor pass to someone by itself."""
    held = list(
        Member.objects.select_for_update(of=("self",))
        .select_related("workspace")
        .filter(user_id=user_id, organisation_id=organisation_id)
        .order_by("workspace_id")
    )
    owned = [m.workspace.name for m in held if m.role == Role.OWNER]
    if owned:
        raise _refuse(OWNS_WORKSPACES, names=", ".join(owned[:5]))
    for member in held:
        _remove(SYSTEM, member.workspace, member, "collaboration.member_agency_left")
