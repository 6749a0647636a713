"""Live notes and whiteboards in Chromium over the real ASGI server (uvicorn, WebSocket): two
officials of two agencies converge; one goes offline, edits, and converges on return (also after
closing the page, from the browser's offline copy, which logging out deletes); the server
stops mid-session and a new one starts, and nothing accepted is lost; a reader cannot write; the
board is used by keyboard only; axe-core finds nothing in Swedish or English."""

from __future__ import annotations

import socket
import time

import pytest
from django.db import OperationalError
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from samdrift.coediting import services
from samdrift.coediting.consumer import CLOSE
from samdrift.coediting.models import LiveUpdate
from samdrift.coediting.tests.conftest import workspace_image
from samdrift.coediting.tests.yclient import stored_note
from samdrift.tests.asgi_server import asgi_server
from samdrift.tests.browser import axe_violations, browser, page_as, tab_to  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sessions(safos, *who: str) -> dict[str, str]:
    """Logged-in sessions, made before the server runs: the test database (SQLite's shared
    cache) refuses a write from this thread while the server's thread writes."""
    return {name: safos.client(name).cookies["sessionid"].value for name in who}


def open_doc(browser, session: str, site: str, doc_id: int, language: str = "en") -> Page:  # noqa: F811
    page = page_as(browser, site, session, language)
    page.goto(f"{site}/live/{doc_id}/")
    page.evaluate(CLOSES)
    expect(page.locator("#coedit")).to_have_attribute("data-synced", "1")
    return page


def type_at_end(page: Page, text: str) -> None:
    """A new paragraph at the end, typed (another editor's caret is never inside it)."""
    editor = page.get_by_role("textbox", name="Mötesanteckning")
    expect(editor).to_have_attribute("contenteditable", "true")
    editor.focus()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type(text)
    # What was typed is in the page's own document at once, whatever the network does.
    wait_for_text(page, text.strip())


CONTENT = "window.samdriftCoedit.ydoc.getXmlFragment('default').toString()"


#: Records the connection's close codes, for a failure's message.
CLOSES = """() => {
  window.__closes = [];
  window.samdriftCoedit.provider.on("connection-close", (e) => window.__closes.push(e && e.code));
}"""
STATE = """() => {
  const root = document.getElementById("coedit");
  const p = window.samdriftCoedit.provider;
  return {state: root.dataset.state, status: document.getElementById("coedit-status").textContent,
          wsconnected: p.wsconnected, synced: p.synced, closes: window.__closes, shouldConnect: p.shouldConnect,
          content: window.samdriftCoedit.ydoc.getXmlFragment("default").toString()};
}"""


def wait_for_text(page: Page, text: str) -> None:
    """The page's copy of the document holds `text` (the shared state, not the rendering with
    the others' carets in it). On a timeout the page's connection state is in the failure."""
    try:
        page.wait_for_function(f"t => {CONTENT}.includes(t)", arg=text, timeout=30000)
    except PlaywrightTimeout as timeout:
        doc_id = page.evaluate("document.getElementById('coedit').dataset.doc")
        try:
            kept = stored_note(int(doc_id))
        except OperationalError as error:  # the server's thread was writing
            kept = f"({error})"
        raise AssertionError(
            f"{text!r} not in the page: {page.evaluate(STATE)}; stored: {kept!r}"
        ) from timeout


