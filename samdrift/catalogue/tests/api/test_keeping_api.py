"""The API of keeping the catalogue (ADR 0220): POST/PUT /services, transition, dependencies,
categories and the level of assurance — error codes as documented, nothing changed on refusal."""

from __future__ import annotations

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.catalogue.models import Service, ServiceDependency
from samdrift.identity.selectors import required_rank_for_service
from samdrift.tests.factories import (
    CategoryFactory,
    MembershipFactory,
    SecondProviderFactory,
    ServiceFactory,
    UserFactory,
)
from tests.api.support import call, row_state

pytestmark = pytest.mark.django_db

BODY = {
    "code": "lagring",
    "name_sv": "Lagring",
    "name_en": "Storage",
    "category": "infrastructure",
    "availability_target": 99.7,
    "support_hours": "24x7",
    "rto_hours": 8,
    "rpo_hours": 2,
}


@pytest.fixture
def manager_client(client_for, service_manager):
    CategoryFactory()
    return client_for(service_manager)


def test_create_update_transition_and_depend_through_the_api(manager_client, provider):
    created = call(manager_client, "POST", "/services", BODY)
    assert created.status_code == 201, created.content
    assert created.json()["lifecycle"] == "draft" and created.json()["version"] == 1
    body = {k: v for k, v in BODY.items() if k != "code"}
    updated = call(
        manager_client, "PUT", "/services/LAGRING", {**body, "rto_hours": 4, "version": 1}
    )
    assert updated.status_code == 200 and updated.json()["service_level"]["rto_hours"] == 4
    stale = call(manager_client, "PUT", "/services/LAGRING", {**body, "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "concurrent_update"
    assert stale.json()["message_sv"] != stale.json()["message_en"]
    published = call(
        manager_client, "POST", "/services/LAGRING/transition", {"to": "active", "version": 2}
    )
    assert published.status_code == 200 and published.json()["lifecycle"] == "active"
    ServiceFactory(code="BAS", provider=provider)
    linked = call(manager_client, "POST", "/services/LAGRING/dependencies", {"depends_on": "BAS"})
    assert linked.status_code == 201
    assert [d["code"] for d in linked.json()["dependencies"]] == ["BAS"]
    removed = call(manager_client, "DELETE", "/services/LAGRING/dependencies/BAS")
    assert removed.status_code == 204 and not ServiceDependency.objects.exists()
    level = call(manager_client, "PUT", "/identity/services/LAGRING/assurance", {"min_rank": 3})
    assert level.status_code == 200 and level.json() == {"code": "LAGRING", "min_rank": 3}
    assert required_rank_for_service(service_id=Service.objects.get(code="LAGRING").id) == 3
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "catalogue.service_create",
        "catalogue.service_update",
        "catalogue.service_transition",
        "catalogue.dependency_add",
        "catalogue.dependency_remove",
        "identity.assurance_requirement_set",
    } <= actions


def test_a_cycle_is_a_409_with_its_code(manager_client, provider):
    for code in ("AAA", "BBB", "CCC"):
        ServiceFactory(code=code, provider=provider)
    call(manager_client, "POST", "/services/AAA/dependencies", {"depends_on": "BBB"})
    call(manager_client, "POST", "/services/BBB/dependencies", {"depends_on": "CCC"})
    refused = call(manager_client, "POST", "/services/CCC/dependencies", {"depends_on": "AAA"})
    assert refused.status_code == 409 and refused.json()["code"] == "dependency_cycle"
    assert "CCC → AAA → BBB → CCC" in refused.json()["message_en"]
    assert ServiceDependency.objects.count() == 2


def test_bad_input_is_a_422_naming_the_field(manager_client):
    refused = call(manager_client, "POST", "/services", {**BODY, "availability_target": 101})
    assert refused.status_code == 422
    assert "availability_target" in refused.json()["errors"]
    assert not Service.objects.exists()


def test_retiring_without_a_date_is_a_422(manager_client, provider):
    ServiceFactory(code="GAMMAL", provider=provider)
    refused = call(
        manager_client, "POST", "/services/GAMMAL/transition", {"to": "retiring", "version": 1}
    )
    assert refused.status_code == 422 and "retirement_date" in refused.json()["errors"]
    assert Service.objects.get(code="GAMMAL").lifecycle == "active"


def test_another_providers_published_service_is_a_404_like_a_missing_one(client_for, provider):
    CategoryFactory()
    second = SecondProviderFactory()
    theirs = ServiceFactory(code="SIT-INC", provider=second)
    user = UserFactory(username="fk_tjanst")
    MembershipFactory(user=user, organisation=provider, role="service_manager")
    intruder = client_for(user)
    before = row_state(theirs)
    body = {**{k: v for k, v in BODY.items() if k != "code"}, "version": 1}
    for path, method, payload in [
        ("/services/{}", "PUT", body),
        (
            "/services/{}/transition",
            "POST",
            {"to": "retiring", "version": 1, "retirement_date": "2031-01-01"},
        ),
        ("/services/{}/dependencies", "POST", {"depends_on": "SIT-INC"}),
        ("/identity/services/{}/assurance", "PUT", {"min_rank": 4}),
    ]:
        foreign = call(intruder, method, path.format("SIT-INC"), payload)
        missing = call(intruder, method, path.format("NOPE"), payload)
        assert foreign.status_code == missing.status_code == 404, (path, foreign.content)
        assert foreign.json() == missing.json()
    created = call(intruder, "POST", "/services", {**BODY, "provider_id": second.id})
    assert created.status_code == 403
    assert row_state(theirs) == before and not AuditEvent.objects.exists()


def test_categories_are_listed_for_all_and_kept_by_the_owner(
    client_for, service_manager, agency_contact, provider
):
    ServiceFactory(code="EFOS", provider=provider, in_total_commitment=True)
    listed = call(client_for(agency_contact), "GET", "/categories")
    assert listed.status_code == 200 and listed.json()["items"][0]["code"] == "infrastructure"
    refused = call(
        client_for(agency_contact),
        "POST",
        "/categories",
        {"code": "x", "name_sv": "X", "name_en": "X"},
    )
    assert refused.status_code == 403
    saved = call(
        client_for(service_manager),
        "POST",
        "/categories",
        {"code": "sakerhet", "name_sv": "Säkerhet", "name_en": "Security"},
    )
    assert saved.status_code == 200 and saved.json()["name_en"] == "Security"


def test_the_openapi_document_names_the_error_codes():
    from config.api import api

    schema = api.get_openapi_schema()
    transition = schema["paths"]["/api/v1/services/{code}/transition"]["post"]
    assert {404, 409, 422} <= {int(code) for code in transition["responses"]}
    assert (
        "dependency_cycle"
        in schema["paths"]["/api/v1/services/{code}/dependencies"]["post"]["description"]
    )
