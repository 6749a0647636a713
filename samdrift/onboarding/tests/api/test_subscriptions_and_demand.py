"""GET /api/v1/subscriptions, /api/v1/subscriptions/{id} and /api/v1/reports/demand."""

from __future__ import annotations

import datetime

import pytest

from samdrift.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ServiceFactory,
    ServiceRequestFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.api.support import call

pytestmark = pytest.mark.django_db


def test_subscription_list_filters(client_for, account_manager, agency, other_agency):
    # given
    efos, safos = ServiceFactory(code="EFOS"), ServiceFactory(code="SAFOS")
    a_efos = SubscriptionFactory(organisation=agency, service=efos)
    b_safos = SubscriptionFactory(
        organisation=other_agency, service=safos, agreement_basis="separate"
    )
    ended = SubscriptionFactory(
        organisation=other_agency, service=efos, end_date=datetime.date(2021, 12, 1)
    )
    client = client_for(account_manager)

    def ids(query: str) -> list[int]:
        return [r["id"] for r in call(client, "GET", f"/subscriptions?{query}").json()["items"]]

    # then
    assert ids("") == [a_efos.id, b_safos.id]
    assert ids("service=efos") == [a_efos.id]
    assert ids("basis=separate") == [b_safos.id]
    assert ids(f"organisation={agency.id}") == [a_efos.id]
    assert sorted(ids("active_only=false")) == sorted([a_efos.id, b_safos.id, ended.id])
    assert call(client, "GET", "/subscriptions?basis=gift").status_code == 422


def test_subscription_detail(client_for, agency_contact, agency):
    sub = SubscriptionFactory(organisation=agency, service=ServiceFactory(code="EFOS"))
    body = call(client_for(agency_contact), "GET", f"/subscriptions/{sub.id}").json()
    assert body == {
        "id": sub.id,
        "organisation": {"id": agency.id, "name": "Myndighet A"},
        "service": {"code": "EFOS", "name_sv": sub.service.name_sv, "name_en": sub.service.name_en},
        "start_date": "2021-06-01",
        "end_date": None,
        "agreement_basis": "assignment",
        "case_id": None,
    }


def test_missing_subscription_is_404(client_for, account_manager):
    assert call(client_for(account_manager), "GET", "/subscriptions/-1").status_code == 404


@pytest.fixture
def demand_data(provider):
    """Domstolsverket with three courts; two courts connected, one court and Skatteverket asked."""
    efos = ServiceFactory(code="EFOS", name_sv="Tjänstelegitimation", name_en="Service e-ID")
    ServiceFactory(code="SAFOS", display_order=200)
    parent = OrganisationFactory(name="Domstolsverket")
    courts = [OrganisationFactory(name=f"Tingsrätt {n}", parent=parent) for n in range(3)]
    skatt = OrganisationFactory(name="Skatteverket")
    ServiceRequestFactory(organisation=courts[0], service=efos)
    ServiceRequestFactory(organisation=skatt, service=efos)
    ServiceRequestFactory(organisation=skatt, service=efos, status="withdrawn")
    SubscriptionFactory(organisation=courts[0], service=efos)
    SubscriptionFactory(organisation=courts[1], service=efos)
    SubscriptionFactory(organisation=skatt, service=efos, agreement_basis="separate")
    SubscriptionFactory(  # connected only from 2022: not in the 2021 report
        organisation=courts[2], service=efos, start_date=datetime.date(2022, 2, 1)
    )
    return parent, courts, skatt


def test_demand_report_counts_both_ways(client_for, account_manager, demand_data):
    # when
    response = call(
        client_for(account_manager), "GET", "/reports/demand?year=2021&basis=assignment"
    )
    # then: legal agencies are Försäkringskassan, three courts and Skatteverket
    assert response.status_code == 200
    body = response.json()
    assert (body["year"], body["basis"], body["legal_agency_total"]) == (2021, "assignment", 5)
    efos = body["rows"][0]
    assert efos == {
        "provider": "Försäkringskassan",
        "service_code": "EFOS",
        "name_sv": "Tjänstelegitimation",
        "name_en": "Service e-ID",
        "requested": 2,  # Domstolsverket once, Skatteverket
        "connected": 1,  # Domstolsverket once
        "requested_legal": 2,
        "connected_legal": 2,  # two courts
        "coverage_pct": 40.0,
    }
    assert [row["service_code"] for row in body["rows"]] == ["EFOS", "SAFOS"]


def test_demand_report_basis_all_counts_every_basis(client_for, account_manager, demand_data):
    body = call(client_for(account_manager), "GET", "/reports/demand?year=2021&basis=all").json()
    assert body["basis"] is None
    assert (body["rows"][0]["connected"], body["rows"][0]["connected_legal"]) == (2, 3)


def test_demand_report_of_a_customer_counts_only_its_own(client_for, demand_data):
    # given: Skatteverket's contact
    _parent, _courts, skatt = demand_data
    user = UserFactory(username="skv")
    MembershipFactory(user=user, organisation=skatt, role="contact")
    # when
    body = call(client_for(user), "GET", "/reports/demand?year=2021&basis=all").json()
    # then
    assert (body["rows"][0]["requested"], body["rows"][0]["connected"]) == (1, 1)


@pytest.mark.parametrize("query", ["", "year=2021&basis=gift", "year=twenty"])
def test_demand_report_bad_input_is_422(client_for, account_manager, query):
    response = call(client_for(account_manager), "GET", f"/reports/demand?{query}")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
