"""Lists with nothing in them say why and what to do, through one include (ADR 0707)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def _get(user: Any, path: str, language: str = "sv") -> str:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def _empty_row(html: str) -> str:
    assert html.count('class="empty-state"') == 1, html
    return html.split('class="empty-state"', 1)[1].split("</tr>", 1)[0]


def test_no_cases_says_how_to_order_a_service(agency_contact):
    row = _empty_row(_get(agency_contact, "/connections/"))
    assert "Inga anslutningsärenden ännu — " in row
    assert '<a href="/connections/requests/new/">så här beställer ni en tjänst</a>' in row


def test_a_filter_that_matches_nothing_offers_to_clear_it(agency_contact):
    row = _empty_row(_get(agency_contact, "/connections/?phase=plan", "en"))
    assert "Nothing matches the filter." in row
    assert '<a href="/connections/">Clear the filter</a>' in row
    assert "order a service" not in row


def test_no_requests_offers_to_ask_for_a_service(agency_orderer):
    row = _empty_row(_get(agency_orderer, "/connections/requests/", "en"))
    assert "No requests for a service yet." in row
    assert '<a href="/connections/requests/new/">Ask for a service</a>' in row


def test_no_incidents_offers_to_report_one(agency_contact):
    row = _empty_row(_get(agency_contact, "/operations/", "sv"))
    assert "Inga incidenter som du kan se" in row
    assert 'href="/operations/report/"' in row
    row = _empty_row(_get(agency_contact, "/operations/?state=closed", "sv"))
    assert "Inget matchar filtret." in row and 'href="/operations/"' in row


def test_no_invoices_says_when_they_come(agency_contact):
    row = _empty_row(_get(agency_contact, "/billing/?year=2031", "en"))
    assert "No invoices for 2031: invoices are issued once a month" in row
    assert 'href="/billing/usage/"' in row


def test_the_catalogue_and_agency_lists_filtered_to_nothing(agency_contact):
    row = _empty_row(_get(agency_contact, "/catalogue/?q=zzzzzz", "en"))
    assert "Nothing matches the filter." in row
    row = _empty_row(_get(agency_contact, "/agencies/?q=zzzzzz", "sv"))
    assert "Inget matchar filtret." in row and '<a href="/agencies/">Rensa filtret</a>' in row


def test_efos_lists_say_how_officials_and_documents_arrive(agency_contact):
    row = _empty_row(_get(agency_contact, "/efos/officials/", "sv"))
    assert "Inga tjänstepersoner är registrerade ännu" in row
    assert 'href="/efos/officials/new/"' in row
    row = _empty_row(_get(agency_contact, "/efos/documents/", "en"))
    assert "No documents to sign yet: a document appears here when" in row


def test_no_invoice_runs_tells_finance_to_build_the_first(provider):
    from samdrift.tests.factories import MembershipFactory, UserFactory

    finance = UserFactory(username="ekonom_tom")
    MembershipFactory(user=finance, organisation=provider, role="finance")
    row = _empty_row(_get(finance, "/billing/runs/", "en"))
    assert "No invoice runs yet: build the first month's drafts with the form above." in row


def test_the_audit_trail_filtered_to_nothing_offers_to_clear_it(security_officer):
    row = _empty_row(_get(security_officer, "/audit/?action=ingen.sadan", "sv"))
    assert "Inget matchar filtret." in row and 'href="/audit/"' in row
