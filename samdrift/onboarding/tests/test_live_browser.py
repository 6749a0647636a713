"""A case page updates live in Chromium when another user changes the case (issue 9, "Done
when"), announces it politely, and still works without JavaScript (a reload shows the change).

Served by uvicorn (the real ASGI application), two browser contexts with their own sessions:
the agency's contact watches the case; the account manager advances it by keyboard on the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from samdrift.tests.asgi_server import asgi_server
from samdrift.tests.browser import axe_violations

from .live_case import open_case, ready_to_advance, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUNDLE = Path(settings.BASE_DIR) / "samdrift/ui/static/ui/dist/samdrift.js"


@pytest.fixture
def served(settings, monkeypatch) -> Iterator[str]:  # type: ignore[no-untyped-def]
    assert BUNDLE.exists(), "the script bundle is missing: run `make frontend`"
    # Playwright's sync API keeps an event loop on this thread; the test's own database work
    # between browser steps is plain synchronous code all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with asgi_server() as url:
        yield url


def _page(browser: Browser, url: str, user, *, javascript: bool = True) -> Page:  # type: ignore[no-untyped-def]
    # bypass_csp: axe is injected as an inline script; samdrift's pages carry none of their own.
    context = browser.new_context(java_script_enabled=javascript, bypass_csp=True)
    context.add_cookies(
        [
            {"name": "sessionid", "value": session_cookie(user), "url": url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": url},
        ]
    )
    return context.new_page()


def _phase(page: Page) -> str:
    """The current phase's English name (the list shows the Swedish one after it)."""
    return page.locator("#case-live ol.phases li[aria-current=step]").inner_text().split(" (")[0]


@pytest.fixture
def case(agency, agency_contact, account_manager, security_officer):  # type: ignore[no-untyped-def]
    """Set up before the browser starts: Playwright's event loop then owns the test's thread."""
    return open_case(agency, account_manager)


@pytest.fixture
def ready_case(case, account_manager, security_officer):  # type: ignore[no-untyped-def]
    ready_to_advance(case, account_manager, security_officer)
    return case


def test_a_watching_page_updates_when_another_user_advances_the_case(
    ready_case, served, browser, agency_contact, account_manager
):
    case = ready_case
    case_url = f"{served}/connections/{case.id}/"

    watcher = _page(browser, served, agency_contact)
    watcher.goto(case_url)
    live = watcher.locator("#case-live")
    expect(live).to_have_attribute("data-live-state", "subscribed")
    assert _phase(watcher) == "Initiate"
    watcher.evaluate("window.notReloaded = true")

    without_js = _page(browser, served, agency_contact, javascript=False)
    without_js.goto(case_url)
    assert _phase(without_js) == "Initiate"

    manager = _page(browser, served, account_manager)
    manager.goto(case_url)
    advance = manager.locator(f'form[action="/connections/{case.id}/advance/"] button')
    advance.focus()
    with manager.expect_navigation():
        manager.keyboard.press("Enter")
    assert _phase(manager) == "Plan"

    expect(live).to_have_attribute("data-live-state", "updated")
    assert _phase(watcher) == "Plan"
    assert watcher.evaluate("window.notReloaded") is True
    status = watcher.locator("#live-status")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    expect(status).to_have_text(status.get_attribute("data-updated") or "-")
    expect(status).to_have_text("Updated: this page was changed by someone else.")
    assert axe_violations(watcher) == []  # the swapped page, announcement included

    # Without JavaScript nothing moves by itself, and a plain reload shows the change.
    assert _phase(without_js) == "Initiate"
    without_js.reload()
    assert _phase(without_js) == "Plan"


def test_typed_input_is_kept_and_the_change_announced_instead(
    case, served, browser, account_manager, security_officer
):
    """Security is writing a sign-off comment when the account manager ticks the checklist:
    the region is not swapped under their hands, and the page says a change is waiting."""
    case_url = f"{served}/connections/{case.id}/"
    security = _page(browser, served, security_officer)
    security.goto(case_url)
    expect(security.locator("#case-live")).to_have_attribute("data-live-state", "subscribed")
    security.fill("#signoff-comment", "Granskat, ser bra ut")

    manager = _page(browser, served, account_manager)
    manager.goto(case_url)
    with manager.expect_navigation():
        manager.locator(f'form[action^="/connections/{case.id}/checklist/"] button').click()

    expect(security.locator("#case-live")).to_have_attribute("data-live-state", "stale")
    assert security.input_value("#signoff-comment") == "Granskat, ser bra ut"
    expect(security.locator("#live-status")).to_have_text(
        security.locator("#live-status").get_attribute("data-held") or "-"
    )
