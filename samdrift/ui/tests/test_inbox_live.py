"""The inbox counter in the header updates live, in Chromium, over the real ASGI application
(`config.asgi`: Django for HTTP, /ws/live/ for the WebSocket) served by uvicorn: another user's
step that notifies this user, and this user reading in another tab, both change the counter of
an open page without a reload. Only the owner's page follows `inbox:<id>`."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from channels.routing import ProtocolTypeRouter
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.db import connections
from playwright.sync_api import Browser, expect

from samdrift.core.notifications.testing import free_port
from samdrift.onboarding.tests.live_case import open_case, ready_to_advance, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def asgi_site(settings, monkeypatch) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """uvicorn in a thread of this process, so it shares the test database. Its threads close
    their database connections after each request (CONN_MAX_AGE 0), so none outlives the test
    (PostgreSQL refuses to drop a test database that still has sessions)."""
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from config.asgi import application

    app = ProtocolTypeRouter(
        {
            # The bundled live script is a static file: served as the test live server does.
            "http": ASGIStaticFilesHandler(application.application_mapping["http"]),
            "websocket": application.application_mapping["websocket"],
        }
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _as(browser: Browser, site: str, user: Any) -> Any:
    context = browser.new_context()
    context.add_cookies(
        [
            {"name": "sessionid", "value": session_cookie(user), "url": site},
            {"name": "django_language", "value": "sv", "url": site},
        ]
    )
    return context.new_page()


@pytest.fixture
def case(agency, account_manager, security_officer):  # type: ignore[no-untyped-def]
    """Set up before the browser starts (its event loop would refuse the case's own publish)."""
    ready = open_case(agency, account_manager)
    ready_to_advance(ready, account_manager, security_officer)
    return ready


def test_the_header_counter_follows_the_inbox_live(
    case, agency_contact, account_manager, asgi_site, browser
):
    watching = _as(browser, asgi_site, agency_contact)
    watching.goto(f"{asgi_site}/connections/")
    counter = watching.locator("#inbox-counter")
    expect(counter).to_have_attribute("data-live-state", "subscribed")
    expect(counter).to_have_text("Inkorg")
    watching.evaluate("window.notReloaded = true")

    # Another user advances the case: the contact is told, and the open page shows it.
    manager = _as(browser, asgi_site, account_manager)
    manager.goto(f"{asgi_site}/connections/{case.id}/")
    manager.get_by_role("button", name="Gå vidare till nästa fas").click()
    expect(counter.locator(".badge")).to_have_text("1")
    assert watching.evaluate("window.notReloaded") is True

    # The same user reads everything in another tab: the first tab's counter empties.
    reading = watching.context.new_page()
    reading.goto(f"{asgi_site}/inbox/")
    reading.get_by_role("button", name="Markera alla som lästa").click()
    expect(counter.locator(".badge")).to_have_count(0)
    assert watching.evaluate("window.notReloaded") is True

    # The account manager's own page never followed the contact's inbox.
    assert manager.locator(f'[data-live-topic="inbox:{agency_contact.id}"]').count() == 0
