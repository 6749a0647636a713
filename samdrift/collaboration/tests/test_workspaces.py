"""Workspaces: ownership by a connected agency, invitations by e-mail, roles, the owner rule,
and the classification policy (guests, lowering, documents never below their workspace)."""

from __future__ import annotations

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.collaboration import selectors, services
from samdrift.collaboration.models import Invitation, Member, Workspace
from samdrift.collaboration.policy import SecurityProtectedRefused
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.tenancy import StepUpRequired

pytestmark = pytest.mark.django_db


def _workspace(safos, level=1, **kwargs):
    return services.workspace_create(
        actor=safos.actor("owner"), name="Samverkan", classification=level, **kwargs
    )


def _join(safos, workspace, name, role="editor", loa=3):
    services.invite(
        actor=safos.actor("owner"),
        workspace_id=workspace.id,
        email=f"{name}@example.se",
        role=role,
    )
    invitation = selectors.my_invitations(actor=safos.actor(name, loa)).get(workspace=workspace)
    return services.invitation_accept(actor=safos.actor(name, loa), invitation_id=invitation.id)


def test_a_connected_agency_owns_a_workspace_and_its_creator_is_the_owner(safos):
    workspace = _workspace(safos)
    assert workspace.owner_org_id == safos.a.id
    member = Member.objects.get(workspace=workspace)
    assert (member.user_id, member.role, member.is_guest) == (
        safos.users["owner"].id,
        "owner",
        False,
    )
    assert AuditEvent.objects.filter(action="collaboration.workspace_create").count() == 1


def test_an_agency_not_connected_to_safos_cannot_own_a_workspace(safos):
    with pytest.raises(services.Refused) as error:
        services.workspace_create(actor=safos.actor("guest"), name="X", classification=0)
    assert "Gästmyndigheten G" in str(error.value)
    assert not Workspace.objects.exists()


@pytest.mark.parametrize("value", ["S", "4", "security_protected"])
def test_security_protected_information_is_refused_with_its_own_message(safos, value):
    with pytest.raises(SecurityProtectedRefused) as error:
        _workspace(safos, level=value)
    assert "säkerhetsskyddsklassificerade" in str(error.value)
    assert not Workspace.objects.exists()


@pytest.mark.parametrize("value", ["5", "-1", "x", ""])
def test_an_unknown_class_is_refused(safos, value):
    with pytest.raises(ValidationFailed):
        _workspace(safos, level=value)
    assert not Workspace.objects.exists()


def test_a_class_3_workspace_needs_a_loa3_login_even_to_create(safos):
    with pytest.raises(StepUpRequired) as error:
        services.workspace_create(actor=safos.actor("owner", loa=2), name="X", classification=3)
    assert error.value.level == 3


def test_an_invitation_says_nothing_about_who_exists(safos):
    workspace = _workspace(safos)
    known = services.invite(
        actor=safos.actor("owner"),
        workspace_id=workspace.id,
        email="Editor@Example.se ",
        role="editor",
    )
    unknown = services.invite(
        actor=safos.actor("owner"),
        workspace_id=workspace.id,
        email="nobody@example.se",
        role="editor",
    )
    assert type(known) is type(unknown) and known.state == unknown.state == "pending"
    assert known.email == "editor@example.se"
    # Neither created a member: only the invited person's acceptance does.
    assert Member.objects.filter(workspace=workspace).count() == 1


def test_only_the_addressee_sees_and_accepts_an_invitation(safos):
    workspace = _workspace(safos)
    invitation = services.invite(
        actor=safos.actor("owner"),
        workspace_id=workspace.id,
        email="editor@example.se",
        role="editor",
    )
    assert not selectors.my_invitations(actor=safos.actor("reader")).exists()
    with pytest.raises(NotFound):
        services.invitation_accept(actor=safos.actor("reader"), invitation_id=invitation.id)
    member = services.invitation_accept(actor=safos.actor("editor"), invitation_id=invitation.id)
    assert (member.organisation_id, member.role, member.is_guest) == (safos.b.id, "editor", False)
    assert Invitation.objects.get(id=invitation.id).state == "accepted"
    with pytest.raises(NotFound):  # accepted once
        services.invitation_accept(actor=safos.actor("editor"), invitation_id=invitation.id)


