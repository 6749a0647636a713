"""The case page's documents in headless Chromium: axe-core (WCAG 2.1 A and AA) in Swedish and
English with a document listed, and adding and downloading one by keyboard alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from samdrift.core.files.conf import LOCAL
from samdrift.tests.browser import axe_violations
from samdrift.tests.factories import ServiceFactory
from tests.api.support import checklist_templates, open_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def case(settings, monkeypatch, tmp_path, provider, agency):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": dict(LOCAL)}
    ServiceFactory(code="EFOS", name_sv="Tjänstelegitimation", name_en="Service e-ID")
    checklist_templates(per_phase=1)
    return open_case(agency.id, ["EFOS"])


def _page(browser, live_server, user, language):  # type: ignore[no-untyped-def]
    # bypass_csp: axe is injected as an inline script; our pages carry none of their own.
    context = browser.new_context(bypass_csp=True, accept_downloads=True)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "demo-password")
    page.click("#local-login button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_documents_section_passes_axe(browser, live_server, case, agency_contact, language):
    page = _page(browser, live_server, agency_contact, language)
    page.goto(f"{live_server.url}/connections/{case.id}/")
    _upload_by_keyboard(page, a_pdf("Säkerhetsplan.pdf"))  # so the list is there too
    assert page.locator("#attachments table").count() == 1
    assert page.locator("html").get_attribute("lang") == language
    problems = axe_violations(page, within="#attachments")
    assert problems == [], "\n".join(problems)


def a_pdf(name: str) -> dict[str, object]:
    return {"name": name, "mimeType": "application/pdf", "buffer": b"%PDF-1.7 plan"}


def _upload_by_keyboard(page, payload: dict) -> None:  # type: ignore[no-untyped-def]
    chooser = page.locator("#attachment-file")
    chooser.focus()
    chooser.set_input_files(payload)  # what the file dialog does; no pointer involved
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('#attachments') !== null")
    assert focused, "Tab from the file field leaves the documents section"
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_add_and_download_a_document_by_keyboard(browser, live_server, case, agency_contact):
    page = _page(browser, live_server, agency_contact, "sv")
    page.goto(f"{live_server.url}/connections/{case.id}/")
    _upload_by_keyboard(page, a_pdf("Säkerhetsplan.pdf"))
    assert (
        page.locator(".message--success").inner_text() == "Säkerhetsplan.pdf är tillagt i ärendet."
    )
    link = page.get_by_role("link", name="Säkerhetsplan.pdf")
    link.focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "Säkerhetsplan.pdf"
    assert Path(download.value.path()).read_bytes() == b"%PDF-1.7 plan"
