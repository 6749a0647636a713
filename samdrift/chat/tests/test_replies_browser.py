"""Answering and reacting on the chat page by keyboard, in Chromium over the real ASGI server
against the real Synapse (issue 13 item 4): the owner (Swedish) reacts to the editor's message
with a button reached by Tab, opens the reply form from the message's "Svara" link and sends the
answer; the editor (English) sees both. axe-core finds nothing on the page with messages, the
reaction buttons and the reply form, in both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from samdrift.chat import conversation, services
from samdrift.tests.asgi_server import asgi_server
from samdrift.tests.browser import axe_violations, page_as, tab_to

from .test_engine import _join, _workspace

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine, pytest.mark.browser]


def _editor_wrote(safos, text: str):
    """A room of the owner's where the editor (another agency) wrote `text`: the workspace,
    both people's session keys and the editor's name as pages show it."""
    workspace = _workspace(safos)
    _join(safos, workspace, "editor", role="editor")
    services.provision_workspace(workspace_id=workspace.id)
    conversation.send_message(actor=safos.actor("editor"), workspace_id=workspace.id, text=text)
    keys = {w: safos.client(w).cookies["sessionid"].value for w in ("owner", "editor")}
    return workspace, keys, safos.users["editor"].get_full_name() or safos.users["editor"].username


def test_a_reaction_and_a_reply_by_keyboard(safos, chat, browser):
    workspace, keys, name = _editor_wrote(safos, "Kan vi ses på tisdag?")
    found: list[str] = []
    with asgi_server() as site:
        url = f"{site}/chat/workspaces/{workspace.id}/"
        owner = page_as(browser, site, keys["owner"], "sv")
        owner.goto(url)
        log = owner.locator(".chat-log")
        expect(log).to_contain_text("Kan vi ses på tisdag?")
        found += axe_violations(owner, "chat page with a message (sv)")
        thumbs = owner.get_by_role("button", name=f"Reagera med 👍 på meddelandet från {name}")
        tab_to(owner, thumbs)
        owner.keyboard.press("Enter")
        expect(owner.locator(".chat-log__reactions")).to_contain_text("👍 1")
        tab_to(owner, owner.get_by_role("link", name=f"Svara till {name}"))
        owner.keyboard.press("Enter")
        expect(owner.locator("#message-answers")).to_contain_text(f"Ditt meddelande svarar {name}")
        found += axe_violations(owner, "chat page with the reply form (sv)")
        expect(owner.locator("#message-text")).to_be_focused()
        owner.keyboard.type("Tisdag passar bra")
        tab_to(owner, owner.locator("form[action$='/send/'] button[type=submit]"))
        owner.keyboard.press("Enter")
        expect(log).to_contain_text("Tisdag passar bra")
        expect(log).to_contain_text(f"Svar på {name}")
        expect(owner.locator("#message-answers")).to_have_count(0)  # a new message next

        editor = page_as(browser, site, keys["editor"], "en")
        editor.goto(url)
        expect(editor.locator(".chat-log")).to_contain_text("Tisdag passar bra")
        expect(editor.locator(".chat-log__reactions")).to_contain_text("👍 1")
        found += axe_violations(editor, "chat page with a reply and a reaction (en)")
        for page in (owner, editor):
            page.context.close()
    assert found == []


def test_new_messages_are_marked_and_a_thread_is_started_by_keyboard(safos, chat, browser):
    workspace, keys, name = _editor_wrote(safos, "Budget 2027")
    found: list[str] = []
    with asgi_server() as site:
        url = f"{site}/chat/workspaces/{workspace.id}/"
        owner = page_as(browser, site, keys["owner"], "sv")
        owner.goto(url)
        expect(owner.locator("#chat-unread")).to_have_text(
            "1 av dem är ny sedan du senast läste rummet."
        )
        expect(owner.locator(".chat-log__new")).to_contain_text("Budget 2027")
        found += axe_violations(owner, "chat page with a new message (sv)")
        tab_to(owner, owner.get_by_role("link", name=f"Starta en tråd på meddelandet från {name}"))
        owner.keyboard.press("Enter")
        expect(owner.locator("#message-answers")).to_contain_text("Ditt meddelande startar en tråd")
        expect(owner.get_by_label("Första svaret i tråden")).to_be_focused()
        owner.keyboard.type("Förslag bifogat")
        tab_to(owner, owner.locator("form[action$='/send/'] button[type=submit]"))
        owner.keyboard.press("Enter")
        expect(owner.locator(".chat-log")).to_contain_text("Förslag bifogat")
        expect(owner.locator(".chat-log__new")).to_have_count(0)  # read when it was shown

        editor = page_as(browser, site, keys["editor"], "en")
        editor.goto(url)
        reply = editor.locator(".chat-log__new")
        expect(reply).to_contain_text("Förslag bifogat")
        expect(reply).to_contain_text("In the thread of")
        expect(editor.locator("#chat-unread")).to_have_text(
            "1 of them is new since you last read the room."
        )
        found += axe_violations(editor, "chat page with a new message in a thread (en)")
        for page in (owner, editor):
            page.context.close()
    assert found == []


def test_a_file_is_sent_by_keyboard_and_opened_from_the_message(safos, chat, browser, files_dir):
    workspace, keys, _name = _editor_wrote(safos, "Protokollet kommer")
    source = files_dir.parent / "Protokoll.txt"
    source.write_bytes(b"Protokoll 2026-12-07\n")
    found: list[str] = []
    with asgi_server() as site:
        url = f"{site}/chat/workspaces/{workspace.id}/"
        editor = page_as(browser, site, keys["editor"], "en")
        editor.goto(url)
        chooser = editor.get_by_label("File", exact=True)
        tab_to(editor, chooser)
        chooser.set_input_files(str(source))  # the system's file dialog is not the page's
        found += axe_violations(editor, "chat page with the file form (en)")
        editor.keyboard.press("Tab")
        expect(editor.get_by_label("Message with the file (optional)")).to_be_focused()
        editor.keyboard.type("Från mötet")
        editor.keyboard.press("Tab")
        expect(editor.get_by_role("button", name="Send the file")).to_be_focused()
        editor.keyboard.press("Enter")
        expect(editor.locator(".chat-log__file")).to_contain_text("Protokoll.txt")

        owner = page_as(browser, site, keys["owner"], "sv")
        owner.goto(url)
        link = owner.get_by_role("link", name="Protokoll.txt (ett dokument i samarbetsytan)")
        expect(owner.locator(".chat-log")).to_contain_text("Från mötet")
        found += axe_violations(owner, "chat page with a file in a message (sv)")
        tab_to(owner, link)
        owner.keyboard.press("Enter")
        expect(owner.get_by_role("heading", level=1)).to_contain_text("Protokoll.txt")
        for page in (owner, editor):
            page.context.close()
    assert found == []
