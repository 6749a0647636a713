"""The trail page in Chromium: axe-core (WCAG 2.1 A and AA) in Swedish and English, and a search
done by keyboard alone."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import transaction

from samdrift.audit.services import audit_record
from samdrift.core.actor import SYSTEM
from samdrift.tests.browser import axe_violations, chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "trail-test-password"


@pytest.mark.parametrize("language", ["sv", "en"])
def test_trail_page_passes_axe_and_works_by_keyboard(
    live_server, security_officer, agency, language
):
    security_officer.set_password(PASSWORD)
    security_officer.save()
    with transaction.atomic():
        for i in range(55):
            audit_record(actor=SYSTEM, action="test.done", object_type="test.thing",
                         object_id=i, organisation_id=agency.id)  # fmt: skip
    with chromium() as browser:
        # Playwright injects axe-core as an inline script, which the site's CSP forbids (rightly).
        context = browser.new_context(bypass_csp=True)
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", security_officer.username)
        page.fill("#id_password", PASSWORD)
        page.click("#local-login button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/audit/")
        assert page.locator("html").get_attribute("lang") == language
        assert axe_violations(page) == []
        # keyboard only: focus the object id field, type, and submit with Enter
        page.focus("#id_object_id")
        page.keyboard.type("7")
        page.keyboard.press("Enter")
        page.wait_for_url("**object_id=7**")
        assert page.locator("tbody tr").count() == 1
        assert axe_violations(page) == []
        # a refused search (from after to) explains itself and still passes
        page.goto(f"{live_server.url}/audit/?since=2026-02-01&until=2026-01-01")
        assert page.locator("[role=alert]").count() >= 1
        assert axe_violations(page) == []
