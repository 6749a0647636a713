"""The findings page in Chromium: axe-core (WCAG 2.1 A and AA) in Swedish and English, for the
SOC and for a customer agency, and filtered by keyboard alone."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from samdrift.security import services
from samdrift.tests.browser import axe_violations, chromium, page_as, tab_to

from .conftest import sample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_findings_page_passes_axe_and_filters_by_keyboard(
    soc, landscape, security_officer, live_server, language
):
    services.import_report(
        actor=soc, component_name="efos-web", data=sample("trivy/scheme_2_many_vulns.json")
    )
    client = Client()
    client.force_login(security_officer)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        page = page_as(browser, live_server.url, session, language)
        page.goto(f"{live_server.url}/security/findings/")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("tbody tr").count() == 5
        assert axe_violations(page, f"findings ({language})") == []
        tab_to(page, page.locator("#q"))
        page.keyboard.type("libbz2")
        tab_to(page, page.locator("#finding-filters button[type=submit]"))
        page.keyboard.press("Enter")
        page.wait_for_url("**q=libbz2**")
        assert page.locator("tbody tr").count() == 1
        assert axe_violations(page, f"findings filtered ({language})") == []
