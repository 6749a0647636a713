"""Malformed signalling (issue 14, "bad input that must get a clear answer and change nothing"),
against the REAL Janus. A browser signals to Janus directly with the token samdrift issued
(ADR 0677): what it may send wrong is Janus's to refuse, so this checks that Janus answers each
kind of garbage with an error and that the room, its participants and samdrift's own record of
the meeting are as they were; and that samdrift's own meeting API refuses a malformed body."""

from __future__ import annotations

import pytest
import requests

from samdrift.meetings import janus, services

from .conftest import Browser
from .test_engine import _room, _state

pytestmark = [pytest.mark.django_db, pytest.mark.engine]


def _in_room(room) -> list[str]:
    return sorted(str(p["id"]) for p in janus.Client().participants(room.janus_room))


def _answered(url: str, browser: Browser, session: int, handle: int, body: dict) -> dict:
    """Janus's answer to a plug-in message: at once, or (after an `ack`) the event for that very
    transaction, fetched by long poll as a browser does."""
    answer = browser.send(f"/{session}/{handle}", body)
    if answer["janus"] != "ack":
        return answer
    for _ in range(10):
        polled = requests.get(
            f"{url}/{session}", params={"maxev": 1, "token": browser.token}, timeout=35
        ).json()
        if polled.get("transaction") == answer["transaction"]:
            return polled
    raise AssertionError(f"no answer to {body}")


def test_malformed_signalling_is_refused_by_janus_and_changes_nothing(safos, meetings):
    _w, room = _room(safos)
    host = services.meeting_join(actor=safos.actor("owner"), room_id=room.id)
    browser = Browser(meetings, host.token)
    joined = browser.join(room.janus_room, host.participant_id)
    assert joined["plugindata"]["data"]["videoroom"] == "joined", joined
    session, handle = browser.last
    before = (_in_room(room), _state())

    not_json = requests.post(f"{meetings}/{session}/{handle}", data=b"{not json", timeout=10).json()
    assert not_json["janus"] == "error" and not_json["error"]["code"] == 454  # invalid JSON
    for body, why in (
        ({"janus": "nonsense"}, "unknown request"),
        ({"janus": "message"}, "a message without a body"),
        ({"janus": "message", "body": "join"}, "a body that is no object"),
    ):
        answer = browser.send(f"/{session}/{handle}", body)
        assert answer["janus"] == "error", (why, answer)
    for body, why in (
        ({"request": "no-such-request"}, "an unknown plug-in request"),
        ({"request": "join", "ptype": "publisher", "room": 12345}, "a room id of the wrong type"),
        ({"request": "configure", "bitrate": "fast"}, "a parameter of the wrong type"),
    ):
        answer = _answered(meetings, browser, session, handle, {"janus": "message", "body": body})
        assert answer["plugindata"]["data"]["error_code"], (why, answer)
    broken_sdp = browser.send(
        f"/{session}/{handle}",
        {
            "janus": "message",
            "body": {"request": "configure", "audio": True, "video": True},
            "jsep": {"type": "offer", "sdp": "v=0\r\nthis is no session description\r\n"},
        },
    )
    assert broken_sdp["janus"] == "error" and broken_sdp["error"]["code"] == 465, broken_sdp

    # Another handle of the same session that tries to take the host's id in the room is refused.
    attached = browser.send(f"/{session}", {"janus": "attach", "plugin": "janus.plugin.videoroom"})
    twin = _answered(
        meetings, browser, session, attached["data"]["id"],
        {"janus": "message", "body": {"request": "join", "ptype": "publisher",
                                      "room": room.janus_room, "id": host.participant_id,
                                      "token": host.token}},
    )  # fmt: skip
    assert twin["plugindata"]["data"]["error_code"], twin

    assert (_in_room(room), _state()) == before  # the room and samdrift's record: unchanged
    assert browser.session()["janus"] == "success"  # and the token still works


def test_samdrifts_meeting_api_refuses_a_malformed_body_and_changes_nothing(safos, meetings):
    """A body that is no JSON object: `[]` once locked the room (ninja read it as `{}`)."""
    _w, room = _room(safos)
    before = _state()
    client = safos.client("owner")
    client.cookies["django_language"] = "en"
    for path, body, status in (
        ("lock", b"{not json", 400),
        ("lock", b'{"locked": "perhaps"}', 422),
        ("lock", b"[]", 422),
        ("hand", b"[1, 2]", 422),
    ):
        answer = client.post(
            f"/api/v1/meetings/rooms/{room.id}/{path}", body, content_type="application/json"
        )
        assert answer.status_code == status, (path, body, answer.status_code)
        assert answer.json()["message_sv"] and answer.json()["message_en"], answer.json()
    room.refresh_from_db()
    assert not room.locked and _state() == before