def editor_text(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("textbox", name="Mötesanteckning")


def test_two_agencies_converge_and_offline_edits_merge(safos, note, browser):  # noqa: F811
    keys = sessions(safos, "owner", "editor")
    with asgi_server() as site:
        a = open_doc(browser, keys["owner"], site, note.id)
        b = open_doc(browser, keys["editor"], site, note.id)
        type_at_end(a, "Från A. ")
        # B writes once A's paragraph has reached it: typed while that paragraph arrived, B's
        # keystrokes were once split across both (a CI run); the edits made at the same time
        # are those of the offline part below, merged when B comes back.
        wait_for_text(b, "Från A.")
        type_at_end(b, "Från B. ")
        for page in (a, b):
            wait_for_text(page, "Från A.")
            wait_for_text(page, "Från B.")
        expect(b.get_by_role("list", name="Here now")).to_contain_text(
            safos.users["owner"].get_full_name()
        )
        # B loses the network, keeps writing, and comes back.
        b.context.set_offline(True)
        b.evaluate("window.samdriftCoedit.provider.disconnect()")
        expect(b.locator("#coedit")).to_have_attribute("data-state", "disconnected")
        type_at_end(b, "Skrivet utan nät. ")
        type_at_end(a, "Medan B var borta. ")
        b.context.set_offline(False)
        b.evaluate("window.samdriftCoedit.provider.connect()")
        for page in (a, b):
            wait_for_text(page, "Skrivet utan nät.")
            wait_for_text(page, "Medan B var borta.")
        wait_until(lambda: a.evaluate(CONTENT) == b.evaluate(CONTENT))
        expect(editor_text(b)).to_contain_text("Medan B var borta.")
        wait_until(lambda: "Skrivet utan nät." in stored_note(note.id))


def test_an_update_lost_on_the_way_reaches_the_page_at_its_next_resync(
    safos,
    note,
    browser,  # noqa: F811
):
    """A busy server may drop a group message for one connection; the page asks for what it
    lacks every few seconds (y-websocket's resync), so the copy catches up without a
    reconnect. The test drops the server's update frames to B (Playwright's WebSocket route)."""
    keys = sessions(safos, "owner", "editor")
    dropping = {"on": False, "dropped": 0}

    def between(page_side):  # type: ignore[no-untyped-def]
        server = page_side.connect_to_server()

        def to_page(message):  # type: ignore[no-untyped-def]
            update = isinstance(message, bytes) and message[:2] == b"\x00\x02"
            if dropping["on"] and update:
                dropping["dropped"] += 1
                return
            page_side.send(message)

        server.on_message(to_page)
        page_side.on_message(lambda message: server.send(message))

    with asgi_server() as site:
        a = open_doc(browser, keys["owner"], site, note.id)
        b = page_as(browser, site, keys["editor"], "en")
        b.route_web_socket(lambda url: "/ws/coedit/" in url, between)
        b.goto(f"{site}/live/{note.id}/")
        expect(b.locator("#coedit")).to_have_attribute("data-synced", "1")
        dropping["on"] = True
        type_at_end(a, "Tappat på vägen. ")
        wait_until(lambda: dropping["dropped"] > 0)
        time.sleep(1)
        assert "Tappat på vägen." not in b.evaluate(CONTENT)  # lost, not merely late
        dropping["on"] = False
        wait_for_text(b, "Tappat på vägen.")  # the next resync (5 s) brings it
        assert b.locator("#coedit").get_attribute("data-state") == "connected"


LOCAL_COPIES = (
    "indexedDB.databases().then(found => found.map(db => db.name)"
    ".filter(name => name.startsWith('samdrift-live-')))"
)
#: How many updates the page's offline copy holds (y-indexeddb's `updates` store).
STORED_LOCALLY = """name => new Promise((done, failed) => {
  const open = indexedDB.open(name);
  open.onerror = failed;
  open.onsuccess = () => {
    const count = open.result.transaction('updates').objectStore('updates').count();
    count.onsuccess = () => { open.result.close(); done(count.result); };
  };
})"""


def test_offline_edits_survive_closing_the_page_and_logging_out_forgets_them(
    safos,
    note,
    browser,  # noqa: F811
):
    keys = sessions(safos, "editor")
    with asgi_server() as site:
        page = open_doc(browser, keys["editor"], site, note.id)
        expect(page.locator("#coedit")).to_have_attribute("data-local-loaded", "1")
        (copy,) = page.evaluate(LOCAL_COPIES)
        assert copy == f"samdrift-live-{note.id}-g1"
        held = page.evaluate(STORED_LOCALLY, copy)
        context = page.context
        context.set_offline(True)
        page.evaluate("window.samdriftCoedit.provider.disconnect()")
        expect(page.locator("#coedit")).to_have_attribute("data-state", "disconnected")
        type_at_end(page, "Skrivet på tåget. ")
        page.wait_for_function(f"n => ({STORED_LOCALLY})('{copy}').then(c => c > n)", arg=held)
        page.close()  # the tab is closed before the network came back
        assert "Skrivet på tåget." not in stored_note(note.id)

        context.set_offline(False)
        again = context.new_page()
        again.goto(f"{site}/live/{note.id}/")
        expect(again.locator("#coedit")).to_have_attribute("data-synced", "1")
        wait_for_text(again, "Skrivet på tåget.")
        wait_until(lambda: "Skrivet på tåget." in stored_note(note.id))

        again.get_by_role("button", name="Log out").click()
        again.wait_for_url("**/accounts/login/**")
        assert again.evaluate(LOCAL_COPIES) == []


def wait_until(check, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except OperationalError:  # the test database's shared cache, busy with a write
            pass
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.25)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_server_stopped_mid_session_loses_nothing_accepted(safos, note, browser):  # noqa: F811
    port = _free_port()
    keys = sessions(safos, "owner", "editor")
    with asgi_server(port) as site:
        a = open_doc(browser, keys["owner"], site, note.id)
        type_at_end(a, "Före omstarten. ")
        wait_until(lambda: "Före omstarten." in stored_note(note.id))
    # The server is gone: A keeps writing into the page's document.
    expect(a.locator("#coedit")).not_to_have_attribute("data-state", "connected")
    type_at_end(a, "Under avbrottet. ")
    wait_until(lambda: "Före omstarten." in stored_note(note.id))
    with asgi_server(port) as site:
        expect(a.locator("#coedit")).to_have_attribute("data-state", "connected", timeout=20000)
        b = open_doc(browser, keys["editor"], site, note.id)
        for page in (a, b):
            wait_for_text(page, "Under avbrottet.")
        wait_until(lambda: "Under avbrottet." in stored_note(note.id))


def test_a_reader_cannot_write(safos, note, browser):  # noqa: F811
    keys = sessions(safos, "reader")
    with asgi_server() as site:
        reader = open_doc(browser, keys["reader"], site, note.id)
        expect(editor_text(reader)).to_have_attribute("aria-readonly", "true")
        expect(reader.get_by_role("toolbar")).to_have_count(0)
        # A script that edits the document anyway is cut off; nothing is stored.
        reader.evaluate(
            "() => { const d = window.samdriftCoedit.ydoc;"
            " d.getXmlFragment('default').insert(0, [new window.samdriftCoedit.Y.XmlElement('paragraph')]); }"
        )
        expect(reader.locator("#coedit")).to_have_attribute("data-state", "stopped")
        expect(reader.locator("#coedit-status")).to_contain_text("not change it")
        assert LiveUpdate.objects.filter(doc=note).count() == 0
        assert CLOSE["read_only"] == 4403


def test_the_board_by_keyboard_only(safos, spaces, browser):  # noqa: F811
    board = services.doc_create(
        actor=safos.actor("owner"), workspace_id=spaces[0].id, kind="board", title="Tavlan"
    )
    keys = sessions(safos, "owner", "editor")
    with asgi_server() as site:
        a = open_doc(browser, keys["owner"], site, board.id)
        b = open_doc(browser, keys["editor"], site, board.id)
        text = a.get_by_label("Text", exact=True)
        tab_to(a, text)
        a.keyboard.type("Första lappen")
        a.keyboard.press("Enter")
        outline_b = b.get_by_role("list", name="Items on the whiteboard")
        expect(outline_b).to_contain_text("Sticky note 1")
        expect(b.get_by_label("Text: Sticky note 1")).to_have_value("Första lappen")
        before = b.locator(".coedit-board__where").inner_text()
        right = a.get_by_role("button", name="Move right: Sticky note 1")
        tab_to(a, right)
        a.keyboard.press("Enter")
        expect(b.locator(".coedit-board__where")).not_to_have_text(before)
        expect(b.get_by_role("img")).to_have_accessible_name(
            "The whiteboard, with 1 items. The list below holds the same items."
        )
        remove = a.get_by_role("button", name="Remove: Sticky note 1")
        tab_to(a, remove)
        a.keyboard.press("Enter")
        expect(outline_b.locator("li")).to_have_count(0)


def test_an_image_of_the_workspace_is_inserted_by_keyboard_and_shown_to_the_other(
    safos,
    spaces,
    note,
    browser,  # noqa: F811
):
    picture = workspace_image(safos, spaces[0].id, "Karta.png")
    keys = sessions(safos, "owner", "editor")
    with asgi_server() as site:
        a = open_doc(browser, keys["owner"], site, note.id)
        b = open_doc(browser, keys["editor"], site, note.id)
        button = a.get_by_role("button", name="Image", exact=True)
        tab_to(a, button)
        a.keyboard.press("Enter")
        expect(button).to_have_attribute("aria-expanded", "true")
        expect(a.get_by_label("Image", exact=True)).to_be_focused()  # the list of images
        expect(a.get_by_label("Image", exact=True)).to_have_value(str(picture))
        a.keyboard.press("Tab")
        alt = a.get_by_label("Text alternative")
        expect(alt).to_be_focused()
        a.keyboard.press("Enter")  # no text alternative: refused, said, nothing inserted
        expect(alt).to_have_attribute("aria-invalid", "true")
        expect(alt).to_have_accessible_description(
            "What the image shows, for those who cannot see it. Required. "
            "Describe the image: a text alternative is required."
        )
        assert "image" not in a.evaluate(CONTENT)
        a.keyboard.type("Karta över kontoren")
        a.keyboard.press("Enter")
        expect(button).to_have_attribute("aria-expanded", "false")
        shown = b.get_by_role("img", name="Karta över kontoren")
        expect(shown).to_have_attribute("src", f"/collaboration/documents/{picture}/preview/")
        # through the locator, not a handle: the editor may render the image anew as the
        # document syncs, and a handle would then wait on an element that left the page
        expect(shown).to_have_js_property("naturalWidth", 200, timeout=30000)
        wait_until(lambda: f'document="{picture}"' in stored_note(note.id))
        # a new version whose preview is not made yet cannot be shown: a newly opened editor
        # says so in a sentence, as the exports do, instead of a broken picture
        assert workspace_image(safos, spaces[0].id, "Karta.png", preview=False) == picture
        c = open_doc(browser, keys["owner"], site, note.id)
        expect(c.locator(".coedit-image__missing")).to_have_text(
            "[An image that cannot be shown here: Karta över kontoren]"
        )
        expect(c.locator(".coedit-image img")).to_be_hidden()


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_pages_pass_axe(safos, spaces, note, browser, language):  # noqa: F811
    board = services.doc_create(
        actor=safos.actor("owner"), workspace_id=spaces[0].id, kind="board", title="Tavlan"
    )
    workspace_image(safos, spaces[0].id, "Karta.png")
    # A class 3 workspace's note: view only, so no download list and no offline copy.
    from samdrift.collaboration import services as collaboration

    owner = safos.actor("owner")
    closed = collaboration.workspace_create(actor=owner, name="Slutet", classification=3)
    closed_note = services.doc_create(
        actor=owner, workspace_id=closed.id, kind="note", title="Sluten anteckning"
    )
    found: list[str] = []
    session = sessions(safos, "owner")["owner"]
    urls = (
        f"/live/workspace/{spaces[0].id}/",
        f"/live/{note.id}/",
        f"/live/{board.id}/",
        f"/live/{closed_note.id}/",
    )
    with asgi_server() as site:
        for url in urls:
            page = page_as(browser, site, session, language)
            page.goto(site + url)
            if "workspace" not in url:
                expect(page.locator("#coedit")).to_have_attribute("data-synced", "1")
            if url == f"/live/{note.id}/":  # with the image form open, its list filled
                page.locator("button[data-command=image]").click()
                expect(page.locator("#coedit-image")).to_be_visible()
            found += axe_violations(page, f"{url} ({language})")
            page.context.close()
    assert found == []