def test_decline_and_revoke(safos):
    workspace = _workspace(safos)
    first = services.invite(
        actor=safos.actor("owner"),
        workspace_id=workspace.id,
        email="editor@example.se",
        role="reader",
    )
    services.invitation_decline(actor=safos.actor("editor"), invitation_id=first.id)
    second = services.invite(
        actor=safos.actor("owner"),
        workspace_id=workspace.id,
        email="editor@example.se",
        role="reader",
    )
    services.invitation_revoke(
        actor=safos.actor("owner"), workspace_id=workspace.id, invitation_id=second.id
    )
    with pytest.raises(NotFound):
        services.invitation_accept(actor=safos.actor("editor"), invitation_id=second.id)
    assert Member.objects.filter(workspace=workspace).count() == 1


def test_a_guest_joins_where_the_class_allows_it_after_an_eid_login(safos):
    workspace = _workspace(safos, level=1)
    with pytest.raises(StepUpRequired):
        _join(safos, workspace, "guest", loa=0)
    member = services.invitation_accept(
        actor=safos.actor("guest", 2),
        invitation_id=Invitation.objects.get(email="guest@example.se").id,
    )
    assert member.is_guest and member.organisation_id == safos.g.id


def test_class_3_admits_no_guest_and_cannot_be_set_while_guests_are_in(safos):
    closed = _workspace(safos, level=3)
    with pytest.raises(services.Refused):
        _join(safos, closed, "guest")
    assert not Member.objects.filter(workspace=closed, is_guest=True).exists()
    open_ = _workspace(safos, level=1)
    _join(safos, open_, "guest")
    with pytest.raises(services.Refused):
        services.workspace_classify(
            actor=safos.actor("security"), workspace_id=open_.id, classification=3
        )
    assert Workspace.objects.get(id=open_.id).classification == 1


def test_a_workspace_always_keeps_an_owner(safos):
    workspace = _workspace(safos)
    owner = Member.objects.get(workspace=workspace, role="owner")
    editor = _join(safos, workspace, "editor")
    with pytest.raises(services.Refused):
        services.leave(actor=safos.actor("owner"), workspace_id=workspace.id)
    with pytest.raises(services.Refused):
        services.member_remove(
            actor=safos.actor("owner"), workspace_id=workspace.id, member_id=owner.id
        )
    with pytest.raises(services.Refused):
        services.member_set_role(
            actor=safos.actor("owner"), workspace_id=workspace.id, member_id=owner.id, role="editor"
        )
    assert Member.objects.filter(workspace=workspace, role="owner").count() == 1
    # Transfer first, then the former owner may leave; the workspace now belongs to B.
    services.transfer_ownership(
        actor=safos.actor("owner"), workspace_id=workspace.id, member_id=editor.id
    )
    services.leave(actor=safos.actor("owner"), workspace_id=workspace.id)
    workspace.refresh_from_db()
    assert workspace.owner_org_id == safos.b.id
    assert list(Member.objects.filter(workspace=workspace).values_list("role", flat=True)) == [
        "owner"
    ]


def test_ownership_never_goes_to_a_guest(safos):
    workspace = _workspace(safos)
    guest = _join(safos, workspace, "guest", role="editor")
    with pytest.raises(services.Refused):
        services.transfer_ownership(
            actor=safos.actor("owner"), workspace_id=workspace.id, member_id=guest.id
        )
    assert Workspace.objects.get(id=workspace.id).owner_org_id == safos.a.id


