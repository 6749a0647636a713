"""A service's level of assurance (`AssuranceRequirement`) holds on every page, API operation and
download of the service's area, through the tenancy kernel (ADR 0043): a weaker login steps up
on pages and gets `step_up_required` from the API, before anything is looked up."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from samdrift.catalogue.models import Service
from samdrift.core.actor import SYSTEM
from samdrift.core.tenancy import LOGIN_SESSION_KEY, service_areas
from samdrift.efos import services as efos_services
from samdrift.identity.models import AssuranceRequirement
from samdrift.identity.stepup import SESSION_KEY
from samdrift.tests.factories import OrganisationFactory, ServiceFactory
from tests.api.support import bearer_client

pytestmark = pytest.mark.django_db


def _login(client_for, user, rank: int | None) -> Client:
    client = client_for(user)
    if rank is not None:
        session = client.session
        session[LOGIN_SESSION_KEY] = {
            "user_id": user.pk,
            "acr": f"http://id.elegnamnden.se/loa/1.0/loa{rank}",
            "rank": rank,
            "provider": "dev",
            "auth_time": int(time.time()),
        }
        session.save()
    return client


@pytest.fixture
def efos(provider) -> Service:
    return ServiceFactory(code="EFOS", provider=provider)


@pytest.fixture
def loa3(efos) -> AssuranceRequirement:
    return AssuranceRequirement.objects.create(service=efos, min_rank=3)


@pytest.fixture
def officials(agency, other_agency):
    own = efos_services.add_official(
        actor=SYSTEM, organisation_id=agency.pk, given_name="Egen", surname="Tjänsteman"
    )
    other = efos_services.add_official(
        actor=SYSTEM, organisation_id=other_agency.pk, given_name="Annan", surname="Tjänsteman"
    )
    return own, other


def test_the_session_key_is_identitys():
    """The kernel reads the level where identity writes it (ADR 0401)."""
    assert LOGIN_SESSION_KEY == SESSION_KEY


def test_efos_is_a_service_area_with_its_protocol_endpoints_exempt():
    (area,) = [a for a in service_areas() if a.service_code == "EFOS"]
    assert area.url_namespace == "efos" and area.api_prefix == "/api/v1/efos/"
    assert {"token", "ocsp", "crl", "authorize"} <= area.exempt_url_names


@pytest.mark.parametrize("rank", [None, 1, 2])
def test_a_weaker_login_is_sent_to_step_up_on_every_page(
    client_for, agency_contact, loa3, officials, rank
):
    client = _login(client_for, agency_contact, rank)
    own, _other = officials
    for path in ("/efos/", "/efos/officials/", f"/efos/officials/{own.pk}/", "/efos/documents/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/identity/step-up/?level=3&next="), path


def test_a_download_of_the_service_steps_up_too(client_for, agency_contact, loa3):
    response = _login(client_for, agency_contact, 2).get("/efos/documents/1/signatures/2.pdf")
    assert response.status_code == 302
    assert response["Location"].startswith("/identity/step-up/?level=3")


def test_the_step_up_comes_before_any_lookup_so_it_tells_nothing(
    client_for, agency_contact, loa3, officials
):
    client = _login(client_for, agency_contact, 2)
    _own, other = officials
    foreign = client.get(f"/efos/officials/{other.pk}/")
    missing = client.get("/efos/officials/987654/")
    assert foreign.status_code == missing.status_code == 302
    asked_for = {foreign: f"/efos/officials/{other.pk}/", missing: "/efos/officials/987654/"}
    sent_to = {response: parse_qs(urlsplit(response["Location"]).query) for response in asked_for}
    assert sent_to[foreign]["next"] == [asked_for[foreign]]
    assert sent_to[missing]["next"] == [asked_for[missing]]
    assert sent_to[foreign]["level"] == sent_to[missing]["level"] == ["3"]


def test_an_anonymous_visitor_is_sent_to_log_in_at_the_level(loa3):
    response = Client().get("/efos/officials/")
    assert response.status_code == 302
    assert response["Location"].startswith("/identity/login/?level=3")


def test_a_strong_enough_login_opens_the_pages(client_for, agency_contact, loa3, officials):
    client = _login(client_for, agency_contact, 3)
    own, other = officials
    assert client.get("/efos/officials/").status_code == 200
    assert client.get(f"/efos/officials/{own.pk}/").status_code == 200
    # ... and the level opens nothing the tenancy rule closes
    assert client.get(f"/efos/officials/{other.pk}/").status_code == 404


def test_without_a_requirement_nothing_is_asked(client_for, agency_contact, efos):
    assert _login(client_for, agency_contact, None).get("/efos/officials/").status_code == 200


def test_the_protocol_endpoints_and_the_catalogue_page_are_not_gated(
    client_for, agency_contact, loa3
):
    client = _login(client_for, agency_contact, None)
    assert client.get("/efos/.well-known/openid-configuration").status_code == 200
    assert client.get("/catalogue/EFOS/").status_code == 200


def test_the_api_answers_step_up_required_with_a_challenge(client_for, agency_contact, loa3):
    response = _login(client_for, agency_contact, 2).get("/api/v1/efos/officials")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "step_up_required"
    assert "3" in body["message_sv"] and "3" in body["message_en"]
    assert body["message_sv"] != body["message_en"]
    challenge = response["WWW-Authenticate"]
    assert 'error="insufficient_user_authentication"' in challenge and 'level="3"' in challenge


def test_the_api_step_up_is_the_same_for_a_foreign_and_a_missing_id(
    client_for, agency_contact, loa3, officials
):
    client = _login(client_for, agency_contact, 2)
    _own, other = officials
    foreign = client.post(f"/api/v1/efos/credentials/{other.pk}/suspend")
    missing = client.post("/api/v1/efos/credentials/987654/suspend")
    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())
    assert foreign.json()["code"] == "step_up_required"


def test_a_personal_token_carries_no_level(agency_contact, loa3):
    client, _secret = bearer_client(agency_contact)
    response = client.get("/api/v1/efos/officials")
    assert response.status_code == 401
    assert response.json()["code"] == "step_up_required"
    assert "WWW-Authenticate" in response


def test_the_api_opens_at_the_level(client_for, agency_contact, loa3):
    assert _login(client_for, agency_contact, 3).get("/api/v1/efos/officials").status_code == 200


def test_an_unauthenticated_api_caller_is_unauthenticated_not_stepped_up(loa3):
    response = Client().get("/api/v1/efos/officials")
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


def test_a_level_recorded_for_another_user_counts_for_nothing(
    client_for, agency_contact, agency_member, loa3
):
    client = _login(client_for, agency_contact, 3)
    session = client.session
    session[LOGIN_SESSION_KEY] = {**session[LOGIN_SESSION_KEY], "user_id": agency_member.pk}
    session.save()
    assert client.get("/efos/officials/").status_code == 302


def test_other_areas_are_untouched(client_for, agency_contact, loa3, other_agency):
    OrganisationFactory(name="Ännu en myndighet")
    client = _login(client_for, agency_contact, None)
    assert client.get("/agencies/").status_code == 200
    assert client.get("/api/v1/agencies").status_code == 200
