"""The sites pages, API and `samdrift sites` command: provider staff see their own provider's
services, a customer gets 404 everywhere, bad input is refused in both languages."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from samdrift.accounts.selectors import actor_for_user
from samdrift.accounts.services import token_create
from samdrift.continuity import placements
from samdrift.tests.factories import (
    MembershipFactory,
    SecondProviderFactory,
    ServiceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _en(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_sites_page_shows_the_check_diagram_and_tables(landscape, provider_admin, client_for):
    response = client_for(provider_admin).get("/continuity/sites/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Redundanskontroll" in body  # Swedish by default
    assert "1 plats(er) till: på 1 av minst 2." in body  # SAFOS's violation
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in body
    assert re.search(r"<title id=\"sites-svg-title\">Platser och placeringar", body)
    assert "Länsstyrelserna" not in body  # customers are named only on the loss page
    english = _en(client_for(provider_admin)).get("/continuity/sites/").content.decode()
    assert "1 more site(s): on 1 of at least 2." in english
    assert "Sites and placements by civil area" in english


def test_the_loss_page_names_what_stops_and_who_is_affected(landscape, provider_admin, client_for):
    client = _en(client_for(provider_admin))
    body = client.get("/continuity/sites/lose/", {"site": "NORR-1"}).content.decode()
    assert "1 service stops." in body
    assert "2 customer agencies are affected" in body
    assert "2 preparedness agencies among them or under them." in body
    assert "Länsstyrelserna" in body and "Konsumentverket" in body
    unknown = client.get("/continuity/sites/lose/", {"site": "ATLANTIS"})
    assert unknown.status_code == 422
    assert "There is no site with the code ATLANTIS." in unknown.content.decode()
    swedish = client_for(provider_admin).get("/continuity/sites/lose/", {"site": "ATLANTIS"})
    assert "Det finns ingen plats med koden ATLANTIS." in swedish.content.decode()


@pytest.mark.parametrize(
    "url", ["/continuity/sites/", "/continuity/sites/lose/", "/continuity/sites/lose/?site=NORR-1"]
)
def test_a_customer_gets_404_and_anonymous_the_login(landscape, agency_contact, client_for, url):
    assert client_for(agency_contact).get(url).status_code == 404
    assert client_for().get(url).status_code == 302


def test_another_provider_sees_the_sites_but_none_of_fks_services(landscape, client_for):
    second = SecondProviderFactory()
    theirs = UserFactory(username="sitssam_admin")
    MembershipFactory(user=theirs, organisation=second, role="provider_admin")
    client = _en(client_for(theirs))
    page = client.get("/continuity/sites/").content.decode()
    assert "NORR-1" in page and "SAFOS" not in page and "EFOS" not in page
    loss = client.get("/continuity/sites/lose/", {"site": "NORR-1"}).content.decode()
    assert "0 services stop." in loss and "Länsstyrelserna" not in loss


def _api(user, path, **query):
    token = token_create(actor=actor_for_user(user), name="test")[1]
    from django.test import Client

    return Client().get(f"/api/v1/continuity{path}", query, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_answers_the_same_as_the_pages(landscape, provider_admin, agency_contact):
    sites = _api(provider_admin, "/sites").json()["items"]  # paged like every list (ADR 0095)
    assert [s["code"] for s in sites] == ["NORR-1", "NORR-2", "STHLM-1", "SYD-1"]
    assert sites[0]["used"] == 2 and sites[0]["operator"] == "Skatteverket"
    check = _api(provider_admin, "/check").json()["items"]
    assert [v["service"] for v in check] == ["SAFOS"]
    assert check[0]["policy"] == {
        "min_sites": 2, "min_regions": 2, "min_security_class": 0, "source": "preparedness",
    }  # fmt: skip
    loss = _api(provider_admin, "/loss", site="NORR-2").json()
    assert loss["stopped"] == []
    assert loss["rto_missed"] == [{"service": "KAP", "target_hours": 8, "best_hours": 48}]
    assert loss["agencies"] == ["Konsumentverket"] and loss["preparedness_agencies"] == 0
    unknown = _api(provider_admin, "/loss", site="ATLANTIS")
    assert unknown.status_code == 422
    assert "ATLANTIS" in json.dumps(unknown.json(), ensure_ascii=False)
    for path in ("/sites", "/check", "/loss?site=NORR-1"):
        assert _api(agency_contact, path).status_code == 404


def test_the_command_checks_and_loses_a_site(landscape, provider_admin):
    out = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("sites", "check", stdout=out)
    assert exited.value.code == 1
    text = out.getvalue()
    assert "SAFOS: min 2 sites/platser, 2 regions/regioner, class/klass 0 (preparedness)" in text
    assert "1 plats(er) till: på 1 av minst 2. / 1 more site(s): on 1 of at least 2." in text
    assert "1 violation(s)" in text
    out = StringIO()
    call_command("sites", "lose", "norr-1", "--as", provider_admin.username, stdout=out)
    text = out.getvalue()
    assert "stops / stannar: SAFOS" in text
    assert "agencies affected / berörda myndigheter: 2: Konsumentverket, Länsstyrelserna" in text
    assert "preparedness agencies / beredskapsmyndigheter: 2" in text
    with pytest.raises(
        CommandError, match=re.escape("Det finns ingen plats med koden X-1. / There is no")
    ):
        call_command("sites", "lose", "X-1")
    with pytest.raises(CommandError, match="unknown user"):
        call_command("sites", "check", "--as", "nobody")


def test_the_command_passes_when_every_service_meets_its_policy(admin, sites):
    ServiceFactory(code="EFOS", rto_hours=8)
    placements.place_service(
        actor=admin, service_code="EFOS", site_code="NORR-1", role="primary", rto_hours=8
    )
    out = StringIO()
    call_command("sites", "check", stdout=out)
    assert "0 violation(s)" in out.getvalue()


def test_the_command_registers_places_and_sets_a_policy_and_refuses_bad_input(provider_admin):
    from samdrift.audit.models import AuditEvent
    from samdrift.continuity.models import Placement, RedundancyPolicy, Site
    from samdrift.tests.factories import OrganisationFactory

    OrganisationFactory(name="Trafikverket", org_number="202100-6297")
    ServiceFactory(code="EFOS", rto_hours=8)
    admin = ["--as", provider_admin.username]
    for code, region in (("TRV-NORD", "nord"), ("TRV-SYD", "syd")):
        call_command("sites", "add", code, f"Hall {code}", "--operator", "202100-6297",
                     "--region", region, "--class", "2", "--capacity", "4", "--nis", *admin,
                     stdout=StringIO())  # fmt: skip
    call_command("sites", "place", "efos", "trv-nord", "--role", "primary", "--rto", "4",
                 *admin, stdout=StringIO())  # fmt: skip
    call_command("sites", "policy", "EFOS", "--min-sites", "2", "--min-regions", "2", *admin,
                 stdout=StringIO())  # fmt: skip
    assert Site.objects.get(code="TRV-NORD").nis_relevant
    assert Placement.objects.get().role == "primary"
    assert RedundancyPolicy.objects.get().min_regions == 2
    before = (Site.objects.count(), Placement.objects.count(), AuditEvent.objects.count())
    refusals = [
        (["place", "EFOS", "MANEN-1", "--role", "secondary", "--rto", "4"],
         "Det finns ingen plats med koden MANEN-1. / There is no site with the code MANEN-1."),
        (["policy", "EFOS", "--min-sites", "3", "--min-regions", "3"], "No set of the existing"),
        (["place", "EFOS", "TRV-SYD", "--role", "primary", "--rto", "4"], "already has a primary"),
        (["add", "X-1", "X", "--operator", "202100-0000", "--region", "nord", "--capacity", "1"],
         "unknown agency"),
        (["add", "X-1", "X", "--operator", "202100-6297", "--region", "mars", "--capacity", "1"],
         "Okänd region mars. / Unknown region mars."),
    ]  # fmt: skip
    for args, text in refusals:
        with pytest.raises(CommandError, match=re.escape(text)):
            call_command("sites", *args, *admin, stdout=StringIO())
    assert (Site.objects.count(), Placement.objects.count(), AuditEvent.objects.count()) == before
