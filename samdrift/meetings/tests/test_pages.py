"""The meeting pages and the meetings API without a media server (rooms are planned, ADR 0675):
who sees which room and whom at its door, starting a meeting from a workspace's page, raising a
hand, locking; bad input refused in Swedish and English with nothing changed; the meeting page's
headers let its own origin use the camera and talk to the media server, and nothing else."""

from __future__ import annotations

import json

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.meetings import services
from samdrift.meetings.models import MeetingAdmission, MeetingRoom

from .test_engine import _add, _workspace

pytestmark = pytest.mark.django_db

API = "/api/v1/meetings/rooms"


@pytest.fixture
def planned(safos, settings):
    """A workspace of agency A (owner hosts) with editor and reader of agency B; a room planned
    in it (no media server), the editor waiting in the lobby."""
    settings.MEETINGS_ENABLED = False
    workspace = _workspace(safos)
    _add(safos, workspace, "editor")
    _add(safos, workspace, "reader", role="reader")
    room = services.room_create(
        actor=safos.actor("owner"), title="Veckomöte", workspace_id=workspace.id
    )
    waiting = MeetingAdmission.objects.create(
        room=room, user=safos.users["editor"], organisation=safos.b, role="participant",
        state="waiting",
    )  # fmt: skip
    return workspace, room, waiting


def _state():
    return (
        list(MeetingRoom.objects.values_list("id", "title", "locked", "ended_at")),
        list(MeetingAdmission.objects.values_list("id", "state", "hand_raised_at")),
        AuditEvent.objects.count(),
    )


def _both(client, method, path, body=None):
    """A refused request: its status, and its message in Swedish and English (every error body
    carries both), which must really differ."""
    response = getattr(client, method)(
        path, data=json.dumps(body or {}), content_type="application/json"
    )
    answer = response.json()
    assert answer["message_sv"] != answer["message_en"], answer
    return response.status_code, answer["message_sv"], answer["message_en"]


def test_who_sees_a_room_and_whom_at_its_door(safos, planned):
    workspace, room, waiting = planned
    host = safos.client("owner").get(f"{API}/{room.id}").json()
    assert host["abilities"]["host"] and host["me"]["role"] == "host"
    assert {p["state"] for p in host["people"]} == {"admitted", "waiting"}
    # The one in the lobby sees no one; a member who has not knocked sees no one either.
    for who in ("editor", "reader"):
        seen = safos.client(who).get(f"{API}/{room.id}").json()
        assert seen["people"] == [] and not seen["abilities"]["host"], who
    assert safos.client("editor").get(f"{API}/{room.id}").json()["me"]["state"] == "waiting"
    # Admitted, the editor sees who is in, not the lobby.
    MeetingAdmission.objects.filter(id=waiting.id).update(state="admitted")
    _add(safos, workspace, "guest")
    MeetingAdmission.objects.create(
        room=room, user=safos.users["guest"], organisation=safos.g, role="participant",
        state="waiting", is_guest=True,
    )  # fmt: skip
    seen = safos.client("editor").get(f"{API}/{room.id}").json()
    assert {p["state"] for p in seen["people"]} == {"admitted"} and len(seen["people"]) == 2
    # Another agency's official: the room does not exist, on the page and in the API.
    outsider = safos.client("outsider")
    assert outsider.get(f"{API}/{room.id}").status_code == 404
    assert outsider.get(f"/meetings/{room.id}/").status_code == 404
    assert outsider.get(f"/meetings/workspace/{workspace.id}/").status_code == 404
    assert room.id not in [r["id"] for r in outsider.get(API).json()["items"]]
    assert "Veckomöte" not in outsider.get("/meetings/").content.decode()
    assert "Veckomöte" in safos.client("reader").get("/meetings/").content.decode()


