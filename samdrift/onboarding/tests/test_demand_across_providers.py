"""The demand report across providers (SITSSAM, issue 18 item 3): the staff of any provider
agency see every provider's services past draft side by side, counted over every agency and
naming none; a customer cannot ask for it; the page, its CSV and the API say the same."""

from __future__ import annotations

import pytest

from samdrift.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    SecondProviderFactory,
    ServiceFactory,
    ServiceRequestFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.api.support import call

pytestmark = pytest.mark.django_db

ACROSS = "year=2026&basis=all&providers=all"


@pytest.fixture
def two_providers(provider):
    """FK runs EFOS; the second provider runs ARKIV (published) and UTKAST (a draft). Two agencies
    ask for and use ARKIV, one of them EFOS too."""
    second = SecondProviderFactory()
    efos = ServiceFactory(code="EFOS", provider=provider, display_order=1)
    arkiv = ServiceFactory(
        code="ARKIV", provider=second, name_sv="Arkivtjänst", name_en="Archive", display_order=2
    )
    ServiceFactory(code="UTKAST", provider=second, name_sv="Hemligt utkast", lifecycle="draft")
    alfa = OrganisationFactory(name="Alfaverket")
    beta = OrganisationFactory(name="Betaverket")
    for agency in (alfa, beta):
        ServiceRequestFactory(organisation=agency, service=arkiv)
        SubscriptionFactory(organisation=agency, service=arkiv, agreement_basis="separate")
    SubscriptionFactory(organisation=alfa, service=efos)
    staff = UserFactory(username="sitssam_admin")
    MembershipFactory(user=staff, organisation=second, role="provider_admin")
    return second, staff


def _rows(body):
    return [
        (r["provider"], r["service_code"], r["requested"], r["connected"]) for r in body["rows"]
    ]


def test_a_providers_staff_see_every_providers_services_counted_over_every_agency(
    client_for, account_manager, two_providers
):
    _second, second_staff = two_providers
    expected = [
        ("Försäkringskassan", "EFOS", 0, 1),
        ("SITSSAM-myndigheten", "ARKIV", 2, 2),  # Betaverket is no customer of FK's
    ]
    for user in (account_manager, second_staff):
        body = call(client_for(user), "GET", f"/reports/demand?{ACROSS}").json()
        assert body["across_providers"] is True
        assert _rows(body) == expected  # the draft is left out
    # each provider's own report is unchanged: its own services, its own customers
    own = call(client_for(account_manager), "GET", "/reports/demand?year=2026&basis=all").json()
    assert _rows(own) == [("Försäkringskassan", "EFOS", 0, 1)]
    assert own["across_providers"] is False


def test_the_page_and_its_csv_name_providers_and_services_and_no_agency(
    client_for, account_manager, two_providers
):
    client = client_for(account_manager)
    client.cookies["django_language"] = "en"
    page = client.get(f"/connections/demand/?{ACROSS}")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Demand across providers (SITSSAM)" in text and "SITSSAM-myndigheten" in text
    assert "Archive" in text
    for hidden in ("Alfaverket", "Betaverket", "Hemligt utkast", "UTKAST"):
        assert hidden not in text
    client.cookies["django_language"] = "sv"
    exported = client.get(f"/connections/demand/?{ACROSS}&format=csv")
    lines = exported.content.decode().splitlines()
    assert lines[0].startswith("Leverantör;Tjänstekod;")
    assert lines[2].startswith("SITSSAM-myndigheten;ARKIV;") and lines[2].split(";")[3:5] == [
        "2",
        "2",
    ]
    assert "alla-leverantorer" in exported["Content-Disposition"]


def test_a_customer_cannot_ask_for_every_provider(client_for, agency_contact, two_providers):
    client = client_for(agency_contact)
    refused = call(client, "GET", f"/reports/demand?{ACROSS}")
    assert refused.status_code == 404
    # the page offers no such choice; the parameter changes nothing
    page = client.get(f"/connections/demand/?{ACROSS}").content.decode()
    assert 'name="providers"' not in page and "SITSSAM" not in page
    # its own report: every published service, its own agency's figures (it asked for none)
    rows = call(client, "GET", "/reports/demand?year=2026&basis=all").json()["rows"]
    assert {r["service_code"]: (r["requested"], r["connected"]) for r in rows} == {
        "EFOS": (0, 0),
        "ARKIV": (0, 0),
    }


def test_the_choice_is_offered_to_provider_staff_and_a_bad_one_is_refused(
    client_for, account_manager, two_providers
):
    client = client_for(account_manager)
    assert 'name="providers"' in client.get("/connections/demand/").content.decode()
    for language, words in (("en", "Select a valid choice"), ("sv", "Välj ett giltigt alternativ")):
        client.cookies["django_language"] = language
        bad = client.get("/connections/demand/?year=2026&basis=all&providers=every")
        assert bad.status_code == 200 and words in bad.content.decode()
    assert call(client, "GET", "/reports/demand?year=2026&providers=every").status_code == 422
