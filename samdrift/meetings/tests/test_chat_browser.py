"""The workspace's chat beside the meeting's video (ADR 0656), in Chromium over the real ASGI
server against the real Synapse: an official of agency B writes by keyboard, the host of agency
A sees it arrive on their own meeting page, a reader reads without the form and is told why,
and axe-core finds nothing with the panel in Swedish and English. No media server is needed for
the panel, so the room is planned without one. The panels follow the room's live topic."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from samdrift.chat import services as chat_services
from samdrift.chat.tests.conftest import chat, synapse  # noqa: F401 - fixtures
from samdrift.tests.asgi_server import asgi_server
from samdrift.tests.browser import axe_violations, page_as, tab_to

from .test_engine import _add, _room

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine, pytest.mark.browser]


def test_the_workspace_chat_beside_the_video(safos, chat, browser, settings):  # noqa: F811
    settings.MEETINGS_ENABLED = False
    workspace, room = _room(safos)  # owner (agency A) hosts; editor (agency B) is a member
    _add(safos, workspace, "reader", role="reader")
    chat_services.provision_workspace(workspace_id=workspace.id)
    keys = {w: safos.client(w).cookies["sessionid"].value for w in ("owner", "editor", "reader")}
    languages = {"owner": "sv", "editor": "en", "reader": "en"}
    found: list[str] = []
    with asgi_server() as site:
        pages = {w: page_as(browser, site, keys[w], languages[w]) for w in keys}
        for page in pages.values():
            page.goto(f"{site}/meetings/{room.id}/")
            expect(page.locator("#meeting-chat")).to_be_visible(timeout=15000)
        # Each panel follows the room's live topic; subscribed, it does not poll (ADR 0656).
        for page in pages.values():
            expect(page.locator("#meeting-chat")).to_have_attribute(
                "data-live-state", "subscribed", timeout=15000
            )
        editor = pages["editor"]
        editor.locator("#meeting-chat-text").fill("Jag hör er inte, skriver här")
        tab_to(editor, editor.locator("#meeting-chat button[type=submit]"))
        editor.keyboard.press("Enter")
        log = "#meeting-chat .chat-log"
        expect(editor.locator(log)).to_contain_text("Jag hör er inte, skriver här")
        expect(editor.locator("#meeting-chat-text")).to_have_value("")
        # the host's page gets it through the live channel (this test's homeserver pushes to
        # no samdrift: the sender's page published the topic), named by samdrift
        host = pages["owner"]
        expect(host.locator(log)).to_contain_text("Jag hör er inte", timeout=15000)
        name = safos.users["editor"].get_full_name() or safos.users["editor"].username
        expect(host.locator(f"{log} strong")).to_have_text([name])
        # a reader reads, without the form, and is told why
        reader = pages["reader"]
        expect(reader.locator(log)).to_contain_text("Jag hör er inte", timeout=15000)
        expect(reader.locator("#meeting-chat form")).to_be_hidden()
        expect(reader.locator("#meeting-chat .chat-read-only")).to_contain_text("Readers read")
        for who, page in pages.items():
            found += axe_violations(page, f"meeting with chat as {who} ({languages[who]})")
        for page in pages.values():
            page.context.close()
    assert found == []