def test_a_meeting_is_started_from_the_workspace_page_and_bad_input_changes_nothing(safos, planned):
    workspace, _room, _waiting = planned
    page = f"/meetings/workspace/{workspace.id}/"
    owner = safos.client("owner")
    before = _state()
    for language, words in (("sv", "Fältet är obligatoriskt"), ("en", "This field is required")):
        speaker = safos.client("owner")
        speaker.cookies["django_language"] = language
        answer = speaker.post(page, {"title": " ", "mode": "meeting"})
        assert answer.status_code == 422 and words in answer.content.decode(), language
    answer = owner.post(page, {"title": "Möte", "mode": "konferens"})
    assert answer.status_code == 422
    assert _state() == before
    # A reader may not start one: no form, and the API says why.
    assert (
        "Start a meeting"
        not in safos.client("reader").get(page, headers={"accept-language": "en"}).content.decode()
    )
    refused = _both(
        safos.client("reader"), "post", API, {"title": "Mitt", "workspace": workspace.id}
    )
    assert refused[0] == 403 and "ägare" in refused[1]
    bad = _both(
        owner, "post", API, {"title": "Möte", "workspace": workspace.id, "mode": "konferens"}
    )
    assert bad[0] == 422 and "webinar" in bad[2]
    assert _state() == before
    created = owner.post(page, {"title": "Planering", "mode": "webinar"})
    room = MeetingRoom.objects.get(title="Planering")
    assert created.status_code == 302 and created["Location"] == f"/meetings/{room.id}/"
    assert room.mode == "webinar" and room.workspace_id == workspace.id
    assert AuditEvent.objects.filter(action="meetings.room_create", object_id=str(room.id)).exists()


def test_hands_and_the_lock_through_the_api(safos, planned):
    _w, room, waiting = planned
    editor, owner = safos.client("editor"), safos.client("owner")
    before = _state()
    not_in = _both(editor, "post", f"{API}/{room.id}/hand", {"raised": True})
    assert not_in[0] == 409
    refused = _both(editor, "post", f"{API}/{room.id}/lock", {"locked": True})
    assert refused[0] == 403
    wrong = _both(
        owner, "post", f"{API}/{room.id}/admissions/{waiting.id}/mute", {"media": "smell"}
    )
    assert wrong[0] == 422
    assert _state() == before
    MeetingAdmission.objects.filter(id=waiting.id).update(state="admitted")
    raised = editor.post(f"{API}/{room.id}/hand", {"raised": True}, content_type="application/json")
    assert raised.status_code == 200 and raised.json()["hand_raised_at"]
    hands = [p for p in owner.get(f"{API}/{room.id}").json()["people"] if p["hand_raised_at"]]
    assert [p["admission"] for p in hands] == [waiting.id]
    lowered = editor.post(
        f"{API}/{room.id}/hand", {"raised": False}, content_type="application/json"
    )
    assert lowered.json()["hand_raised_at"] is None
    assert (
        owner.post(
            f"{API}/{room.id}/lock", {"locked": True}, content_type="application/json"
        ).status_code
        == 204
    )
    assert MeetingRoom.objects.get(id=room.id).locked
    actions = list(
        AuditEvent.objects.filter(action__startswith="meetings.").values_list("action", flat=True)
    )
    assert {"meetings.hand_raise", "meetings.hand_lower", "meetings.lock"} <= set(actions)


def test_only_the_meeting_page_may_use_camera_microphone_and_the_media_server(
    safos, planned, settings
):
    settings.MEETINGS_PUBLIC_URL = "https://media.samdrift.example/janus"
    _w, room, _waiting = planned
    owner = safos.client("owner")
    page = owner.get(f"/meetings/{room.id}/")
    policy = page["Permissions-Policy"]
    assert "camera=(self)" in policy and "microphone=(self)" in policy
    assert "display-capture=(self)" in policy and "geolocation=()" in policy
    csp = page["Content-Security-Policy"]
    connect = next(d for d in csp.split(";") if d.strip().startswith("connect-src"))
    assert "https://media.samdrift.example" in connect and "/janus" not in connect
    other = owner.get("/meetings/")
    assert "camera=()" in other["Permissions-Policy"]
    assert "media.samdrift.example" not in other["Content-Security-Policy"]


