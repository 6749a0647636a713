"""GET /api/v1/services and /api/v1/services/{code}."""

from __future__ import annotations

from decimal import Decimal

import pytest

from samdrift.catalogue.models import ServiceDependency
from samdrift.tests.factories import ServiceFactory, SubscriptionFactory
from tests.api.support import call

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(provider):
    efos = ServiceFactory(
        code="EFOS",
        name_sv="Tjänstelegitimation",
        name_en="Service e-ID",
        display_order=1,
        availability_target=Decimal("99.9"),
        support_hours="24x7",
        rto_hours=4,
        rpo_hours=1,
    )
    safos = ServiceFactory(code="SAFOS", display_order=2)
    draft = ServiceFactory(code="NYTT", lifecycle="draft", display_order=3)
    ServiceDependency.objects.create(
        service=safos, depends_on=efos, reason_sv="Inloggning", reason_en="Login"
    )
    ServiceDependency.objects.create(service=draft, depends_on=efos)
    return efos, safos, draft


def test_customer_lists_active_services_with_service_level_and_connections(
    client_for, agency_contact, agency, other_agency, catalogue
):
    # given
    efos, _safos, _draft = catalogue
    SubscriptionFactory(organisation=agency, service=efos)
    SubscriptionFactory(organisation=other_agency, service=efos)
    # when
    body = call(client_for(agency_contact), "GET", "/services").json()
    # then
    assert body["count"] == 2
    first = body["items"][0]
    assert [row["code"] for row in body["items"]] == ["EFOS", "SAFOS"]
    assert first["service_level"] == {
        "availability_target": 99.9,
        "support_hours": "24x7",
        "rto_hours": 4,
        "rpo_hours": 1,
    }
    assert first["connected_count"] == 2  # catalogue-wide figure, no agency named
    assert first["provider"]["name"] == "Försäkringskassan"


def test_provider_staff_also_see_drafts_and_can_filter(client_for, service_manager, catalogue):
    client = client_for(service_manager)
    codes = [r["code"] for r in call(client, "GET", "/services").json()["items"]]
    drafts = [r["code"] for r in call(client, "GET", "/services?lifecycle=draft").json()["items"]]
    found = [r["code"] for r in call(client, "GET", "/services?search=legitim").json()["items"]]
    assert codes == ["EFOS", "SAFOS", "NYTT"]
    assert drafts == ["NYTT"]
    assert found == ["EFOS"]


def test_unknown_lifecycle_filter_is_422(client_for, service_manager):
    response = call(client_for(service_manager), "GET", "/services?lifecycle=gone")
    assert response.status_code == 422


def test_detail_gives_dependencies_both_ways(client_for, service_manager, catalogue):
    client = client_for(service_manager)
    safos = call(client, "GET", "/services/SAFOS").json()
    efos = call(client, "GET", "/services/efos").json()
    assert [(d["code"], d["reason_en"]) for d in safos["dependencies"]] == [("EFOS", "Login")]
    assert safos["dependants"] == []
    assert [d["code"] for d in efos["dependants"]] == ["SAFOS", "NYTT"]
    assert efos["service_level"]["rto_hours"] == 4


def test_customer_gets_404_for_a_draft_and_never_sees_it_as_dependant(
    client_for, agency_contact, catalogue
):
    client = client_for(agency_contact)
    assert call(client, "GET", "/services/NYTT").status_code == 404
    efos = call(client, "GET", "/services/EFOS").json()
    assert [d["code"] for d in efos["dependants"]] == ["SAFOS"]


def test_unknown_code_is_404(client_for, agency_contact, catalogue):
    response = call(client_for(agency_contact), "GET", "/services/NOPE")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_anonymous_gets_401(client_for, catalogue):
    assert call(client_for(), "GET", "/services").status_code == 401
    assert call(client_for(), "GET", "/services/EFOS").status_code == 401
