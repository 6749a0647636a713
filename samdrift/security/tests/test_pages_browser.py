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


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_report_imported_from_the_page_and_a_finding_pass_axe_by_keyboard(
    soc, landscape, security_officer, live_server, language, tmp_path
):
    report = tmp_path / "trivy.json"
    report.write_bytes(sample("trivy/scheme_2_many_vulns.json"))
    client = Client()
    client.force_login(security_officer)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        page = page_as(browser, live_server.url, session, language)
        page.goto(f"{live_server.url}/security/imports/")
        assert axe_violations(page, f"imports ({language})") == []
        tab_to(page, page.locator("#id_component"))
        page.keyboard.press("ArrowDown")  # the first (only) component
        page.locator("#id_file").set_input_files(str(report))  # a file chooser: not by keys
        tab_to(page, page.locator("main form button.primary"))
        page.keyboard.press("Enter")
        page.wait_for_selector("tbody tr td")
        assert page.locator("tbody tr").count() == 1
        assert axe_violations(page, f"imports done ({language})") == []
        page.goto(f"{live_server.url}/security/findings/?severity=critical")
        tab_to(page, page.locator("tbody th a").first)
        page.keyboard.press("Enter")
        page.wait_for_url("**/security/findings/*/")
        assert page.locator("h1").inner_text().startswith("CVE-2019-12900")
        assert axe_violations(page, f"finding ({language})") == []