def test_a_scheduled_meeting_is_an_event_in_the_workspace_calendar(safos, planned):
    from samdrift.calendars.models import Calendar, CalendarObject

    workspace, _room, _waiting = planned
    owner = safos.client("owner")
    page = f"/meetings/workspace/{workspace.id}/"
    before = (_state(), CalendarObject.objects.count())
    # A start without an end, or an end before the start: refused, nothing made anywhere.
    for bad in (
        {"starts": "2030-03-04T10:00"},
        {"starts": "2030-03-04T10:00", "ends": "2030-03-04T09:00"},
    ):
        answer = owner.post(page, {"title": "Planering", "mode": "meeting", **bad})
        assert answer.status_code == 422 and "start" in answer.content.decode().lower()
    wrong = _both(owner, "post", API, {"title": "Planering", "organisation": safos.a.id,
                                       "starts": "2030-03-04T10:00:00+01:00", "ends": "2030-03-04T11:00:00+01:00"})  # fmt: skip
    assert wrong[0] == 422
    assert (_state(), CalendarObject.objects.count()) == before
    created = owner.post(
        page,
        {
            "title": "Planering",
            "mode": "meeting",
            "starts": "2030-03-04T10:00",
            "ends": "2030-03-04T11:30",
        },
    )
    room = MeetingRoom.objects.get(title="Planering")
    assert created.status_code == 302
    event = room.event
    calendar = Calendar.objects.get(workspace=workspace)
    assert event.calendar_id == calendar.id and event.summary == "Planering"
    address = f"/meetings/{room.id}/"
    assert address in event.text and "LOCATION" in event.text
    # Every member sees when it is, in the room's page, the API and the list.
    body = safos.client("reader").get(f"{API}/{room.id}").json()
    assert body["starts"].startswith("2030-03-04T09:00") and body["ends"].startswith(
        "2030-03-04T10:30"
    )
    listed = safos.client("reader").get(page).content.decode()
    row = listed.split("Planering</a>")[1].split("</tr>")[0]
    assert "2030" in row and "Nu (startat" not in row
    # The calendar's own API lists the meeting as an event with its place.
    events = owner.get(
        f"/api/v1/calendars/{calendar.id}/events?start=2030-03-01&end=2030-03-08"
    ).json()
    [item] = [e for e in events["items"] if e["summary"] == "Planering"]
    assert address in item["location"]


def test_the_calendars_event_form_holds_the_event_as_a_video_meeting(safos, planned):
    """ADR 0649: the workspace calendar's own event form offers the meeting to those who start
    meetings there; ticked, the event and its room are made together (a place typed in the form
    stays the place, the room's address goes into the description); a refused event makes no
    room; unticked, or on a personal calendar, it is a plain event."""
    from samdrift.calendars.models import Calendar, CalendarObject
    from samdrift.calendars.services import ensure_calendars

    workspace, _room, _waiting = planned
    for name in ("owner", "reader"):
        ensure_calendars(actor=safos.actor(name))
    shared = Calendar.objects.get(workspace=workspace)
    personal = Calendar.objects.get(owner=safos.users["owner"], workspace__isnull=True)
    owner = safos.client("owner")
    box = 'name="addon_meeting"'
    assert box in owner.get(f"/calendars/{shared.id}/").content.decode()
    assert box not in owner.get(f"/calendars/{personal.id}/").content.decode()
    assert box not in safos.client("reader").get(f"/calendars/{shared.id}/").content.decode()

    form = {"summary": "Styrgrupp", "start": "2030-05-06T13:00", "end": "2030-05-06T14:00"}
    before = (_state(), CalendarObject.objects.count())
    refused = owner.post(f"/calendars/{shared.id}/", {**form, "end": "2030-05-06T12:00",
                                                        "addon_meeting": "on"})  # fmt: skip
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.content.decode()
    assert (_state(), CalendarObject.objects.count()) == before

    made = owner.post(f"/calendars/{shared.id}/", {**form, "location": "Sal 3",
                                                     "addon_meeting": "on"})  # fmt: skip
    assert made.status_code == 302
    room = MeetingRoom.objects.get(title="Styrgrupp")
    assert room.workspace_id == workspace.id and room.event.calendar_id == shared.id
    assert "LOCATION:Sal 3" in room.event.text.replace("\r\n ", "")
    assert f"/meetings/{room.id}/" in room.event.text.replace("\r\n ", "")
    assert AuditEvent.objects.filter(action="meetings.room_create", object_id=str(room.id)).exists()
    page = owner.get(made["Location"]).content.decode()
    assert "videomötesrum" in page  # the message, in Swedish

    owner.post(f"/calendars/{shared.id}/", {**form, "summary": "Bara händelse"})
    assert not MeetingRoom.objects.filter(title="Bara händelse").exists()
    assert CalendarObject.objects.filter(summary="Bara händelse").count() == 1
