"""GET /api/v1/agencies and /api/v1/agencies/{id}."""

from __future__ import annotations

import pytest

from samdrift.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ServiceFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.api.support import call

pytestmark = pytest.mark.django_db


@pytest.fixture
def court_tree(db):
    """Domstolsverket with two courts, and a contact of Domstolsverket."""
    parent = OrganisationFactory(name="Domstolsverket", ministry="Justitiedepartementet")
    courts = [
        OrganisationFactory(name=f"Tingsrätt {n}", parent=parent, ministry="Justitiedepartementet")
        for n in (1, 2)
    ]
    contact = UserFactory(username="dv_kontakt")
    MembershipFactory(user=contact, organisation=parent, role="contact")
    return parent, courts, contact


def test_provider_staff_list_every_agency_with_parent_and_child_count(
    client_for, account_manager, agency, other_agency, court_tree
):
    # given
    parent, _courts, _contact = court_tree
    # when
    response = call(client_for(account_manager), "GET", "/agencies?limit=100")
    # then
    assert response.status_code == 200
    body = response.json()
    by_name = {row["name"]: row for row in body["items"]}
    assert body["count"] == 6  # the provider, A, B, Domstolsverket and two courts
    assert by_name["Domstolsverket"]["child_count"] == 2
    assert by_name["Tingsrätt 1"]["parent"] == {"id": parent.id, "name": "Domstolsverket"}
    assert by_name["Myndighet A"]["parent"] is None
    assert by_name["Försäkringskassan"]["kind"] == "provider"


def test_list_pages_with_limit_and_offset_and_gives_the_total(client_for, account_manager):
    # given: the provider plus 7 agencies, 8 in all
    for n in range(7):
        OrganisationFactory(name=f"Verk {n}")
    client = client_for(account_manager)
    # when
    first = call(client, "GET", "/agencies?limit=3&offset=0").json()
    last = call(client, "GET", "/agencies?limit=3&offset=6").json()
    # then
    assert first["count"] == 8
    assert [row["name"] for row in first["items"]] == ["Försäkringskassan", "Verk 0", "Verk 1"]
    assert [row["name"] for row in last["items"]] == ["Verk 5", "Verk 6"]


def test_a_page_has_50_rows_unless_asked_otherwise(client_for, account_manager):
    for n in range(55):
        OrganisationFactory(name=f"Verk {n:02d}")
    body = call(client_for(account_manager), "GET", "/agencies").json()
    assert (body["count"], len(body["items"])) == (56, 50)


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "offset=-1", "limit=many"])
def test_paging_out_of_range_is_422(client_for, account_manager, query):
    response = call(client_for(account_manager), "GET", f"/agencies?{query}")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_filters_by_search_ministry_and_connected_service(client_for, account_manager):
    # given
    efos = ServiceFactory(code="EFOS")
    skatt = OrganisationFactory(name="Skatteverket", ministry="Finansdepartementet")
    polis = OrganisationFactory(name="Polismyndigheten", ministry="Justitiedepartementet")
    SubscriptionFactory(organisation=polis, service=efos)
    client = client_for(account_manager)

    def names(query: str) -> list[str]:
        return [row["name"] for row in call(client, "GET", f"/agencies?{query}").json()["items"]]

    # then
    assert names("search=skatte") == ["Skatteverket"]
    assert names(f"search={skatt.org_number}") == ["Skatteverket"]
    assert names("ministry=Justitiedepartementet") == ["Polismyndigheten"]
    assert names("connected_service=efos") == ["Polismyndigheten"]


def test_customer_lists_only_its_own_agency(client_for, agency_contact, agency, other_agency):
    body = call(client_for(agency_contact), "GET", "/agencies").json()
    assert body["count"] == 1
    assert [row["id"] for row in body["items"]] == [agency.id]


def test_parent_contact_sees_sub_agencies_in_list_and_detail(client_for, court_tree, agency):
    # given
    parent, courts, contact = court_tree
    client = client_for(contact)
    # when
    listed = call(client, "GET", "/agencies").json()
    detail = call(client, "GET", f"/agencies/{parent.id}").json()
    court = call(client, "GET", f"/agencies/{courts[0].id}")
    # then
    assert {row["id"] for row in listed["items"]} == {parent.id, courts[0].id, courts[1].id}
    assert [child["name"] for child in detail["children"]] == ["Tingsrätt 1", "Tingsrätt 2"]
    assert court.status_code == 200
    assert court.json()["parent"] == {"id": parent.id, "name": "Domstolsverket"}


def test_a_court_member_does_not_see_its_parent_or_sibling(client_for, court_tree):
    # given: a plain member of one court
    parent, courts, _contact = court_tree
    member = UserFactory(username="domare")
    MembershipFactory(user=member, organisation=courts[0], role="member")
    client = client_for(member)
    # then
    assert call(client, "GET", f"/agencies/{courts[0].id}").status_code == 200
    assert call(client, "GET", f"/agencies/{parent.id}").status_code == 404
    assert call(client, "GET", f"/agencies/{courts[1].id}").status_code == 404


def test_a_plain_member_of_the_parent_gets_no_children(client_for, court_tree):
    # given: membership that is not the contact role does not reach sub-agencies
    parent, _courts, _contact = court_tree
    member = UserFactory(username="dv_medlem")
    MembershipFactory(user=member, organisation=parent, role="member")
    # when
    detail = call(client_for(member), "GET", f"/agencies/{parent.id}").json()
    # then
    assert detail["children"] == []


def test_detail_carries_open_subscriptions(client_for, agency_contact, agency):
    # given
    SubscriptionFactory(organisation=agency, service=ServiceFactory(code="SAFOS"))
    # when
    detail = call(client_for(agency_contact), "GET", f"/agencies/{agency.id}").json()
    # then
    assert detail["org_number"] == agency.org_number
    assert [(s["service"]["code"], s["agreement_basis"]) for s in detail["subscriptions"]] == [
        ("SAFOS", "assignment")
    ]


@pytest.mark.parametrize("agency_id", ["other", -1])
def test_other_or_missing_agency_is_the_same_404(
    client_for, agency_contact, other_agency, agency_id
):
    target = other_agency.id if agency_id == "other" else agency_id
    response = call(client_for(agency_contact), "GET", f"/agencies/{target}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_anonymous_gets_401(client_for, agency):
    assert call(client_for(), "GET", "/agencies").status_code == 401
    assert call(client_for(), "GET", f"/agencies/{agency.id}").status_code == 401
