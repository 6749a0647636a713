"""A token ahead of the join click (ADR 0662), against the REAL Janus: someone already let in
gets a token Janus accepts when the page opens; the click's join claims that very token (no
second one reaches Janus) and is audited as the join; nobody else is given anything or put in
the lobby; a removal or the end revokes a token issued ahead like any other."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from samdrift.audit.models import AuditEvent
from samdrift.meetings import janus, services
from samdrift.meetings.choices import State
from samdrift.meetings.models import MeetingAdmission, MeetingCredential

from .conftest import Browser
from .test_broadcast import _viewer, _webinar
from .test_engine import _admitted, _room, _state

pytestmark = [pytest.mark.django_db, pytest.mark.engine]


def test_the_host_gets_a_token_ahead_and_the_click_claims_that_very_token(safos, meetings):
    _w, room = _room(safos)
    ready = services.meeting_ready(actor=safos.actor("owner"), room_id=room.id)
    assert ready is not None and ready.state == State.ADMITTED and ready.token
    ahead = MeetingCredential.objects.get(token=ready.token)
    assert ahead.joined_at is None
    issued = AuditEvent.objects.get(action="meetings.ready", object_id=str(ready.admission.id))
    assert issued.after["credential"] == ahead.id
    assert not AuditEvent.objects.filter(action="meetings.join").exists()
    answer = Browser(meetings, ready.token).join(room.janus_room, ready.participant_id)
    assert answer["plugindata"]["data"]["videoroom"] == "joined", answer  # Janus takes it

    tokens = sorted(janus.Client().list_tokens())
    joined = services.meeting_join(actor=safos.actor("owner"), room_id=room.id)
    assert joined.token == ready.token and joined.expires_at == ready.expires_at
    assert sorted(janus.Client().list_tokens()) == tokens  # nothing new reached Janus
    ahead.refresh_from_db()
    assert ahead.joined_at is not None
    record = AuditEvent.objects.get(action="meetings.join", object_id=str(joined.admission.id))
    assert record.after["credential"] == ahead.id
    # Claimed once: the next join (the page's refresh) is a fresh token, as before.
    again = services.meeting_join(actor=safos.actor("owner"), room_id=room.id)
    assert again.token and again.token != ready.token


def test_opening_the_page_twice_reuses_the_unclaimed_token(safos, meetings):
    _w, room = _room(safos)
    first = services.meeting_ready(actor=safos.actor("owner"), room_id=room.id)
    second = services.meeting_ready(actor=safos.actor("owner"), room_id=room.id)
    assert first is not None and second is not None and first.token == second.token
    assert MeetingCredential.objects.count() == 1


def test_no_one_not_yet_let_in_gets_a_token_or_is_put_in_the_lobby(safos, meetings):
    _w, room = _room(safos)
    before = _state()
    assert services.meeting_ready(actor=safos.actor("editor"), room_id=room.id) is None
    assert _state() == before  # no admission (no knock), no token, no audit
    waiting = services.meeting_join(actor=safos.actor("editor"), room_id=room.id)
    assert waiting.state == State.WAITING
    before = _state()
    assert services.meeting_ready(actor=safos.actor("editor"), room_id=room.id) is None
    assert _state() == before
    services.lobby_refuse(
        actor=safos.actor("owner"), room_id=room.id, admission_id=waiting.admission.id
    )
    assert services.meeting_ready(actor=safos.actor("editor"), room_id=room.id) is None
    _w2, webinar = _webinar(safos)
    _viewer(safos, webinar)  # a viewer watches the broadcast: no Janus token, ahead or not
    assert services.meeting_ready(actor=safos.actor("reader"), room_id=webinar.id) is None


def test_a_removal_revokes_a_token_issued_ahead_in_janus(safos, meetings):
    _w, room = _room(safos)
    joined = _admitted(safos, room, "editor")
    services.participant_remove(
        actor=safos.actor("owner"), room_id=room.id, admission_id=joined.admission.id
    )
    assert services.meeting_ready(actor=safos.actor("editor"), room_id=room.id) is None
    _w2, other = _room(safos)
    other_joined = _admitted(safos, other, "editor")
    ready = services.meeting_ready(actor=safos.actor("editor"), room_id=other.id)
    assert ready is not None and ready.token != other_joined.token
    services.participant_remove(
        actor=safos.actor("owner"), room_id=other.id, admission_id=ready.admission.id
    )
    assert ready.token not in janus.Client().list_tokens()
    assert Browser(meetings, ready.token).session()["error"]["code"] == 403


def test_the_end_revokes_it_and_an_ended_room_gives_nothing(safos, meetings):
    _w, room = _room(safos)
    ready = services.meeting_ready(actor=safos.actor("owner"), room_id=room.id)
    assert ready is not None
    services.room_end(actor=safos.actor("owner"), room_id=room.id)
    assert ready.token not in janus.Client().list_tokens()
    assert services.meeting_ready(actor=safos.actor("owner"), room_id=room.id) is None


def test_a_token_too_near_its_end_is_not_claimed_and_the_join_issues_a_new_one(safos, meetings):
    _w, room = _room(safos)
    ready = services.meeting_ready(actor=safos.actor("owner"), room_id=room.id)
    assert ready is not None
    MeetingCredential.objects.filter(token=ready.token).update(
        expires_at=timezone.now() + timedelta(seconds=20)
    )
    joined = services.meeting_join(actor=safos.actor("owner"), room_id=room.id)
    assert joined.token and joined.token != ready.token
    assert MeetingCredential.objects.get(token=ready.token).joined_at is None  # left to expire


def test_the_api_gives_the_token_ahead_or_204_and_hides_other_agencies_rooms(safos, meetings):
    _w, room = _room(safos)
    answer = safos.client("owner").post(
        f"/api/v1/meetings/rooms/{room.id}/ready", content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["state"] == "admitted" and body["token"] and body["janus_room"] == room.janus_room
    joined = safos.client("owner").post(
        f"/api/v1/meetings/rooms/{room.id}/join", content_type="application/json"
    )
    assert joined.json()["token"] == body["token"]

    before = _state()
    answer = safos.client("editor").post(
        f"/api/v1/meetings/rooms/{room.id}/ready", content_type="application/json"
    )
    assert answer.status_code == 204 and answer.content == b""
    assert _state() == before
    internal = services.room_create(
        actor=safos.actor("owner"), title="Internt", organisation_id=safos.a.id, classification=3
    )
    before = _state()
    hidden = safos.client("editor").post(
        f"/api/v1/meetings/rooms/{internal.id}/ready", content_type="application/json"
    )
    assert hidden.status_code == 404
    assert _state() == before
    assert MeetingAdmission.objects.filter(room=internal).count() == 1  # the host's own
