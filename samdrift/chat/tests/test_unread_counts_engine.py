"""Unread counts outside the room's page, and the read marker moved through the API (issue 13
item 4), against a REAL Synapse (conftest.py): the workspace list and the workspace's page say
how many messages others wrote since the member last read the room, from the read marker in the
homeserver (the one Element moves too); reading the room's page, or the API's `room/read`, moves
it. One request to the homeserver for the whole list; none when chat is off; a homeserver that
does not answer leaves the pages standing. Nothing of Synapse is mocked (a spy only counts the
real requests made)."""

from __future__ import annotations

import logging
import re

import pytest

from samdrift.chat import conversation, matrix, services
from samdrift.chat.models import ChatRoom

from .test_engine import _join, _mxid, _room_with_an_editor, _workspace

pytestmark = [pytest.mark.engine, pytest.mark.django_db]

LIST = "/collaboration/"


def _client(safos, name: str, language: str = "en"):
    client = safos.client(name)
    client.cookies["django_language"] = language
    return client


def _api(workspace) -> str:
    return f"/api/v1/chat/workspaces/{workspace.id}/room"


def _unread(client, workspace) -> int | None:
    answer = client.get(_api(workspace))
    assert answer.status_code == 200
    return answer.json()["unread"]


def _counts(client, path: str = LIST) -> list[str]:
    """The unread counts the page shows, as words."""
    page = client.get(path).content.decode()
    return re.findall(r"\d+ (?:unread|olästa?)<", page)


def _marker(safos, room: str, who: str = "owner") -> str | None:
    return matrix.Client().read_marker(room, as_user=_mxid(safos, who))


def _homeserver_requests(monkeypatch) -> list[str]:
    """The paths of the requests chat's client makes from now on (made as before: a spy)."""
    made: list[str] = []
    real = matrix.Client.call

    def counted(self, method, path, *args, **kwargs):
        made.append(path)
        return real(self, method, path, *args, **kwargs)

    monkeypatch.setattr(matrix.Client, "call", counted)
    return made


def test_another_members_message_is_counted_on_the_workspace_pages_until_the_room_is_read(
    safos, chat
):
    workspace, _room, url = _room_with_an_editor(safos)
    owner, editor = _client(safos, "owner"), _client(safos, "editor")
    assert _counts(owner) == []  # nothing written yet

    editor.post(f"{url}send/", {"text": "Dagordningen är ute"})
    owner.post(f"{url}send/", {"text": "Tack"})  # one's own message is never unread
    page = owner.get(LIST).content.decode()
    # as words, a link to the conversation, its context for a screen reader
    assert (
        f'<a class="badge chat-unread" href="/chat/workspaces/{workspace.id}/#conversation">'
        '1 unread<span class="visually-hidden"> in the chat</span></a>'
    ) in page
    detail = owner.get(f"/collaboration/{workspace.id}/").content.decode()
    assert (
        f'<a href="/chat/workspaces/{workspace.id}/">Chat <span class="badge chat-unread">'
        "1 unread</span></a>"
    ) in detail
    swedish = _client(safos, "owner", "sv")
    assert "1 oläst<" in swedish.get(LIST).content.decode()
    assert _unread(owner, workspace) == 1
    # for the editor, what the owner wrote is unread, not their own message
    assert _counts(editor) == ["1 unread<"]
    assert _unread(editor, workspace) == 1

    editor.post(f"{url}send/", {"text": "Och protokollet"})
    assert "2 olästa<" in swedish.get(LIST).content.decode()

    # the room's page shows the messages: read, on the workspace pages at once
    assert owner.get(url).status_code == 200
    assert _counts(owner) == []
    assert _counts(owner, f"/collaboration/{workspace.id}/") == []
    assert _unread(owner, workspace) == 0
    editor.post(f"{url}send/", {"text": "Ett tillägg"})
    assert "1 unread<" in owner.get(LIST).content.decode()


def test_the_list_asks_the_homeserver_once_for_every_room(safos, chat, monkeypatch):
    first, _room, first_url = _room_with_an_editor(safos)
    second, _room2, second_url = _room_with_an_editor(safos)
    without_room = _workspace(safos)  # chat does not know it: not asked about
    editor = _client(safos, "editor")
    editor.post(f"{first_url}send/", {"text": "Ett"})
    for text in ("Två", "Tre"):
        editor.post(f"{second_url}send/", {"text": text})
    owner = _client(safos, "owner")

    made = _homeserver_requests(monkeypatch)
    page = owner.get(LIST).content.decode()
    assert made == ["/sync"]
    assert f'href="/chat/workspaces/{first.id}/#conversation">1 unread<' in page
    assert f'href="/chat/workspaces/{second.id}/#conversation">2 unread<' in page
    assert f"/chat/workspaces/{without_room.id}/#conversation" not in page
    counts = conversation.unread_counts(
        actor=safos.actor("owner"), workspaces=[first, second, without_room]
    )
    assert counts == {first.id: 1, second.id: 2}
    # a reader is in the room too, and reads what others wrote
    _join(safos, first, "reader", role="reader")
    services.provision_workspace(workspace_id=first.id)
    assert conversation.unread_counts(actor=safos.actor("reader"), workspaces=[first]) == {
        first.id: 1
    }


