"""The site-wide search (issue 21 item 3, ADR 0702): every kind found by what a person would
type, grouped with counts; hostile and empty input answered in both languages; the number of
queries the same at 1 and at 30 matching rows of every kind; the header's box on every page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from samdrift.accounts.selectors import actor_for_user
from samdrift.billing.models import Invoice
from samdrift.collaboration.models import Document, Member, Workspace
from samdrift.core.actor import SYSTEM
from samdrift.core.tenancy import LOGIN_SESSION_KEY
from samdrift.efos import services as efos_services
from samdrift.operations import services as operations_services
from samdrift.tests.factories import ServiceFactory, ServiceRequestFactory, SubscriptionFactory
from tests.api.support import open_case

pytestmark = pytest.mark.django_db


def _client(user: Any, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    session = client.session
    session[LOGIN_SESSION_KEY] = {"user_id": user.pk, "rank": 3}
    session.save()
    return client


def _world(agency: Any, provider: Any, contact: Any, n: int = 1) -> dict[str, Any]:
    """`n` objects of every kind belonging to `agency`, each named so one word finds them."""
    service = ServiceFactory(code="SOKTJ", provider=provider, name_sv="Söktjänst")
    SubscriptionFactory(organisation=agency, service=service)
    objects: dict[str, list[Any]] = {"service": [service]}
    objects["case"] = [open_case(agency.id, [service.code]) for _ in range(n)]
    objects["request"] = [
        ServiceRequestFactory(organisation=agency, service=service) for _ in range(n)
    ]
    day = datetime.date(2030, 1, 1)
    objects["invoice"] = [
        Invoice.objects.create(
            status="finalised",
            seller=provider,
            buyer=agency,
            period=day,
            number=f"SOK-{agency.pk}-{k:04d}",
            issue_date=day,
            due_date=day,
            buyer_reference="test",
            total_ore=100,
        )
        for k in range(n)
    ]
    objects["official"] = [
        efos_services.add_official(
            actor=SYSTEM, organisation_id=agency.pk, given_name="Åsa", surname=f"Söderberg{k}"
        )
        for k in range(n)
    ]
    workspaces = [
        Workspace.objects.create(
            name=f"Sökyta {k}", owner_org=agency, classification=0, quota_bytes=10**6
        )
        for k in range(n)
    ]
    for workspace in workspaces:
        Member.objects.create(workspace=workspace, user=contact, organisation=agency, role="owner")
    objects["workspace"] = workspaces
    objects["document"] = [
        Document.objects.create(workspace=workspaces[0], name=f"Sökavtal {k}.pdf", classification=0)
        for k in range(n)
    ]
    objects["incident"] = [
        operations_services.incident_open(
            actor=actor_for_user(contact),
            service_code=service.code,
            title=f"Sökstörning {k}",
            impact=2,
            urgency=2,
            organisation_id=agency.pk,
        )
        for k in range(n)
    ]
    return objects


def _groups(client: Client, query: str) -> dict[str, Any]:
    response = client.get("/api/v1/search", {"q": query})
    assert response.status_code == 200, response.content[:400]
    return {group["kind"]: group for group in response.json()["groups"]}


def test_each_kind_is_found_by_what_a_person_would_type(agency, provider, agency_contact):
    objects = _world(agency, provider, agency_contact)
    client = _client(agency_contact)
    case, request = objects["case"][0], objects["request"][0]
    expectations = [
        ("Myndighet A", "agency", f"/agencies/{agency.pk}/"),
        (agency.org_number, "agency", f"/agencies/{agency.pk}/"),
        (agency.org_number.replace("-", ""), "agency", f"/agencies/{agency.pk}/"),
        ("soktj", "service", "/catalogue/SOKTJ/"),
        (str(case.pk), "case", f"/connections/{case.pk}/"),
        ("myndighet söktjänst", "case", f"/connections/{case.pk}/"),
        (str(request.pk), "request", "/connections/requests/?service=SOKTJ"),
        (f"sok-{agency.pk}-0000", "invoice", f"/billing/invoices/{objects['invoice'][0].pk}/"),
        ("åsa", "official", f"/efos/officials/{objects['official'][0].pk}/"),
        ("ÅSA SÖDER", "official", f"/efos/officials/{objects['official'][0].pk}/"),
        ("söderberg0", "official", f"/efos/officials/{objects['official'][0].pk}/"),
        ("sökyta", "workspace", f"/collaboration/{objects['workspace'][0].pk}/"),
        ("sökavtal", "document", f"/collaboration/documents/{objects['document'][0].pk}/"),
        ("sökstörning", "incident", f"/operations/incidents/{objects['incident'][0].pk}/"),
    ]
    for query, kind, url in expectations:
        urls = [hit["url"] for hit in _groups(client, query)[kind]["hits"]]
        assert url in urls, (query, kind, urls)


def test_a_word_must_match_and_a_short_word_is_no_prefix_of_a_name(agency, agency_contact):
    efos_services.add_official(
        actor=SYSTEM, organisation_id=agency.pk, given_name="Anna", surname="Lind"
    )
    client = _client(agency_contact)
    assert _groups(client, "anna lind")["official"]["count"] == 1
    assert _groups(client, "anna berg")["official"]["count"] == 0  # every word must match
    assert _groups(client, "nna")["official"]["count"] == 0  # a name begins with the word


def test_the_page_groups_by_kind_with_counts_and_says_when_there_are_more(
    agency, provider, agency_contact
):
    _world(agency, provider, agency_contact, n=12)
    html = _client(agency_contact).get("/search/", {"q": "åsa"}).content.decode()
    assert '<h3 id="search-official">Officials <span class="count">(10+)</span></h3>' in html
    assert html.count('href="/efos/officials/') == 10
    assert "Only the first 10 are shown: add a word to narrow the search." in html
    assert 'href="#search-official">Officials (10+)</a>' in html
    swedish = _client(agency_contact, "sv").get("/search/", {"q": "åsa"}).content.decode()
    assert "Tjänstepersoner <span" in swedish and "10 träffar på ”åsa”" in swedish


def test_an_empty_result_says_what_was_searched_and_what_to_try(agency_contact):
    html = _client(agency_contact).get("/search/", {"q": "zzqqxx"}).content.decode()
    assert "Nothing you may see matches “zzqqxx”." in html
    assert "Searched: Agencies, Services, Connection cases, Requests, Invoices" in html
    assert "Try fewer words, the beginning of a name" in html
    swedish = _client(agency_contact, "sv").get("/search/", {"q": "zzqqxx"}).content.decode()
    assert "Inget som du får se matchar ”zzqqxx”." in swedish
    assert "Prova färre ord" in swedish


@pytest.mark.parametrize(
    "query", ["%", "_", "\\", "%_\\", "'; --", ".*[]+?^$", "\x01\x1b\x7f", "\u200b \t"]
)
def test_input_without_a_word_gets_a_clear_message_in_both_languages(agency_contact, query):
    for language, message in (
        ("en", "Type at least one word to search for."),
        ("sv", "Skriv minst ett ord att söka efter."),
    ):
        response = _client(agency_contact, language).get("/search/", {"q": query})
        assert response.status_code == 200
        assert message in response.content.decode()
    api = _client(agency_contact).get("/api/v1/search", {"q": query})
    assert api.status_code == 422, api.content
    assert api.json()["code"] in {"empty_query", "invalid"}  # control characters: `invalid`


def test_wildcards_are_letters_apart_not_patterns(agency, agency_contact):
    """`%` and `_` would match anything in a LIKE pattern: here they only separate words, so a
    search for `%` + a word finds what the word finds, and nothing else."""
    client = _client(agency_contact)
    agencies = _groups(client, "%myndighet%")["agency"]["hits"]
    assert [hit["title"] for hit in agencies] == ["Myndighet A"]
    assert _groups(client, "m_a")["agency"]["count"] == 1  # "m" and "a", both in the name
    assert _groups(client, "m%q")["agency"]["count"] == 0  # no "q" in it
    sql = client.get("/api/v1/search", {"q": "x' OR '1'='1' --"})
    assert sql.status_code == 200 and sql.json()["words"] == ["x", "or", "1"]
    assert sql.json()["total"] == 0


def test_ten_thousand_characters_are_read_as_their_first_five_hundred(agency_contact):
    query = "myndighet " + "%_\\" * 3_330  # wildcards: separators, no word
    response = _client(agency_contact).get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Only the first 500 characters were read." in html
    assert "Myndighet A" in html
    api = _client(agency_contact).get("/api/v1/search", {"q": query})
    assert api.status_code == 200 and api.json()["words"][0] == "myndighet"


def _queries(client: Client, query: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/search/", {"q": query}).status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_hits(
    agency, other_agency, provider, agency_contact, other_agency_contact
):
    """The same page at one object of every kind and at twelve (more than a page)."""
    _world(agency, provider, agency_contact, n=1)
    _world(other_agency, provider, other_agency_contact, n=12)
    one = _queries(_client(agency_contact), "sök")
    many = _queries(_client(other_agency_contact), "sök")
    assert one == many


def test_the_header_has_the_box_on_every_page_and_it_needs_a_login(agency_contact):
    html = _client(agency_contact).get("/profile/").content.decode()
    assert 'role="search"' in html and 'id="site-search-q"' in html
    assert '<label for="site-search-q" class="visually-hidden">Search samdrift</label>' in html
    anonymous = Client()
    assert anonymous.get("/search/", {"q": "a"}).status_code == 302
    assert anonymous.get("/api/v1/search", {"q": "a"}).status_code == 401


def test_the_api_operation_is_documented():
    from config.api import api

    operation = api.get_openapi_schema()["paths"]["/api/v1/search"]["get"]
    assert operation["operationId"] == "samdrift_ui_search"
    assert {"200", "401", "422"} <= {str(code) for code in operation["responses"]}
    assert operation["parameters"][0]["name"] == "q"


def test_an_officials_new_name_is_found_after_a_save_of_only_that_field(agency, agency_contact):
    official = efos_services.add_official(
        actor=SYSTEM, organisation_id=agency.pk, given_name="Åke", surname="Öberg"
    )
    client = _client(agency_contact)
    assert _groups(client, "öbe")["official"]["count"] == 1  # Unicode lowercased: Ö is ö
    official.surname = "Ärlig"
    official.save(update_fields=["surname"])
    assert _groups(client, "ärl")["official"]["count"] == 1
    assert _groups(client, "öbe")["official"]["count"] == 0
