"""A person who leaves an agency leaves the workspaces they were in for it (ADR 0621): in the
same transaction as the end of the agency membership, audited, with their check-outs and WebDAV
locks; a workspace they own refuses the end by name, and nothing changes."""

from __future__ import annotations

import io

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.collaboration import selectors, services
from samdrift.collaboration.models import DavLock, Document, Member
from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import DomainError, NotFound
from samdrift.organisations.models import Membership
from samdrift.organisations.services import membership_end
from samdrift.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _join(safos, workspace, who: str, role: str = "editor") -> None:
    services.invite(
        actor=safos.actor("owner"), workspace_id=workspace.id, email=f"{who}@example.se", role=role
    )
    invitation = selectors.my_invitations(actor=safos.actor(who)).get(workspace=workspace)
    services.invitation_accept(actor=safos.actor(who), invitation_id=invitation.id)


def _end(safos, who: str, org) -> None:
    membership = Membership.objects.get(user=safos.users[who], organisation=org)
    membership_end(actor=SYSTEM, organisation_id=org.id, membership_id=membership.id)


def test_leaving_the_agency_ends_its_workspace_memberships_with_their_check_outs(safos):
    workspace = services.workspace_create(actor=safos.actor("owner"), name="Ett", classification=1)
    _join(safos, workspace, "editor")
    version = services.upload(
        actor=safos.actor("editor"), workspace_id=workspace.id, stream=io.BytesIO(b"ett\n"),
        name="Plan.txt", content_type="text/plain",
    )  # fmt: skip
    services.document_lock(actor=safos.actor("editor"), document_id=version.document_id)
    services.dav_lock_take(
        actor=safos.actor("editor"),
        asked=services.LockAsked(root="/Ett/Plan.txt", principal="safos_editor", scope="exclusive",
                                 depth="0", owner="", timeout=60),
        workspace_id=workspace.id, document_id=version.document_id,
    )  # fmt: skip
    _end(safos, "editor", safos.b)

    assert not Member.objects.filter(workspace=workspace, user=safos.users["editor"]).exists()
    with pytest.raises(NotFound):
        selectors.workspace_get(actor=safos.actor("editor"), workspace_id=workspace.id)
    assert Document.objects.get(pk=version.document_id).locked_by_id is None
    assert not DavLock.objects.exists()
    left = AuditEvent.objects.get(action="collaboration.member_agency_left")
    assert left.before["organisation_id"] == safos.b.id and left.actor_label == "system"


def test_another_role_in_the_same_agency_keeps_the_workspaces(safos):
    workspace = services.workspace_create(actor=safos.actor("owner"), name="Två", classification=1)
    _join(safos, workspace, "editor")
    MembershipFactory(user=safos.users["editor"], organisation=safos.b, role="contact")
    membership = Membership.objects.get(user=safos.users["editor"], organisation=safos.b,
                                        role="member")  # fmt: skip
    membership_end(actor=SYSTEM, organisation_id=safos.b.id, membership_id=membership.id)
    assert Member.objects.filter(workspace=workspace, user=safos.users["editor"]).exists()


def test_an_owner_of_a_workspace_is_refused_by_name_and_nothing_changes(safos):
    workspace = services.workspace_create(
        actor=safos.actor("owner"), name="Ägd yta", classification=1
    )
    before = Membership.objects.count(), Member.objects.count()
    with pytest.raises(DomainError) as refused:
        _end(safos, "owner", safos.a)
    assert "Ägd yta" in str(refused.value.message) % refused.value.params
    assert (Membership.objects.count(), Member.objects.count()) == before
    assert Member.objects.get(workspace=workspace).user == safos.users["owner"]
    assert not AuditEvent.objects.filter(action="organisations.membership_ended").exists()
