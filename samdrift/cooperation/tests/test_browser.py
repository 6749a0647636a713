"""The DSAM pages in Chromium: axe-core (WCAG 2.1 A and AA) in Swedish and English, with an
import refused (its rows listed) and a verdict recorded by keyboard alone."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from samdrift.cooperation.models import Assessment
from samdrift.tests.browser import axe_violations, chromium, page_as, tab_to

from .conftest import CSV

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_dsam_pages_pass_axe_and_work_by_keyboard(
    evaluation, provider_admin, live_server, language, tmp_path
):
    client = Client()
    client.force_login(provider_admin)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    bad = tmp_path / "krav.csv"
    bad.write_text(CSV.replace(";bör;", ";kanske;"), encoding="utf-8")
    with chromium() as browser:
        page = page_as(browser, live_server.url, session, language)
        page.goto(f"{live_server.url}/cooperation/")
        assert page.locator("html").get_attribute("lang") == language
        assert axe_violations(page, f"dsam home ({language})") == []
        page.set_input_files("#import-file", str(bad))
        page.fill("#import-code", "K2")
        with page.expect_navigation():
            page.locator("form[action$='/import/'] button[type=submit]").click()
        assert page.locator("[role=alert] li").count() == 2  # rows 5 and 6
        assert "kanske" in page.locator("[role=alert]").inner_text()
        assert axe_violations(page, f"dsam import refused ({language})") == []
        page.goto(f"{live_server.url}/cooperation/catalogues/DSAM-2021/")
        assert axe_violations(page, f"dsam catalogue ({language})") == []
        page.goto(f"{live_server.url}/cooperation/evaluations/E1/")
        assert page.locator("table").count() == 2
        assert axe_violations(page, f"dsam evaluation ({language})") == []
        # keyboard only: Beta (first solution is Alfa), V1 (first requirement), met, evidence
        solution = page.locator("#assess-solution")
        tab_to(page, solution)
        page.keyboard.press("ArrowDown")
        tab_to(page, page.locator("#assess-evidence"))
        page.keyboard.type("Omtestad med 60 deltagare")
        tab_to(page, page.locator("form[action$='/assess/'] button[type=submit]"))
        with page.expect_navigation(url="**/evaluations/E1/"):
            page.keyboard.press("Enter")
        assert axe_violations(page, f"dsam evaluation after a verdict ({language})") == []
    beta = evaluation.solutions.get(name="Beta")
    assert Assessment.objects.get(solution=beta, requirement__ref="V1").verdict == "met"


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_demo_evaluation_passes_axe(provider, agency_contact, live_server, language):
    """The demo's 18 requirements × 3 solutions, read by a customer (published)."""
    import io

    from samdrift.cooperation import demo

    demo.load(stdout=io.StringIO())
    client = Client()
    client.force_login(agency_contact)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        page = page_as(browser, live_server.url, session, language)
        page.set_viewport_size({"width": 800, "height": 900})
        page.goto(f"{live_server.url}/cooperation/evaluations/DSAM-2021-1/")
        assert page.locator("#assess-solution").count() == 0  # a reader gets no forms
        assert axe_violations(page, f"demo evaluation ({language})") == []
        page.goto(f"{live_server.url}/cooperation/catalogues/DSAM-2021/")
        assert axe_violations(page, f"demo catalogue ({language})") == []


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_steering_decision_pages_pass_axe_and_record_by_keyboard(
    provider, provider_admin, live_server, language
):
    from samdrift.cooperation.models import SteeringDecision

    client = Client()
    client.force_login(provider_admin)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        page = page_as(browser, live_server.url, session, language)
        page.goto(f"{live_server.url}/cooperation/decisions/")
        assert axe_violations(page, f"decisions, none yet ({language})") == []
        tab_to(page, page.locator("#id_reference"))
        page.keyboard.type("SITSSAM-2025-03")
        tab_to(page, page.locator("#id_decided_on"))
        page.keyboard.type("01012999")  # a day ahead: refused
        tab_to(page, page.locator("#id_title"))
        page.keyboard.type("Gemensam incidentsamordning")
        tab_to(page, page.locator("#id_text"))
        page.keyboard.type("Styrgruppen beslutar att samordna incidenter.")
        tab_to(page, page.locator("form[action$='/record/'] button[type=submit]"))
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator(".error-summary").count() == 1
        assert page.locator("#id_title").input_value() == "Gemensam incidentsamordning"
        assert axe_violations(page, f"decision refused ({language})") == []
        page.fill("#id_decided_on", "2025-03-12")
        tab_to(page, page.locator("form[action$='/record/'] button[type=submit]"))
        with page.expect_navigation(url="**/cooperation/decisions/*/"):
            page.keyboard.press("Enter")
        assert axe_violations(page, f"decision ({language})") == []
        page.goto(f"{live_server.url}/cooperation/decisions/")
        assert page.locator("tbody tr").count() == 1
        assert axe_violations(page, f"decisions, one ({language})") == []
    assert SteeringDecision.objects.get().decided_on.isoformat() == "2025-03-12"