def test_the_api_moves_the_read_marker_and_refuses_an_event_not_in_the_room(safos, chat):
    workspace, room, url = _room_with_an_editor(safos)
    other, _other_room, other_url = _room_with_an_editor(safos)
    owner, editor = _client(safos, "owner"), _client(safos, "editor")
    for text in ("Först", "Sedan"):
        editor.post(f"{url}send/", {"text": text})
    editor.post(f"{other_url}send/", {"text": "I ett annat rum"})
    first, second = [
        m.event_id
        for m in conversation.recent_messages(actor=safos.actor("owner"), workspace_id=workspace.id)
    ]
    (elsewhere,) = [
        m.event_id
        for m in conversation.recent_messages(actor=safos.actor("owner"), workspace_id=other.id)
    ]
    assert _unread(owner, workspace) == 2 and _marker(safos, room) is None
    read = f"{_api(workspace)}/read"

    # an unknown event, another room's, and no event id at all: refused, nothing moved
    for bogus in ("$intehär", "$" + "x" * 40, elsewhere, "not-an-event", ""):
        refused = owner.post(read, {"event_id": bogus}, content_type="application/json")
        assert refused.status_code == 422, bogus
        body = refused.json()
        assert (
            body["message_en"] == "That message is not in this room: the read marker was not moved."
        )
        assert (
            body["message_sv"]
            == "Meddelandet finns inte i det här rummet: läsmarkören flyttades inte."
        )
        assert body["errors"]["event_id"]
    assert _marker(safos, room) is None and _unread(owner, workspace) == 2
    assert _unread(owner, other) == 1  # the other room's message stays unread as well

    # up to the first message: one is left
    moved = owner.post(read, {"event_id": first}, content_type="application/json")
    assert moved.status_code == 204 and moved.content == b""
    assert _marker(safos, room) == first and _unread(owner, workspace) == 1
    assert "1 unread<" in owner.get(LIST).content.decode()
    # without a body, up to the newest: none left, in the homeserver, for every Matrix program
    assert owner.post(read, content_type="application/json").status_code == 204
    assert _marker(safos, room) == second and _unread(owner, workspace) == 0
    assert [m.new for m in conversation.recent_messages(
        actor=safos.actor("owner"), workspace_id=workspace.id)] == [False, False]  # fmt: skip
    assert _unread(owner, other) == 1  # only that room was marked read

    # the marker is the caller's own: the editor's is untouched by the owner's reading
    assert _marker(safos, room, "editor") is None
    # someone who sees the workspace without being in its chat (the security role)
    security = _client(safos, "security")
    answer = security.post(read, content_type="application/json")
    assert answer.status_code == 403
    assert answer.json()["message_en"] == "Only the workspace's members are in its chat."
    assert _unread(security, workspace) is None


def test_an_agency_without_access_sees_no_count_and_gets_404(safos, chat):
    workspace, room, url = _room_with_an_editor(safos)
    _client(safos, "editor").post(f"{url}send/", {"text": "Bara för medlemmar"})
    outsider = _client(safos, "outsider")
    assert _counts(outsider) == []
    assert outsider.get(f"/collaboration/{workspace.id}/").status_code == 404
    for path in (_api(workspace), "/api/v1/chat/workspaces/987654/room"):
        assert outsider.get(path).status_code == 404
    for path in (f"{_api(workspace)}/read", "/api/v1/chat/workspaces/987654/room/read"):
        answer = outsider.post(path, content_type="application/json")
        assert answer.status_code == 404
    assert _marker(safos, room) is None
    assert conversation.unread_counts(actor=safos.actor("outsider"), workspaces=[workspace]) == {}
    # the owner agency's security role sees the workspace, not its chat: no count either
    security = _client(safos, "security")
    assert "Samverkan om bidrag" in security.get(LIST).content.decode()
    assert _counts(security) == []
    assert _counts(security, f"/collaboration/{workspace.id}/") == []


def test_chat_off_asks_nothing_and_refuses_the_read_with_503(safos, chat, settings, monkeypatch):
    workspace, room, url = _room_with_an_editor(safos)
    _client(safos, "editor").post(f"{url}send/", {"text": "Innan chatten stängdes av"})
    settings.CHAT_ENABLED = False
    owner = _client(safos, "owner")

    made = _homeserver_requests(monkeypatch)
    assert _counts(owner) == []
    assert _counts(owner, f"/collaboration/{workspace.id}/") == []
    assert _unread(owner, workspace) is None
    answer = owner.post(f"{_api(workspace)}/read", content_type="application/json")
    assert answer.status_code == 503
    assert answer.json()["message_en"] and answer.json()["message_sv"]
    assert made == []
    assert _marker(safos, room) is None


def test_a_homeserver_that_does_not_answer_leaves_the_workspace_pages_standing(
    safos, chat, settings, caplog
):
    workspace, _room, url = _room_with_an_editor(safos)
    _client(safos, "editor").post(f"{url}send/", {"text": "Hej"})
    owner = _client(safos, "owner")
    assert "1 unread<" in owner.get(LIST).content.decode()

    settings.CHAT_HOMESERVER_URL = "http://127.0.0.1:9"  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="samdrift.chat.conversation"):
        listed = owner.get(LIST)
        shown = owner.get(f"/collaboration/{workspace.id}/")
    assert listed.status_code == 200 and shown.status_code == 200
    assert "Samverkan om bidrag" in listed.content.decode()
    assert re.findall(r"\d+ unread<", listed.content.decode() + shown.content.decode()) == []
    assert any("chat unread counts" in r.getMessage() for r in caplog.records)
    assert _unread(owner, workspace) is None
    answer = owner.post(f"{_api(workspace)}/read", content_type="application/json")
    assert answer.status_code == 503
    assert ChatRoom.objects.filter(workspace=workspace).exists()
