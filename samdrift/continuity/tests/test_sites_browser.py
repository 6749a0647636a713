"""The sites page and the "what if a site is lost" page in Chromium: axe-core (WCAG 2.1 A and
AA) in Swedish and English, and a site chosen and shown by keyboard alone."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from samdrift.tests.browser import axe_violations, chromium, page_as, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_sites_pages_pass_axe_and_work_by_keyboard(
    landscape, provider_admin, live_server, language
):
    client = Client()
    client.force_login(provider_admin)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        page = page_as(browser, live_server.url, session, language)
        page.goto(f"{live_server.url}/continuity/sites/")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("svg[role=img] title").count() == 1
        assert axe_violations(page, f"sites ({language})") == []
        page.goto(f"{live_server.url}/continuity/sites/lose/")
        assert axe_violations(page, f"lose, empty ({language})") == []
        # keyboard only: Tab to the site list, pick NORR-1, Tab to the button, Enter
        choose = page.locator("#site")
        tab_to(page, choose)
        page.keyboard.press("Home")  # NORR-1 is the first site
        button = page.locator("#lose-form button[type=submit]")
        tab_to(page, button)
        page.keyboard.press("Enter")
        page.wait_for_url("**site=NORR-1**")
        assert "Länsstyrelserna" in page.content()
        assert axe_violations(page, f"lose NORR-1 ({language})") == []
        page.goto(f"{live_server.url}/continuity/sites/lose/?site=ATLANTIS")
        assert page.locator("[role=alert]").count() == 1
        assert axe_violations(page, f"lose, unknown site ({language})") == []
