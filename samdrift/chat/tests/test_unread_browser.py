"""The unread counts on collaboration's workspace list and workspace page (issue 13 item 4) in
Chromium with axe-core (WCAG 2.1 A and AA), in Swedish and English, against a REAL Synapse
(conftest.py): the count is words, in a link that names the chat, reached by keyboard."""

from __future__ import annotations

import pytest

from samdrift.tests.browser import axe_violations, browser, page_as, tab_to  # noqa: F401

from .test_engine import _room_with_an_editor

pytestmark = [pytest.mark.browser, pytest.mark.engine, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_workspace_pages_with_unread_counts_pass_axe(
    live_server, safos, browser, chat, language, settings  # noqa: F811
):  # fmt: skip
    workspace, _room, url = _room_with_an_editor(safos)
    editor = safos.client("editor")
    for text in ("Dagordningen är ute", "Och protokollet"):
        assert editor.post(f"{url}send/", {"text": text}).status_code == 302
    session = safos.client("owner").cookies[settings.SESSION_COOKIE_NAME].value
    words = "2 olästa" if language == "sv" else "2 unread"
    found: list[str] = []

    page = page_as(browser, live_server.url, session, language)
    response = page.goto(live_server.url + "/collaboration/")
    assert response is not None and response.status == 200
    link = page.get_by_role(
        "link", name=f"{words} {'i chatten' if language == 'sv' else 'in the chat'}"
    )
    # seen as words ("2 unread"), heard with what they count ("... in the chat")
    assert link.count() == 1
    assert link.evaluate("e => e.firstChild.textContent") == words
    found += axe_violations(page, f"workspace list ({language})")
    tab_to(page, link)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/chat/workspaces/{workspace.id}/#conversation")
    # the room's page showed the messages: the count is gone
    page.goto(live_server.url + "/collaboration/")
    assert page.locator(".chat-unread").count() == 0
    page.context.close()

    editor.post(f"{url}send/", {"text": "Ett tillägg"})
    page = page_as(browser, live_server.url, session, language)
    page.goto(live_server.url + f"/collaboration/{workspace.id}/")
    chat = "Chatt" if language == "sv" else "Chat"
    one = "1 oläst" if language == "sv" else "1 unread"
    assert page.get_by_role("link", name=f"{chat} {one}").count() == 1
    found += axe_violations(page, f"workspace page ({language})")
    page.context.close()
    assert found == []
