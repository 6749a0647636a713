"""Keeping the sites from the page (issue 18 item 2): a provider administrator registers a site,
places a service, sets its policy and removes a placement; what `placements` refuses is said on
the field with nothing stored; another provider cannot touch FK's placements, a customer gets
404; every change is audited."""

from __future__ import annotations

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.continuity.models import Placement, RedundancyPolicy, Site
from samdrift.tests.factories import MembershipFactory, SecondProviderFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/continuity/sites/"


def _en(client):
    client.cookies["django_language"] = "en"
    return client


def _rows() -> list[tuple[str, str, str, int]]:
    return sorted(Placement.objects.values_list("service__code", "site__code", "role", "rto_hours"))


def test_an_administrator_keeps_sites_placements_and_policies_from_the_page(
    landscape, sites, provider_admin, client_for
):
    client = client_for(provider_admin)
    page = client.get(PAGE).content.decode()
    for form in ("/continuity/sites/add/", "/continuity/sites/place/", "/continuity/sites/policy/"):
        assert f'action="{form}"' in page
    operator = sites["NORR-1"].operator.org_number

    added = client.post("/continuity/sites/add/", {
        "site-code": "ost-1", "site-name": "Hall Öst", "site-operator": operator,
        "site-region": "ost", "site-security_class": 2, "site-capacity": 5,
        "site-nis_relevant": "on",
    })  # fmt: skip
    assert added.status_code == 302, added.content.decode()[:2000]
    site = Site.objects.get(code="OST-1")
    assert (site.region, site.security_class, site.capacity, site.nis_relevant) == (
        "ost",
        2,
        5,
        True,
    )

    placed = client.post("/continuity/sites/place/", {
        "place-service": "SAFOS", "place-site": "OST-1", "place-role": "secondary",
        "place-rto_hours": 12,
    })  # fmt: skip
    assert placed.status_code == 302
    assert ("SAFOS", "OST-1", "secondary", 12) in _rows()
    after = client.get(PAGE).content.decode()
    assert "SAFOS" not in "".join(after.split('id="violations"')[1].split('id="diagram"')[0])

    policy = client.post("/continuity/sites/policy/", {
        "policy-service": "KAP", "policy-min_sites": 3, "policy-min_regions": 2,
        "policy-min_security_class": 2,
    })  # fmt: skip
    assert policy.status_code == 302
    kept = RedundancyPolicy.objects.get(service__code="KAP")
    assert (kept.min_sites, kept.min_regions, kept.min_security_class) == (3, 2, 2)

    placement = Placement.objects.get(service__code="SAFOS", site__code="OST-1")
    assert f'action="/continuity/sites/placements/{placement.id}/remove/"' in after
    assert client.post(f"/continuity/sites/placements/{placement.id}/remove/").status_code == 302
    assert not Placement.objects.filter(id=placement.id).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"continuity.site_created", "continuity.placed", "continuity.policy_set",
            "continuity.unplaced"} <= actions  # fmt: skip


def test_what_the_rules_refuse_is_said_on_the_field_and_nothing_is_stored(
    landscape, sites, provider_admin, client_for
):
    client = _en(client_for(provider_admin))
    before = (_rows(), Site.objects.count(), RedundancyPolicy.objects.count())
    operator = sites["NORR-1"].operator.org_number
    cases = [
        ("/continuity/sites/add/", {"site-code": "NORR-1", "site-name": "Igen",
         "site-operator": operator, "site-region": "nord", "site-security_class": 1,
         "site-capacity": 1}, "There is already a site with the code NORR-1."),
        ("/continuity/sites/add/", {"site-code": "x", "site-name": "Kort", "site-operator": operator,
         "site-region": "nord", "site-security_class": 1, "site-capacity": 1},
         "A site code is 2-20 capital letters, digits or hyphens."),
        ("/continuity/sites/add/", {"site-code": "NY-1", "site-name": "Ny", "site-operator": "1",
         "site-region": "nord", "site-security_class": 1, "site-capacity": 1},
         "There is no agency with the organisation number 1."),
        ("/continuity/sites/place/", {"place-service": "EFOS", "place-site": "NORR-1",
         "place-role": "secondary", "place-rto_hours": 4}, "EFOS is already placed on NORR-1."),
        ("/continuity/sites/place/", {"place-service": "SAFOS", "place-site": "STHLM-1",
         "place-role": "primary", "place-rto_hours": 4}, "SAFOS already has a primary site."),
        ("/continuity/sites/place/", {"place-service": "KAP", "place-site": "STHLM-1",
         "place-role": "secondary", "place-rto_hours": 0},
         "Ensure this value is greater than or equal to 1."),
        ("/continuity/sites/policy/", {"policy-service": "KAP", "policy-min_sites": 1,
         "policy-min_regions": 2, "policy-min_security_class": 0},
         "At least 2 regions need at least as many sites, not 1."),
        ("/continuity/sites/policy/", {"policy-service": "KAP", "policy-min_sites": 9,
         "policy-min_regions": 2, "policy-min_security_class": 3},
         "No set of the existing sites can meet this policy"),
    ]  # fmt: skip
    for url, data, message in cases:
        answer = client.post(url, data)
        assert answer.status_code == 422, (url, data)
        body = answer.content.decode()
        assert message in body, (message, body[body.find("error-summary") :][:600])
    swedish = client_for(provider_admin).post("/continuity/sites/place/", cases[3][1])
    assert "EFOS är redan placerad på NORR-1." in swedish.content.decode()
    assert (_rows(), Site.objects.count(), RedundancyPolicy.objects.count()) == before


