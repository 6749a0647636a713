"""Unread messages and new threads on samdrift's chat page (issue 13 item 4), against a REAL
Synapse (conftest.py): what is new is what others wrote after the member's read marker in the
homeserver (the one Element moves too), the page moves it, the API only reports it; "Start a
thread" sends Matrix's thread relation with the message as its root."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.chat import conversation, matrix

from .test_engine import _mxid, _room_with_an_editor

pytestmark = [pytest.mark.engine, pytest.mark.django_db]


def _new(safos, workspace, who: str = "owner") -> list[str]:
    shown = conversation.recent_messages(actor=safos.actor(who), workspace_id=workspace.id)
    return [m.text for m in shown if m.new]


def test_what_others_wrote_since_the_member_last_read_is_new_until_the_page_shows_it(safos, chat):
    workspace, room, url = _room_with_an_editor(safos)
    owner, editor = safos.client("owner"), safos.client("editor")
    owner.post(f"{url}send/", {"text": "Välkomna"})
    editor.post(f"{url}send/", {"text": "Tack"})
    editor.post(f"{url}send/", {"text": "Dagordningen kommer"})

    # never read: the others' messages are new, one's own never; the API does not read them
    assert _new(safos, workspace) == ["Tack", "Dagordningen kommer"]
    api = owner.get(f"/api/v1/chat/workspaces/{workspace.id}/room/messages").json()
    assert [(m["text"], m["new"]) for m in api] == [
        ("Välkomna", False), ("Tack", True), ("Dagordningen kommer", True),
    ]  # fmt: skip

    page = owner.get(url).content.decode()
    assert "2 av dem är nya sedan du senast läste rummet" in page
    assert page.count('class="chat-log__badge">Ny<') == 2
    # the page showed them: read, in the homeserver, where any Matrix program sees it
    newest = matrix.Client().recent(room, as_user=_mxid(safos, "owner"), limit=1)[-1]
    assert matrix.Client().read_marker(room, as_user=_mxid(safos, "owner")) == newest["event_id"]
    assert _new(safos, workspace) == []
    assert "Inget nytt sedan du senast läste rummet" in owner.get(url).content.decode()

    editor.post(f"{url}send/", {"text": "Ett tillägg"})
    assert _new(safos, workspace) == ["Ett tillägg"]
    editor.get(url)  # where sending leads: the editor's page, which reads the room for them
    assert _new(safos, workspace, "editor") == []
    page = owner.get(url).content.decode()
    assert "1 av dem är ny sedan du senast läste rummet" in page
    assert _new(safos, workspace) == []
    # reading is audited as before; unread counting changes no one's audit of sent messages
    assert AuditEvent.objects.filter(action="chat.message_sent").count() == 4


def test_a_thread_is_started_on_a_message_from_the_page_and_the_api(safos, chat):
    workspace, room, url = _room_with_an_editor(safos)
    owner, editor = safos.client("owner"), safos.client("editor")
    editor.post(f"{url}send/", {"text": "Budget 2027"})
    (root,) = [m.event_id for m in conversation.recent_messages(
        actor=safos.actor("owner"), workspace_id=workspace.id)]  # fmt: skip

    page = owner.get(url).content.decode()
    assert (
        f"?reply={quote(root, safe='')}&amp;thread=1#message-text" in page
        and "Starta en tråd" in page
    )
    form = owner.get(f"{url}?reply={root}&thread=1").content.decode()
    assert "Ditt meddelande startar en tråd på meddelandet från" in form
    assert 'name="in_thread" value="1"' in form and "Första svaret i tråden" in form
    sent = owner.post(f"{url}send/", {"text": "Förslag bifogat", "in_reply_to": root,
                                      "in_thread": "1"})  # fmt: skip
    assert sent.status_code == 302
    api = f"/api/v1/chat/workspaces/{workspace.id}/room/messages"
    by_api = editor.post(
        api, {"text": "Jag läser", "in_reply_to": root, "in_thread": True},
        content_type="application/json",
    )  # fmt: skip
    assert by_api.status_code == 201

    relations = {
        e["content"]["body"]: e["content"].get("m.relates_to")
        for e in matrix.Client().history(room)
        if e.get("type") == "m.room.message"
    }
    thread = {"rel_type": "m.thread", "event_id": root, "is_falling_back": True,
              "m.in_reply_to": {"event_id": root}}  # fmt: skip
    assert relations["Förslag bifogat"] == thread and relations["Jag läser"] == thread
    name = safos.users["editor"].get_full_name() or safos.users["editor"].username
    shown = conversation.recent_messages(actor=safos.actor("owner"), workspace_id=workspace.id)
    assert [(m.text, m.thread_of) for m in shown] == [
        ("Budget 2027", ""), ("Förslag bifogat", name), ("Jag läser", name),
    ]  # fmt: skip
    # a message in a thread offers no thread of its own: its replies stay in the one it is in
    page = owner.get(url).content.decode()
    assert page.count("Starta en tråd") == 1
    audited = AuditEvent.objects.filter(action="chat.message_sent", after__in_thread=True)
    assert audited.count() == 2

    # a thread needs the message it begins with: refused, nothing sent, the draft kept
    before = len(relations)
    refused = owner.post(f"{url}send/", {"text": "Utan rot", "in_thread": "1"})
    assert refused.status_code == 422 and "Utan rot" in refused.content.decode()
    assert "Välj meddelandet som tråden börjar med" in refused.content.decode()
    no_root = owner.post(api, {"text": "x", "in_thread": True}, content_type="application/json")
    assert no_root.status_code == 422
    messages = [e for e in matrix.Client().history(room) if e.get("type") == "m.room.message"]
    assert len(messages) == before
