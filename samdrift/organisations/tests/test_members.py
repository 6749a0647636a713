"""Managing an agency's members: its administrators invite people with a role (the invitations
themselves: test_invitations.py), change roles and end memberships; every refusal is bilingual
and leaves nothing behind."""

from __future__ import annotations

import pytest

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    NotFound,
    PermissionDenied,
)
from samdrift.core.i18n import in_both_languages
from samdrift.organisations import services
from samdrift.organisations.models import Membership
from samdrift.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .invitations import add_member, token_sent_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer():
    return UserFactory(username="ny_person", email="Ny.Person@myndighet.se")


def _state() -> tuple[list[dict], int]:
    return list(Membership.objects.order_by("id").values()), AuditEvent.objects.count()


def _refused(error: Exception, sv: str, en: str) -> None:
    both = in_both_languages(error.message, error.params)  # type: ignore[attr-defined]
    assert sv in both["sv"], both
    assert en in both["en"], both


def test_a_role_of_the_other_kind_of_agency_is_refused(agency, agency_contact, newcomer):
    before = _state()
    with pytest.raises(BusinessRuleViolation) as refused:  # 409: a real role, wrong kind
        add_member(
            actor=actor_for_user(agency_contact),
            organisation_id=agency.id,
            user="ny_person",
            role="provider_admin",
        )
    assert refused.value.code == "role_not_in_kind"
    _refused(refused.value, "Det finns ingen roll", "There is no role")
    assert _state() == before


@pytest.mark.parametrize("role_fixture", ["agency_member", "agency_orderer"])
def test_only_the_agencys_administrators_manage_members(request, agency, role_fixture, newcomer):
    actor = actor_for_user(request.getfixturevalue(role_fixture))
    before = _state()
    with pytest.raises(PermissionDenied) as refused:
        add_member(actor=actor, organisation_id=agency.id, user="ny_person", role="member")
    _refused(refused.value, "administratörer", "administrators")
    assert _state() == before


def test_another_agencys_members_are_not_found(agency, agency_contact, other_agency_contact):
    theirs = Membership.objects.get(user=other_agency_contact)
    before = _state()
    actor = actor_for_user(agency_contact)
    with pytest.raises(NotFound):
        add_member(
            actor=actor, organisation_id=theirs.organisation_id, user="kontakt_a", role="member"
        )
    with pytest.raises(NotFound):
        services.membership_end(
            actor=actor, organisation_id=theirs.organisation_id, membership_id=theirs.id
        )
    # nor through A's own agency with B's membership id
    with pytest.raises(NotFound):
        services.membership_change_role(
            actor=actor, organisation_id=agency.id, membership_id=theirs.id, role="member"
        )
    assert _state() == before


def test_the_last_administrator_can_neither_leave_nor_change_role(agency, agency_contact):
    mine = Membership.objects.get(user=agency_contact)
    actor = actor_for_user(agency_contact)
    before = _state()
    with pytest.raises(BusinessRuleViolation) as ended:
        services.membership_end(actor=actor, organisation_id=agency.id, membership_id=mine.id)
    with pytest.raises(BusinessRuleViolation) as changed:
        services.membership_change_role(
            actor=actor, organisation_id=agency.id, membership_id=mine.id, role="member"
        )
    for refused in (ended, changed):
        assert refused.value.code == "last_administrator"
        _refused(refused.value, "sista administratör", "last administrator")
    assert _state() == before


def test_an_inactive_administrator_does_not_count(agency, agency_contact):
    gone = UserFactory(username="slutat", is_active=False)
    MembershipFactory(user=gone, organisation=agency, role="contact")
    mine = Membership.objects.get(user=agency_contact)
    with pytest.raises(BusinessRuleViolation):
        services.membership_end(
            actor=actor_for_user(agency_contact), organisation_id=agency.id, membership_id=mine.id
        )


def test_with_a_second_administrator_the_first_may_step_down(agency, agency_contact, newcomer):
    actor = actor_for_user(agency_contact)
    add_member(actor=actor, organisation_id=agency.id, user="ny_person", role="contact")
    mine = Membership.objects.get(user=agency_contact)
    # when
    changed = services.membership_change_role(
        actor=actor, organisation_id=agency.id, membership_id=mine.id, role="member"
    )
    # then
    assert changed.role == "member"
    event = AuditEvent.objects.latest("id")
    assert event.action == "organisations.membership_role_changed"
    assert (event.before["role"], event.after["role"]) == ("contact", "member")


def test_ending_a_membership_keeps_the_users_other_roles(agency, agency_contact, agency_orderer):
    MembershipFactory(user=agency_orderer, organisation=agency, role="member")
    orderer_row = Membership.objects.get(user=agency_orderer, role="orderer")
    services.membership_end(
        actor=actor_for_user(agency_contact),
        organisation_id=agency.id,
        membership_id=orderer_row.id,
    )
    assert list(Membership.objects.filter(user=agency_orderer).values_list("role", flat=True)) == [
        "member"
    ]
    event = AuditEvent.objects.latest("id")
    assert event.action == "organisations.membership_ended"
    assert event.before["role"] == "orderer" and event.after is None


