"""The report page with its continuity and decision sections, and the decision form with and
without errors, in Chromium: axe-core (WCAG 2.1 A and AA) in Swedish and English."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from samdrift.tests.browser import axe_violations, chromium, page_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_report_and_decision_pages_pass_axe(provider_admin, service_manager, live_server, language):
    service_manager.first_name, service_manager.last_name = "Olof", "Föredragande"
    service_manager.save()
    client = Client()
    client.force_login(provider_admin)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        page = page_as(browser, live_server.url, session, language)
        page.goto(f"{live_server.url}/reports/government/2026/decision/")
        assert page.locator("html").get_attribute("lang") == language
        assert axe_violations(page, f"decision form ({language})") == []
        page.fill("#id_reference", "not a reference")
        page.fill("#id_decided_on", "2026-11-30")
        page.select_option("#id_decided_by", str(provider_admin.id))
        page.select_option("#id_presented_by", str(provider_admin.id))
        page.click("form[method=post] button.primary")
        # The form posts back to its own address: wait for the answer, not the page it replaces.
        expect(page.locator("[role=alert]")).to_have_count(1)
        assert axe_violations(page, f"decision form with errors ({language})") == []
        page.fill("#id_reference", "Fi2017/03226/DF")
        page.select_option("#id_presented_by", str(service_manager.id))
        page.click("form[method=post] button.primary")
        page.wait_for_url("**/reports/government/2026/")
        assert "Fi2017/03226/DF" in page.content()
        assert page.locator("#h-continuity").count() == 1
        assert axe_violations(page, f"report with decision ({language})") == []
