"""GET/POST /api/v1/requests and the withdraw / decline actions."""

from __future__ import annotations

import datetime

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.onboarding.models import ServiceRequest
from samdrift.tests.factories import ServiceFactory, ServiceRequestFactory
from tests.api.support import audit_count, call, row_state, swedish_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def safos(provider):
    return ServiceFactory(code="SAFOS", name_sv="Samarbetsplattform", name_en="Collaboration")


@pytest.mark.parametrize("actor_fixture", ["agency_contact", "agency_orderer", "account_manager"])
def test_contact_orderer_or_account_manager_asks_for_a_service(
    request, client_for, agency, safos, actor_fixture
):
    # given
    user = request.getfixturevalue(actor_fixture)
    before = audit_count()
    # when
    response = call(
        client_for(user),
        "POST",
        "/requests",
        {"organisation_id": agency.id, "service_code": "safos", "note": "Till hösten"},
    )
    # then
    assert response.status_code == 201
    body = response.json()
    stored = ServiceRequest.objects.get(id=body["id"])
    assert (stored.organisation_id, stored.service_id, stored.status, stored.note) == (
        agency.id,
        safos.id,
        "requested",
        "Till hösten",
    )
    assert stored.created_by_id == user.id
    assert body["service"]["code"] == "SAFOS"
    assert body["abilities"]["withdraw"] is True
    assert AuditEvent.objects.filter(
        action="onboarding.request_created", object_id=str(stored.id)
    ).exists()
    assert audit_count() == before + 1


def test_a_plain_member_may_not_ask(client_for, agency_member, agency, safos):
    before = audit_count()
    response = call(
        client_for(agency_member),
        "POST",
        "/requests",
        {"organisation_id": agency.id, "service_code": "SAFOS"},
    )
    assert response.status_code == 403
    assert not ServiceRequest.objects.exists()
    assert audit_count() == before


def test_unknown_service_code_is_422_in_both_languages(client_for, agency_contact, agency):
    # given: a Swedish translation of the message, as the app catalogue will have it
    before = audit_count()
    with swedish_text("Unknown service code(s): %(codes)s", "Okänd tjänstekod: %(codes)s"):
        # when
        response = call(
            client_for(agency_contact),
            "POST",
            "/requests",
            {"organisation_id": agency.id, "service_code": "NOPE"},
        )
    # then
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message_sv"] == "Okänd tjänstekod: NOPE"
    assert body["message_en"] == "Unknown service code(s): NOPE"
    assert body["errors"] == {"services": ["NOPE"]}
    assert not ServiceRequest.objects.exists()
    assert audit_count() == before


def test_missing_fields_are_422(client_for, agency_contact):
    response = call(client_for(agency_contact), "POST", "/requests", {"service_code": "SAFOS"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_list_filters_and_abilities(client_for, account_manager, agency, other_agency, safos):
    # given
    efos = ServiceFactory(code="EFOS")
    old = ServiceRequestFactory(
        organisation=agency, service=safos, requested_on=datetime.date(2020, 5, 1)
    )
    new = ServiceRequestFactory(organisation=other_agency, service=efos)
    withdrawn = ServiceRequestFactory(organisation=agency, service=efos, status="withdrawn")
    client = client_for(account_manager)

    def ids(query: str) -> list[int]:
        return [row["id"] for row in call(client, "GET", f"/requests?{query}").json()["items"]]

    # then
    assert ids("") == [withdrawn.id, new.id, old.id]
    assert ids("service=safos") == [old.id]
    assert ids("status=withdrawn") == [withdrawn.id]
    assert ids("year=2020") == [old.id]
    row = call(client, "GET", f"/requests/{new.id}").json()
    assert row["abilities"] == {"view": True, "withdraw": True, "decline": True, "plan": True}


def test_the_agency_withdraws(client_for, agency_contact, agency, safos):
    asked = ServiceRequestFactory(organisation=agency, service=safos)
    response = call(client_for(agency_contact), "POST", f"/requests/{asked.id}/withdraw")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert ServiceRequest.objects.get(id=asked.id).status == "withdrawn"
    assert AuditEvent.objects.filter(
        action="onboarding.request_withdrawn", object_id=str(asked.id)
    ).exists()


def test_the_provider_declines(client_for, account_manager, agency, safos):
    asked = ServiceRequestFactory(organisation=agency, service=safos)
    response = call(client_for(account_manager), "POST", f"/requests/{asked.id}/decline")
    assert response.status_code == 200
    assert ServiceRequest.objects.get(id=asked.id).status == "declined"


def test_a_customer_may_not_decline(client_for, agency_contact, agency, safos):
    asked = ServiceRequestFactory(organisation=agency, service=safos)
    before_row, before_audit = row_state(asked), audit_count()
    response = call(client_for(agency_contact), "POST", f"/requests/{asked.id}/decline")
    assert response.status_code == 403
    assert row_state(asked) == before_row
    assert audit_count() == before_audit


def test_a_settled_request_cannot_be_withdrawn(client_for, agency_contact, agency, safos):
    asked = ServiceRequestFactory(organisation=agency, service=safos, status="declined")
    before_row, before_audit = row_state(asked), audit_count()
    response = call(client_for(agency_contact), "POST", f"/requests/{asked.id}/withdraw")
    assert response.status_code == 403
    assert row_state(asked) == before_row
    assert audit_count() == before_audit


def test_missing_request_is_404(client_for, account_manager):
    assert call(client_for(account_manager), "GET", "/requests/-1").status_code == 404
    assert call(client_for(account_manager), "POST", "/requests/-1/decline").status_code == 404


def test_anonymous_gets_401(client_for, agency, safos):
    asked = ServiceRequestFactory(organisation=agency, service=safos)
    assert call(client_for(), "GET", "/requests").status_code == 401
    assert call(client_for(), "POST", f"/requests/{asked.id}/withdraw").status_code == 401
    body = {"organisation_id": agency.id, "service_code": "SAFOS"}
    assert call(client_for(), "POST", "/requests", body).status_code == 401
    assert ServiceRequest.objects.get(id=asked.id).status == "requested"
