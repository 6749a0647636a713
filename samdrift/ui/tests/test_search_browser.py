"""The site-wide search in a real browser (issue 21 item 3): the header's box is reached by Tab
from the top of the page, Enter searches, and the results page (with hits, and empty) passes
axe-core (WCAG 2.1 A and AA) in Swedish and English."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from samdrift.core.actor import SYSTEM
from samdrift.core.tenancy import LOGIN_SESSION_KEY
from samdrift.efos import services as efos_services
from samdrift.tests.browser import axe_violations, page_as, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_box_is_reached_by_tab_and_the_results_pass_axe(
    live_server,
    browser,
    agency,
    agency_contact,
    language,
):
    efos_services.add_official(
        actor=SYSTEM, organisation_id=agency.pk, given_name="Åsa", surname="Myndigsson"
    )
    session = Client()
    session.force_login(agency_contact)
    stored = session.session
    stored[LOGIN_SESSION_KEY] = {"user_id": agency_contact.pk, "rank": 3}
    stored.save()
    cookie = session.cookies[settings.SESSION_COOKIE_NAME].value
    page = page_as(browser, live_server.url, cookie, language)
    page.goto(f"{live_server.url}/profile/")
    box = page.locator("#site-search-q")
    tab_to(page, box)
    page.keyboard.type("myndig")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=myndig")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("#search-agency").count() == 1  # Myndighet A
    assert page.locator("#search-official").count() == 1  # Åsa Myndigsson
    problems = axe_violations(page, f"search with hits ({language})")
    page.goto(f"{live_server.url}/search/?q=zzqqxx")
    assert page.locator(".empty-state").count() == 1
    problems += axe_violations(page, f"search without hits ({language})")
    page.goto(f"{live_server.url}/search/?q=%25%25")
    assert page.locator("#search-page-error").count() == 1
    problems += axe_violations(page, f"search without a word ({language})")
    assert problems == [], "\n".join(problems)
