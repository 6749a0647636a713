"""Who may call the API at all, and the OpenAPI document that describes it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.api.endpoints import foundation_operations
from tests.api.support import API, audit_count, bearer_client, call

pytestmark = pytest.mark.django_db

OPERATIONS = sorted(foundation_operations())


def _concrete(template: str) -> str:
    # Any id will do: authentication is checked before the object is looked up.
    return re.sub(r"\{[a-z_]+\}", "1", template)


@pytest.mark.parametrize(
    ("method", "template"), OPERATIONS, ids=[f"{m} {t}" for m, t in OPERATIONS]
)
@pytest.mark.parametrize("header", [None, "Bearer sd_not-a-token"], ids=["anonymous", "unknown"])
def test_every_endpoint_needs_a_login_or_a_valid_token(method, template, header):
    client = Client(headers={"Authorization": header}) if header else Client()
    response = call(client, method, _concrete(template), {})
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthenticated"
    assert body["message_sv"]
    assert body["message_en"] == "Log in or give a valid API token."


def test_bearer_token_works_for_reads_and_writes(agency_contact, agency, provider):
    from samdrift.onboarding.models import ServiceRequest
    from samdrift.tests.factories import ServiceFactory

    ServiceFactory(code="EFOS")
    client, _secret = bearer_client(agency_contact)
    assert call(client, "GET", f"/agencies/{agency.id}").status_code == 200
    response = call(
        client, "POST", "/requests", {"organisation_id": agency.id, "service_code": "EFOS"}
    )
    assert response.status_code == 201
    assert ServiceRequest.objects.get(id=response.json()["id"]).created_by_id == agency_contact.id


SESSION_ONLY = {("POST", "/me/tokens"), ("POST", "/me/app-passwords")}


def test_openapi_document_describes_every_foundation_endpoint():
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    operations = {
        (method.upper(), path.removeprefix(API)): op
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    }
    for key in OPERATIONS:
        operation = operations[key]
        assert operation["summary"], key
        assert "401" in operation["responses"], key
        if key not in SESSION_ONLY:
            assert operation["security"] == [{"TokenAuth": []}, {"SessionAuth": []}], key
    list_params = {p["name"] for p in operations[("GET", "/cases")]["parameters"]}
    assert {"limit", "offset", "phase", "scope", "state", "organisation"} <= list_params
    paged = schema["components"]["schemas"]["PagedCaseOut"]
    assert set(paged["required"]) == {"items", "count"}
    error = {"$ref": "#/components/schemas/ErrorOut"}
    advance = operations[("POST", "/cases/{case_id}/advance")]["responses"]
    assert advance["409"]["content"]["application/json"]["schema"] == error
    # 400: a body that is not JSON at all; documented wherever 422 is (core.api.errors).
    assert set(advance) == {"200", "400", "401", "403", "404", "409", "422"}
    # Tokens and app passwords are minted only from a browser session (ADR 0614).
    for key in SESSION_ONLY:
        assert operations[key]["security"] == [{"SessionAuth": []}], key


def test_a_session_write_without_the_csrf_token_is_refused(agency_contact, agency, provider):
    # given: a page on another site makes the browser post with the session cookie
    from samdrift.onboarding.models import ServiceRequest
    from samdrift.tests.factories import ServiceFactory

    ServiceFactory(code="EFOS")
    client = Client(enforce_csrf_checks=True)
    client.force_login(agency_contact)
    before = audit_count()
    # when
    response = call(
        client, "POST", "/requests", {"organisation_id": agency.id, "service_code": "EFOS"}
    )
    # then
    assert response.status_code == 403
    assert not ServiceRequest.objects.exists()
    assert audit_count() == before
    # while a read with the same session works
    assert call(client, "GET", f"/agencies/{agency.id}").status_code == 200
