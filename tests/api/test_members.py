"""The members of an agency through the API: its administrators list, add, re-role and end
memberships; refusals have our bilingual body and change nothing."""

from __future__ import annotations

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.organisations.models import Membership
from samdrift.tests.factories import UserFactory
from tests.api.support import audit_count, bearer_client, call

pytestmark = pytest.mark.django_db


def _members(agency) -> list[tuple[str, str]]:
    return sorted(agency.memberships.values_list("user__username", "role"))


def test_an_administrator_manages_the_members_of_the_agency(agency, agency_contact, agency_member):
    UserFactory(username="ny_person", email="ny@myndighet.se", first_name="Ny", last_name="Person")
    client, _secret = bearer_client(agency_contact)
    base = f"/agencies/{agency.id}/members"
    # list
    listed = call(client, "GET", base).json()
    assert listed["count"] == 2
    assert {(row["username"], row["role"]) for row in listed["items"]} == {
        ("kontakt_a", "contact"),
        ("medlem_a", "member"),
    }
    # add by e-mail address
    added = call(client, "POST", base, {"user": "NY@myndighet.se", "role": "orderer"})
    assert added.status_code == 201, added.content
    row = added.json()
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
        "organisations.membership_added",
    ]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"user": "ingen@example.se", "role": "member"}, 422, "invalid", "user"),
        ({"user": "medlem_a", "role": "finance"}, 409, "role_not_in_kind", None),
        ({"user": "medlem_a", "role": "member"}, 409, "duplicate_membership", None),
    ],
    ids=["unknown user", "provider role in a customer agency", "duplicate"],
)
def test_a_refused_addition_explains_itself_and_stores_nothing(
    agency, agency_contact, agency_member, body, status, code, field
):
    client, _secret = bearer_client(agency_contact)
    before = (_members(agency), audit_count())
    response = call(client, "POST", f"/agencies/{agency.id}/members", body)
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
        ("POST", base, {"user": "kontakt_a", "role": "member"}),
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
    UserFactory(username="ny_person")
    staff, _secret = bearer_client(account_manager)
    assert call(staff, "GET", f"/agencies/{agency.id}/members").json()["count"] == 1
    refused = call(
        staff, "POST", f"/agencies/{agency.id}/members", {"user": "ny_person", "role": "member"}
    )
    assert refused.status_code == 403
    admin, _secret = bearer_client(provider_admin)
    added = call(
        admin, "POST", f"/agencies/{agency.id}/members", {"user": "ny_person", "role": "member"}
    )
    assert added.status_code == 201