def test_only_the_owner_manages_members(safos):
    workspace = _workspace(safos)
    editor = _join(safos, workspace, "editor")
    reader = _join(safos, workspace, "reader", role="reader")
    with pytest.raises(services.Refused):
        services.member_remove(
            actor=safos.actor("editor"), workspace_id=workspace.id, member_id=reader.id
        )
    with pytest.raises(services.Refused):
        services.invite(
            actor=safos.actor("editor"),
            workspace_id=workspace.id,
            email="x@example.se",
            role="reader",
        )
    services.member_remove(
        actor=safos.actor("owner"), workspace_id=workspace.id, member_id=reader.id
    )
    assert not Member.objects.filter(id=reader.id).exists()
    assert Member.objects.filter(id=editor.id).exists()


def test_an_outsider_sees_nothing_and_gets_the_same_answer_as_for_a_missing_one(safos):
    workspace = _workspace(safos)
    for workspace_id in (workspace.id, 987654):
        with pytest.raises(NotFound):
            selectors.workspace_get(actor=safos.actor("outsider"), workspace_id=workspace_id)
        with pytest.raises(NotFound):
            services.invite(
                actor=safos.actor("outsider"),
                workspace_id=workspace_id,
                email="a@b.se",
                role="reader",
            )
    assert not selectors.workspace_list(actor=safos.actor("outsider")).exists()


def test_lowering_a_class_is_the_owner_agencys_security_role_and_is_audited(safos):
    workspace = _workspace(safos, level=2)
    with pytest.raises(services.Refused):
        services.workspace_classify(
            actor=safos.actor("owner"), workspace_id=workspace.id, classification=1
        )
    assert Workspace.objects.get(id=workspace.id).classification == 2
    services.workspace_classify(
        actor=safos.actor("security"), workspace_id=workspace.id, classification=1
    )
    assert Workspace.objects.get(id=workspace.id).classification == 1
    event = AuditEvent.objects.filter(action="collaboration.workspace_classify").get()
    assert event.before == {"classification": 2, "scale_label_id": None}  # ADR 0617
    assert event.after["classification"] == 1
    assert event.actor_id == safos.users["security"].id


def test_the_batch_access_of_workspaces_answers_as_workspace_get_for_everyone(safos):
    """`workspace_accesses` (the batched writer's check, one query of members) against
    `workspace_get` (the scoped query): every person, the system and an anonymous caller, at
    every login level, on workspaces of every class and owner, members or not."""
    from samdrift.core.actor import ANONYMOUS, SYSTEM

    owner = safos.actor("owner")
    spaces = [
        services.workspace_create(actor=owner, name=f"Klass {level}", classification=level)
        for level in range(4)
    ]
    foreign = services.workspace_create(
        actor=safos.actor("editor"), name="B egen", classification=1
    )
    spaces.append(foreign)
    Member.objects.create(
        workspace=spaces[1], user=safos.users["reader"], organisation=safos.b, role="reader"
    )
    Member.objects.create(
        workspace=spaces[2], user=safos.users["editor"], organisation=safos.b, role="editor"
    )
    actors = [safos.actor(name, loa) for name in safos.users for loa in range(4)]
    actors += [SYSTEM, ANONYMOUS]
    pairs = [(actor, space) for actor in actors for space in spaces]
    batch = selectors.workspace_accesses(pairs)

    outcomes = set()
    for (actor, space), found in zip(pairs, batch, strict=True):
        expected = _answer(actor, space.id)
        where = (actor.label, actor.loa_rank, space.name)
        if isinstance(expected, Exception):
            assert type(found) is type(expected), where
            assert getattr(found, "level", None) == getattr(expected, "level", None), where
            outcomes.add(type(expected).__name__)
            continue
        assert not isinstance(found, Exception), (where, found)
        assert found.workspace.pk == expected.workspace.pk, where
        assert (found.member, found.abilities) == (expected.member, expected.abilities), where
        outcomes.add("seen")
    assert outcomes == {"seen", "NotFound", "StepUpRequired"}  # the matrix reaches every answer


def _answer(actor, workspace_id: int):  # type: ignore[no-untyped-def]
    try:
        return selectors.workspace_get(actor=actor, workspace_id=workspace_id)
    except (NotFound, StepUpRequired) as refusal:
        return refusal
