"""The trail page in Chromium: axe-core (WCAG 2.1 A and AA) in Swedish and English, and a search
done by keyboard alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import axe_playwright_python
import pytest
from django.conf import settings
from django.db import transaction
from playwright.sync_api import sync_playwright

from samdrift.audit.services import audit_record
from samdrift.core.actor import SYSTEM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORD = "trail-test-password"


def _violations(page) -> list[str]:
    page.evaluate(AXE_SCRIPT)  # not add_script_tag: the CSP refuses inline scripts (ADR 0037)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}" for v in
            result["violations"]]  # fmt: skip


@pytest.mark.parametrize("language", ["sv", "en"])
def test_trail_page_passes_axe_and_works_by_keyboard(
    live_server, security_officer, agency, language
):
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is required (scripts/ensure-browser.sh installs it)"
    security_officer.set_password(PASSWORD)
    security_officer.save()
    with transaction.atomic():
        for i in range(55):
            audit_record(actor=SYSTEM, action="test.done", object_type="test.thing",
                         object_id=i, organisation_id=agency.id)  # fmt: skip
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
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
        assert _violations(page) == []
        # keyboard only: focus the object id field, type, and submit with Enter
        page.focus("#id_object_id")
        page.keyboard.type("7")
        page.keyboard.press("Enter")
        page.wait_for_url("**object_id=7**")
        assert page.locator("tbody tr").count() == 1
        assert _violations(page) == []
        # a refused search (from after to) explains itself and still passes
        page.goto(f"{live_server.url}/audit/?since=2026-02-01&until=2026-01-01")
        assert page.locator("[role=alert]").count() >= 1
        assert _violations(page) == []
        browser.close()
