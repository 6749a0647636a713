"""The members of an agency through the API: its administrators list, invite (ADR 0111), re-role
and end memberships; refusals have our bilingual body and change nothing."""

from __future__ import annotations

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.organisations.models import Membership
from samdrift.organisations.tests.invitations import token_sent_to
from samdrift.tests.factories import UserFactory
from tests.api.support import audit_count, bearer_client, call

pytestmark = pytest.mark.django_db


def _members(agency) -> list[tuple[str, str]]:
    return sorted(agency.memberships.values_list("user__username", "role"))


def test_an_administrator_manages_the_members_of_the_agency(agency, agency_contact, agency_member):
    newcomer = UserFactory(
        username="ny_person", email="ny@myndighet.se", first_name="Ny", last_name="Person"
    )
    client, _secret = bearer_client(agency_contact)
    base = f"/agencies/{agency.id}/members"
    # list
    listed = call(client, "GET", base).json()
    assert listed["count"] == 2
    assert {(row["username"], row["role"]) for row in listed["items"]} == {
        ("kontakt_a", "contact"),
        ("medlem_a", "member"),
    }
    # invite the e-mail address; the invited person accepts with the token from the e-mail
    sent = call(
        client,
        "POST",
        f"/agencies/{agency.id}/invitations",
        {"email": "NY@myndighet.se", "role": "orderer"},
    )
    assert sent.status_code == 202, sent.content
    assert (sent.json()["email"], sent.json()["role"]) == ("ny@myndighet.se", "orderer")
    listed = call(client, "GET", f"/agencies/{agency.id}/invitations").json()
    assert [row["email"] for row in listed["items"]] == ["ny@myndighet.se"]
    invited, _secret = bearer_client(newcomer)
    token = token_sent_to("ny@myndighet.se")
    added = call(invited, "POST", "/invitations/accept", {"token": token})
    assert added.status_code == 200, added.content
    row = added.json()
    assert call(client, "GET", f"/agencies/{agency.id}/invitations").json()["count"] == 0
    assert (row["username"], row["name"], row["email"], row["role"]) == (
        "ny_person",
        "Ny Person",
        "ny@myndighet.se",
        "orderer",
    )
    # change the role
    changed = call(client, "PATCH", f"{base}/{row['id']}", {"role": "contact"})
    assert changed.status_code == 200 and changed.json()["role"] == "contact"
    # end: now the first contact may go, since another remains
    first = Membership.objects.get(user=agency_contact)
    assert call(client, "DELETE", f"{base}/{first.id}").status_code == 204
    assert _members(agency) == [("medlem_a", "member"), ("ny_person", "contact")]
    assert [e.action for e in AuditEvent.objects.order_by("-id")[:3]] == [
        "organisations.membership_ended",
        "organisations.membership_role_changed",
        "organisations.invitation_accepted",
    ]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"email": "inte en adress", "role": "member"}, 422, "invalid", "email"),
        ({"email": "ny@myndighet.se", "role": "finance"}, 409, "role_not_in_kind", None),
    ],
    ids=["not an address", "provider role in a customer agency"],
)
def test_a_refused_addition_explains_itself_and_stores_nothing(
    agency, agency_contact, agency_member, body, status, code, field
):
    client, _secret = bearer_client(agency_contact)
    before = (_members(agency), audit_count())
    response = call(client, "POST", f"/agencies/{agency.id}/invitations", body)
    assert response.status_code == status
    error = response.json()
    assert error["code"] == code
    assert error["message_sv"] != error["message_en"]
    if field:
        assert list(error["errors"]) == [field]
    assert (_members(agency), audit_count()) == before


def test_the_last_administrator_is_kept(agency, agency_contact):
    client, _secret = bearer_client(agency_contact)
    mine = Membership.objects.get(user=agency_contact)
    before = (_members(agency), audit_count())
    for method, body in (("DELETE", None), ("PATCH", {"role": "member"})):
        response = call(client, method, f"/agencies/{agency.id}/members/{mine.id}", body)
        assert response.status_code == 409
        error = response.json()
        assert error["code"] == "last_administrator"
        assert "sista administratör" in error["message_sv"]
        assert "last administrator" in error["message_en"]
    assert (_members(agency), audit_count()) == before


@pytest.mark.parametrize("role_fixture", ["agency_member", "agency_orderer"])
def test_other_roles_of_the_agency_are_forbidden(request, agency, agency_contact, role_fixture):
    client, _secret = bearer_client(request.getfixturevalue(role_fixture))
    contact_row = Membership.objects.get(user=agency_contact)
    before = (_members(agency), audit_count())
    base = f"/agencies/{agency.id}/members"
    for method, path, body in (
        ("GET", base, None),
        ("POST", f"/agencies/{agency.id}/invitations", {"email": "a@b.se", "role": "member"}),
        ("GET", f"/agencies/{agency.id}/invitations", None),
        ("PATCH", f"{base}/{contact_row.id}", {"role": "member"}),
        ("DELETE", f"{base}/{contact_row.id}", None),
    ):
        response = call(client, method, path, body)
        assert response.status_code == 403, (method, path)
        assert response.json()["code"] == "forbidden"
    assert (_members(agency), audit_count()) == before


def test_provider_staff_see_members_and_a_provider_admin_manages_them(
    agency, agency_contact, account_manager, provider_admin
):
    staff, _secret = bearer_client(account_manager)
    assert call(staff, "GET", f"/agencies/{agency.id}/members").json()["count"] == 1
    body = {"email": "ny@myndighet.se", "role": "member"}
    refused = call(staff, "POST", f"/agencies/{agency.id}/invitations", body)
    assert refused.status_code == 403
    admin, _secret = bearer_client(provider_admin)
    added = call(admin, "POST", f"/agencies/{agency.id}/invitations", body)
    assert added.status_code == 202
