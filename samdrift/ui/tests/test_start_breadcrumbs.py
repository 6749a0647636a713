"""Breadcrumbs on deep pages, through one include (ADR 0708): a nav landmark labelled
"Brödsmulor"/"Breadcrumb", start › parent › this page with aria-current="page"."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from samdrift.tests.factories import ServiceFactory
from tests.api.support import checklist_templates, open_case

from .test_start import invoice_for

pytestmark = pytest.mark.django_db


def _crumbs(user: Any, path: str, language: str) -> str:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    html = response.content.decode()
    assert html.count('class="breadcrumbs"') == 1
    return html.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]


def _links(crumbs: str) -> list[str]:
    return [part.split(">", 1)[0] for part in crumbs.split("<a ")[1:]]


def test_a_case_page_says_where_it_is_in_both_languages(agency_contact, agency):
    checklist_templates()
    case = open_case(agency.id, [], scope="total")
    sv = _crumbs(agency_contact, f"/connections/{case.pk}/", "sv")
    assert sv.startswith(' aria-label="Brödsmulor"')
    assert '<a href="/">Start</a>' in sv
    assert '<a href="/connections/">Anslutningsärenden</a>' in sv
    assert f'<a href="/connections/{case.pk}/" aria-current="page">Ärende #{case.pk}</a>' in sv
    en = _crumbs(agency_contact, f"/connections/{case.pk}/", "en")
    assert en.startswith(' aria-label="Breadcrumb"')
    assert f'aria-current="page">Case #{case.pk}</a>' in en
    # Only the last crumb is the current page.
    assert [link.count("aria-current") for link in _links(en)] == [0, 0, 1]


def test_agency_catalogue_and_invoice_pages_have_breadcrumbs(agency_contact, agency, provider):
    crumbs = _crumbs(agency_contact, f"/agencies/{agency.pk}/", "en")
    assert '<a href="/agencies/">Agencies</a>' in crumbs and f">{agency.name}</a>" in crumbs
    service = ServiceFactory(provider=provider)
    crumbs = _crumbs(agency_contact, f"/catalogue/{service.code}/", "en")
    assert 'href="/catalogue/"' in crumbs and f'aria-current="page">{service.name_en}</a>' in crumbs
    invoice = invoice_for(provider, agency, "finalised", "F-0001")
    crumbs = _crumbs(agency_contact, f"/billing/invoices/{invoice.pk}/", "sv")
    assert (
        '<a href="/billing/">Fakturor</a>' in crumbs and 'aria-current="page">F-0001</a>' in crumbs
    )


def test_a_list_page_has_no_breadcrumbs(agency_contact):
    client = Client()
    client.force_login(agency_contact)
    assert 'class="breadcrumbs"' not in client.get("/connections/").content.decode()