def test_others_cannot_change_fks_placements(landscape, provider_admin, agency_contact, client_for):
    placement = Placement.objects.filter(service__code="EFOS").first()
    remove = f"/continuity/sites/placements/{placement.id}/remove/"
    second = SecondProviderFactory()
    theirs = UserFactory(username="sitssam_keeper")
    MembershipFactory(user=theirs, organisation=second, role="provider_admin")
    other = client_for(theirs)
    assert other.post(remove).status_code == 404
    placed = other.post("/continuity/sites/place/", {
        "place-service": "EFOS", "place-site": "STHLM-1", "place-role": "secondary",
        "place-rto_hours": 4,
    })  # fmt: skip
    assert placed.status_code == 422  # EFOS is not among their services: not a choice
    for url in (remove, "/continuity/sites/place/", "/continuity/sites/add/"):
        assert client_for(agency_contact).post(url).status_code == 404
    assert Placement.objects.filter(id=placement.id).exists()
    assert not AuditEvent.objects.filter(action="continuity.unplaced").exists()


def _api(user, method: str, path: str, body=None, language: str = "en"):  # type: ignore[no-untyped-def]
    import json

    from django.test import Client

    from samdrift.accounts.selectors import actor_for_user
    from samdrift.accounts.services import token_create

    token = token_create(actor=actor_for_user(user), name="sites")[1]
    client = Client()
    client.cookies["django_language"] = language
    return getattr(client, method)(
        f"/api/v1/continuity{path}", data=json.dumps(body) if body is not None else None,
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


def test_the_api_keeps_sites_as_the_page_does(landscape, sites, provider_admin, agency_contact):
    number = sites["NORR-1"].operator.org_number
    site = {"code": "ost-2", "name": "Hall Öst 2", "operator": number, "region": "ost",
            "security_class": 1, "capacity": 3}  # fmt: skip
    made = _api(provider_admin, "post", "/sites", site)
    assert made.status_code == 201, made.content
    assert made.json()["code"] == "OST-2" and made.json()["operator"] == "Skatteverket"
    placed = _api(provider_admin, "post", "/placements",
                  {"service": "safos", "site": "OST-2", "role": "secondary", "rto_hours": 6})  # fmt: skip
    assert placed.status_code == 201, placed.content
    assert placed.json()["service"] == "SAFOS" and placed.json()["site"] == "OST-2"
    policy = _api(provider_admin, "put", "/policies/KAP", {"min_sites": 2, "min_regions": 2})
    assert policy.status_code == 200 and policy.json()["min_sites"] == 2
    assert RedundancyPolicy.objects.get(service__code="KAP").min_regions == 2
    gone = _api(provider_admin, "delete", f"/placements/{placed.json()['id']}")
    assert gone.status_code == 204
    assert not Placement.objects.filter(id=placed.json()["id"]).exists()

    before = (_rows(), Site.objects.count(), RedundancyPolicy.objects.count())
    refusals = {
        "taken": _api(provider_admin, "post", "/sites", {**site, "code": "NORR-1"}),
        "number": _api(provider_admin, "post", "/sites", {**site, "code": "NY-9", "operator": "1"}),
        "twice": _api(provider_admin, "post", "/placements",
                      {"service": "EFOS", "site": "NORR-1", "role": "secondary", "rto_hours": 2}),
        "regions": _api(provider_admin, "put", "/policies/KAP", {"min_sites": 1, "min_regions": 2}),
        "customer": _api(agency_contact, "post", "/sites", {**site, "code": "NY-8"}),
        "missing": _api(provider_admin, "delete", "/placements/987654"),
        "unknown": _api(provider_admin, "put", "/policies/NOPE", {"min_sites": 1, "min_regions": 1}),
    }  # fmt: skip
    assert {k: r.status_code for k, r in refusals.items()} == {
        "taken": 422, "number": 422, "twice": 422, "regions": 422, "customer": 404,
        "missing": 404, "unknown": 404,
    }  # fmt: skip
    assert (
        "There is no agency with the organisation number 1." in refusals["number"].json()["message"]
    )
    swedish = _api(provider_admin, "post", "/sites", {**site, "code": "NORR-1"}, language="sv")
    assert "Det finns redan en plats med koden NORR-1." in swedish.json()["message"]
    assert (_rows(), Site.objects.count(), RedundancyPolicy.objects.count()) == before
