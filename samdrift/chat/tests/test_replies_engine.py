"""Answering and reacting from samdrift's page and API (issue 13 item 4), against a REAL Synapse
(conftest.py): a reply carries Matrix's reply relation (inside the thread when it answers a
message in a thread), a reaction is Matrix's annotation, once per person and key; a message of
another room, an unknown one or another key is refused with nothing sent; a reader cannot."""

from __future__ import annotations

import uuid

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.chat import conversation, matrix, services
from samdrift.chat.models import ChatRoom

from .test_engine import _join, _mxid, _workspace

pytestmark = [pytest.mark.engine, pytest.mark.django_db]


def _events(room_id: str, kind: str) -> list[dict]:
    return [e for e in matrix.Client().history(room_id) if e.get("type") == kind]


def test_a_reply_from_the_page_answers_the_message_and_stays_in_its_thread(safos, chat):
    workspace = _workspace(safos)
    _join(safos, workspace, "editor", role="editor")
    services.provision_workspace(workspace_id=workspace.id)
    room = ChatRoom.objects.get(workspace=workspace).room_id
    url = f"/chat/workspaces/{workspace.id}/"
    editor = safos.client("editor")
    editor.post(f"{url}send/", {"text": "Mötet är kl 10"})
    (first,) = [m.event_id for m in conversation.recent_messages(
        actor=safos.actor("owner"), workspace_id=workspace.id)]  # fmt: skip
    # a message in the first one's thread, as Element sends it
    in_thread = matrix.Client().send_event(
        room, "m.room.message",
        {"msgtype": "m.text", "body": "Dagordning",
         "m.relates_to": {"rel_type": "m.thread", "event_id": first, "is_falling_back": True,
                          "m.in_reply_to": {"event_id": first}}},
        as_user=_mxid(safos, "editor"), txn_id=uuid.uuid4().hex,
    )  # fmt: skip

    owner = safos.client("owner")
    form = owner.get(f"{url}?reply={first}").content.decode()
    assert "Ditt meddelande svarar" in form and f'name="in_reply_to" value="{first}"' in form
    assert (
        owner.post(f"{url}send/", {"text": "Jag kommer", "in_reply_to": first}).status_code == 302
    )
    assert owner.post(f"{url}send/", {"text": "Bra", "in_reply_to": in_thread}).status_code == 302
    sent = {e["content"]["body"]: e["content"].get("m.relates_to") for e in
            _events(room, "m.room.message")}  # fmt: skip
    assert sent["Jag kommer"] == {"m.in_reply_to": {"event_id": first}}
    assert sent["Bra"] == {"m.in_reply_to": {"event_id": in_thread}, "rel_type": "m.thread",
                           "event_id": first, "is_falling_back": False}  # fmt: skip
    name = safos.users["editor"].get_full_name() or safos.users["editor"].username
    shown = conversation.recent_messages(actor=safos.actor("owner"), workspace_id=workspace.id)
    assert [(m.text, m.reply_to, m.thread_of) for m in shown] == [
        ("Mötet är kl 10", "", ""),
        ("Dagordning", "", name),
        ("Jag kommer", name, ""),
        ("Bra", "", name),  # in the thread
    ]
    replies = AuditEvent.objects.filter(action="chat.message_sent", actor=safos.users["owner"])
    assert sorted(e.after["in_reply_to"] for e in replies) == sorted([first, in_thread])

    # answering what is not a message of this room: refused, the draft kept, nothing sent
    other = _workspace(safos)
    services.provision_workspace(workspace_id=other.id)
    safos.client("owner").post(f"/chat/workspaces/{other.id}/send/", {"text": "Annat rum"})
    (elsewhere,) = [m.event_id for m in conversation.recent_messages(
        actor=safos.actor("owner"), workspace_id=other.id)]  # fmt: skip
    before = len(_events(room, "m.room.message"))
    for wrong in (elsewhere, "$finns-inte", "inte ett id"):
        refused = owner.post(f"{url}send/", {"text": "Fel svar", "in_reply_to": wrong})
        assert refused.status_code == 422, wrong
        assert "inte i det här rummet" in refused.content.decode()
        assert "Fel svar" in refused.content.decode()
    api = f"/api/v1/chat/workspaces/{workspace.id}/room/messages"
    wrong_api = owner.post(
        api, {"text": "x", "in_reply_to": elsewhere}, content_type="application/json"
    )
    assert wrong_api.status_code == 422
    assert len(_events(room, "m.room.message")) == before


def test_reactions_from_the_page_and_the_api_count_once_per_person(safos, chat):
    workspace = _workspace(safos)
    _join(safos, workspace, "editor", role="editor")
    _join(safos, workspace, "reader", role="reader")
    services.provision_workspace(workspace_id=workspace.id)
    room = ChatRoom.objects.get(workspace=workspace).room_id
    url = f"/chat/workspaces/{workspace.id}/"
    safos.client("editor").post(f"{url}send/", {"text": "Förslag: möte på tisdag"})
    (message,) = [m.event_id for m in conversation.recent_messages(
        actor=safos.actor("owner"), workspace_id=workspace.id)]  # fmt: skip

    owner = safos.client("owner")
    page = owner.get(url).content.decode()
    assert f'name="event_id" value="{message}"' in page and 'value="👍"' in page
    for _ in range(2):  # the second time is the same reaction: nothing new
        assert owner.post(f"{url}react/", {"event_id": message, "key": "👍"}).status_code == 302
    api = f"/api/v1/chat/workspaces/{workspace.id}/room/reactions"
    editor = safos.client("editor")
    given = editor.post(api, {"event_id": message, "key": "🎉"}, content_type="application/json")
    again = editor.post(api, {"event_id": message, "key": "🎉"}, content_type="application/json")
    assert (given.status_code, again.status_code) == (201, 200)
    assert given.json()["event_id"].startswith("$") and again.json()["event_id"] is None
    keys = sorted(e["content"]["m.relates_to"]["key"] for e in _events(room, "m.reaction"))
    assert keys == ["🎉", "👍"]
    shown = conversation.recent_messages(actor=safos.actor("reader"), workspace_id=workspace.id)
    assert shown[0].reactions == tuple(sorted([("👍", 1), ("🎉", 1)]))  # ties by key
    assert AuditEvent.objects.filter(action="chat.reaction_sent").count() == 2

    # refused, nothing sent: another key, a message not in the room, a reader, an outsider
    refused = {
        "key": editor.post(api, {"event_id": message, "key": "💩"}, content_type="application/json"),
        "event": editor.post(api, {"event_id": "$saknas", "key": "👍"}, content_type="application/json"),
        "reader": safos.client("reader").post(api, {"event_id": message, "key": "👍"},
                                              content_type="application/json"),
        "outsider": safos.client("outsider").post(api, {"event_id": message, "key": "👍"},
                                                  content_type="application/json"),
    }  # fmt: skip
    assert {k: r.status_code for k, r in refused.items()} == {
        "key": 422, "event": 422, "reader": 403, "outsider": 404,
    }  # fmt: skip
    assert (
        safos.client("reader").post(f"{url}react/", {"event_id": message, "key": "👍"}).status_code
        == 404
    )
    assert (
        "Välj en av de erbjudna reaktionerna"
        in owner.post(f"{url}react/", {"event_id": message, "key": "💩"}).content.decode()
    )
    assert len(_events(room, "m.reaction")) == 2
    assert AuditEvent.objects.filter(action="chat.reaction_sent").count() == 2
