"""The start page and the profile page in a real browser (issue 21 item 4): axe-core (WCAG 2.1 A
and AA) finds nothing in Swedish and English, and a keyboard user reaches a task's link and saves
the profile's settings with Tab, the arrow keys and Enter."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from samdrift.tests.browser import axe_violations, page_as, tab_to
from samdrift.tests.factories import ServiceFactory, ServiceRequestFactory
from tests.api.support import checklist_templates, open_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_start_and_profile_pass_axe_and_work_by_keyboard(
    live_server, browser, provider, agency, agency_contact, language
):
    checklist_templates()
    service = ServiceFactory(provider=provider)
    case = open_case(agency.id, [service.code])
    ServiceRequestFactory(organisation=agency, service=service)
    session = Client()
    session.force_login(agency_contact)
    cookie = session.cookies[settings.SESSION_COOKIE_NAME].value
    page = page_as(browser, live_server.url, cookie, language)

    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator(".task").count() >= 3  # cases, requests, invoices, incidents
    problems = axe_violations(page, f"start page ({language})")
    first_case = page.locator(f'.task a[href="/connections/{case.pk}/"]')
    tab_to(page, first_case)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/connections/{case.pk}/")
    crumbs = page.get_by_role("navigation", name="Brödsmulor" if language == "sv" else "Breadcrumb")
    assert crumbs.count() == 1
    problems += axe_violations(page, f"case with breadcrumbs ({language})")

    page.goto(f"{live_server.url}/profile/")
    problems += axe_violations(page, f"profile ({language})")
    other = "en" if language == "sv" else "sv"
    radio = page.locator(f"#language-{language}")
    tab_to(page, radio)
    page.keyboard.press("ArrowDown" if language == "sv" else "ArrowUp")
    assert page.locator(f"#language-{other}").is_checked()
    save = page.locator('form[aria-labelledby="settings-heading"] button[type="submit"]')
    tab_to(page, save)
    with page.expect_navigation():  # the saved page, not the one still showing
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == other
    assert page.locator(".message--success").count() == 1
    problems += axe_violations(page, f"profile saved ({other})")
    assert problems == [], "\n".join(problems)
