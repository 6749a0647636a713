"""The inbox pages in headless Chromium: axe-core (WCAG 2.1 A and AA) in Swedish and English, and
marking read by keyboard alone, without JavaScript of our own."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connections, transaction

from samdrift.core.notifications.models import Notification
from samdrift.core.notifications.services import notify
from samdrift.tests.browser import axe_violations

from .conftest import actor, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password"  # conftest.person()


@pytest.fixture
def reader(settings, monkeypatch):  # type: ignore[no-untyped-def]
    # The live server's request threads close their connections after each request, so none
    # outlives the test (PostgreSQL refuses to drop a test database that still has sessions).
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    karin = person("karin", first_name="Karin", last_name="Ek")
    sender = actor(person("sender"))
    context = {"agency": "Myndighet Ö", "case_id": 3, "phase": {"sv": "Paketera", "en": "Package"}}
    with transaction.atomic():
        for _ in range(2):
            notify([karin.id], "signoff_required", context, link="/connections/", actor=sender)
    return karin


def _page(browser, live_server, user, language):  # type: ignore[no-untyped-def]
    # bypass_csp: axe is injected as an inline script; our pages carry none of their own.
    context = browser.new_context(bypass_csp=True)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#local-login button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.mark.parametrize("language", ["sv", "en"])
def test_inbox_pages_pass_axe(browser, live_server, reader, language):
    page = _page(browser, live_server, reader, language)
    problems: list[str] = []
    for url in ("/inbox/", "/inbox/?show=unread", "/inbox/preferences/"):
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200, url
        assert page.locator("html").get_attribute("lang") == language
        problems.extend(axe_violations(page))
    assert problems == [], "\n".join(problems)


def test_mark_read_by_keyboard(browser, live_server, reader):
    page = _page(browser, live_server, reader, "sv")
    page.goto(f"{live_server.url}/inbox/")
    counter = page.locator("#inbox-counter")
    assert "2" in counter.inner_text()
    first = page.get_by_role("button", name="Markera som läst").first
    first.focus()
    with page.expect_navigation():  # the POST, then the redirect back to the inbox
        page.keyboard.press("Enter")
    assert page.locator(".message--success").inner_text() == "Meddelandet är markerat som läst."
    assert "1" in page.locator("#inbox-counter").inner_text()
    assert Notification.objects.filter(channel="in_app", read_at__isnull=False).count() == 1
    page.get_by_role("button", name="Markera alla som lästa").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#inbox-counter").inner_text().strip() == "Inkorg"
    assert not Notification.objects.filter(channel="in_app", read_at__isnull=True).exists()