def test_changing_to_a_role_the_user_already_has_is_refused(agency, agency_contact, agency_orderer):
    MembershipFactory(user=agency_orderer, organisation=agency, role="member")
    orderer_row = Membership.objects.get(user=agency_orderer, role="orderer")
    before = _state()
    with pytest.raises(BusinessRuleViolation):
        services.membership_change_role(
            actor=actor_for_user(agency_contact),
            organisation_id=agency.id,
            membership_id=orderer_row.id,
            role="member",
        )
    assert _state() == before


def test_a_parent_contact_manages_its_sub_agency_and_a_provider_admin_any(provider_admin, newcomer):
    parent = OrganisationFactory(name="Domstolsverket")
    court = OrganisationFactory(name="Solna tingsrätt", parent=parent)
    contact = UserFactory(username="dv_kontakt")
    MembershipFactory(user=contact, organisation=parent, role="contact")
    add_member(
        actor=actor_for_user(contact), organisation_id=court.id, user="ny_person", role="contact"
    )
    add_member(
        actor=actor_for_user(provider_admin),
        organisation_id=court.id,
        user="ny_person",
        role="orderer",
    )
    assert set(court.memberships.values_list("role", flat=True)) == {"contact", "orderer"}


def test_a_provider_agency_is_administered_by_its_provider_admins(
    provider, provider_admin, agency_contact
):
    mine = Membership.objects.get(user=provider_admin)
    with pytest.raises(BusinessRuleViolation):
        services.membership_end(
            actor=actor_for_user(provider_admin), organisation_id=provider.id, membership_id=mine.id
        )
    with pytest.raises(NotFound):  # a customer contact does not even see the provider agency
        add_member(
            actor=actor_for_user(agency_contact),
            organisation_id=provider.id,
            user="kontakt_a",
            role="finance",
        )


# The page: the members section of the agency's page.


def test_the_contact_sees_and_manages_members_on_the_agency_page(
    agency, agency_contact, agency_member, newcomer, client_for
):
    client = client_for(agency_contact)
    page = client.get(f"/agencies/{agency.id}/").content.decode()
    assert 'id="members"' in page and "medlem_a" in page and "Skicka inbjudan" in page
    # invite; the newcomer accepts on the link's page
    response = client.post(
        f"/agencies/{agency.id}/invitations/",
        {"email": "ny.person@myndighet.se", "role": "orderer"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/agencies/{agency.id}/#members"
    token = token_sent_to("ny.person@myndighet.se")
    accepted = client_for(newcomer).post(f"/agencies/invitations/{token}/")
    assert accepted.status_code == 302
    added = Membership.objects.get(user=newcomer, organisation=agency)
    # change the role
    client.post(f"/agencies/{agency.id}/members/{added.id}/role/", {"role": "member"})
    added.refresh_from_db()
    assert added.role == "member"
    # end
    client.post(f"/agencies/{agency.id}/members/{added.id}/end/")
    assert not Membership.objects.filter(id=added.id).exists()


def test_the_last_administrator_refusal_is_shown_on_the_page(agency, agency_contact, client_for):
    mine = Membership.objects.get(user=agency_contact)
    client = client_for(agency_contact)
    response = client.post(f"/agencies/{agency.id}/members/{mine.id}/end/", follow=True)
    assert "sista administratör" in response.content.decode()
    assert Membership.objects.filter(id=mine.id).exists()


@pytest.mark.parametrize("role_fixture", ["agency_member", "agency_orderer"])
def test_other_roles_see_no_members_and_cannot_manage(
    request, agency, agency_contact, role_fixture, newcomer, client_for
):
    client = client_for(request.getfixturevalue(role_fixture))
    page = client.get(f"/agencies/{agency.id}/").content.decode()
    assert 'id="members"' not in page and "kontakt_a" not in page
    before = _state()
    response = client.post(
        f"/agencies/{agency.id}/invitations/", {"email": "ny@myndighet.se", "role": "contact"}
    )
    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert "Bara myndighetens administratörer får hantera dess medlemmar." in shown
    contact_row = Membership.objects.get(user=agency_contact)
    client.post(f"/agencies/{agency.id}/members/{contact_row.id}/end/")
    client.post(f"/agencies/{agency.id}/members/{contact_row.id}/role/", {"role": "member"})
    assert _state() == before


def test_the_member_pages_take_only_post(agency, agency_contact, client_for):
    mine = Membership.objects.get(user=agency_contact)
    client = client_for(agency_contact)
    assert client.get(f"/agencies/{agency.id}/invitations/").status_code == 405
    assert client.get(f"/agencies/{agency.id}/members/{mine.id}/end/").status_code == 405


def test_the_add_form_offers_the_agency_kinds_roles_with_member_preselected(
    agency, agency_contact, client_for
):
    form = client_for(agency_contact).get(f"/agencies/{agency.id}/").context["invite_form"]
    assert [value for value, _label in form.fields["role"].choices] == [
        "contact",
        "orderer",
        "member",
    ]
    assert form["role"].value() == "member"
