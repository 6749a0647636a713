"""A webinar's broadcast against the REAL Janus and a real ffmpeg (ADR 0970): a viewer gets no
media-server token; only the host broadcasts, and only someone who publishes; the broadcast's
files reach the room's admitted people only, by their exact names; ending the webinar stops
ffmpeg. Every refusal is explained in both languages and changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import BusinessRuleViolation, PermissionDenied
from samdrift.meetings import broadcast, hls, services
from samdrift.meetings.choices import Role, State
from samdrift.meetings.models import MeetingCredential, MeetingRoom

from .test_engine import _add, _refusal, _room, _state

pytestmark = [pytest.mark.django_db, pytest.mark.engine]


def _viewer(safos, room):
    waiting = services.meeting_join(actor=safos.actor("reader"), room_id=room.id)
    assert waiting.state == State.WAITING
    services.lobby_admit(
        actor=safos.actor("owner"), room_id=room.id, admission_id=waiting.admission.id
    )
    return services.meeting_join(actor=safos.actor("reader"), room_id=room.id)


def _webinar(safos):
    workspace, room = _room(safos, mode="webinar")
    _add(safos, workspace, "reader", role="reader")
    return workspace, room


def test_a_webinar_viewer_gets_no_media_server_token(safos, meetings):
    _w, room = _webinar(safos)
    joined = _viewer(safos, room)
    assert joined.state == State.ADMITTED and joined.watch_only
    assert joined.admission.role == Role.VIEWER
    assert joined.token == "" and joined.ice_servers == []
    assert not MeetingCredential.objects.filter(admission=joined.admission).exists()
    record = AuditEvent.objects.get(action="meetings.join", object_id=str(joined.admission.id))
    assert record.after["credential"] is None
    answer = safos.client("reader").post(
        f"/api/v1/meetings/rooms/{room.id}/join", content_type="application/json"
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["watch_only"] is True and body["token"] == "" and body["janus_room"] == ""


def test_a_presenter_still_gets_a_token_and_the_host_may_broadcast(safos, meetings):
    _w, room = _webinar(safos)
    waiting = services.meeting_join(actor=safos.actor("editor"), room_id=room.id)
    services.lobby_admit(
        actor=safos.actor("owner"), room_id=room.id, admission_id=waiting.admission.id
    )
    joined = services.meeting_join(actor=safos.actor("editor"), room_id=room.id)
    assert joined.admission.role == Role.PRESENTER and joined.token and not joined.watch_only
    detail = safos.client("owner").get(f"/api/v1/meetings/rooms/{room.id}").json()
    assert detail["abilities"]["broadcast"] is True
    assert detail["broadcast"] == {"live": False, "feed": "", "since": None, "playlist": ""}


def test_broadcasting_someone_who_publishes_nothing_is_refused_and_starts_nothing(safos, meetings):
    _w, room = _webinar(safos)
    before = _state()
    with pytest.raises(BusinessRuleViolation) as nothing:
        broadcast.broadcast_start(actor=safos.actor("owner"), room_id=room.id)
    assert nothing.value.code == "not_publishing"
    assert "video" in _refusal(nothing.value)["en"]
    viewer = _viewer(safos, room)
    before = _state()
    with pytest.raises(BusinessRuleViolation) as not_presenter:
        broadcast.broadcast_start(
            actor=safos.actor("owner"), room_id=room.id, admission_id=viewer.admission.id
        )
    assert not_presenter.value.code == "not_presenter"
    _refusal(not_presenter.value)
    with pytest.raises(BusinessRuleViolation) as idle:
        broadcast.broadcast_stop(actor=safos.actor("owner"), room_id=room.id)
    assert idle.value.code == "not_broadcasting"
    _refusal(idle.value)
    assert _state() == before
    assert not hls.folder(room.janus_room).exists()
    assert MeetingRoom.objects.get(id=room.id).broadcast_started_at is None


def test_only_the_host_of_a_webinar_broadcasts(safos, meetings):
    _w, meeting = _room(safos)
    before = _state()
    with pytest.raises(PermissionDenied):  # a meeting is no webinar
        broadcast.broadcast_start(actor=safos.actor("owner"), room_id=meeting.id)
    answer = safos.client("owner").post(
        f"/api/v1/meetings/rooms/{meeting.id}/broadcast", {}, content_type="application/json"
    )
    assert answer.status_code == 403
    _w2, webinar = _webinar(safos)
    before = _state()
    for who in ("editor", "reader"):  # a presenter and a viewer of the webinar
        answer = safos.client(who).post(
            f"/api/v1/meetings/rooms/{webinar.id}/broadcast/stop", content_type="application/json"
        )
        assert answer.status_code == 403, who
    assert _state() == before


def _on_air(room: MeetingRoom) -> MeetingRoom:
    """A real ffmpeg listening for the room's video, and the room marked as broadcast (what
    `broadcast_start` leaves once Janus forwards; the browser test covers Janus's part)."""
    hls.start(room.janus_room, {"video"})
    MeetingRoom.objects.filter(id=room.id).update(
        broadcast_feed="a1", broadcast_started_at=room.created_at
    )
    return MeetingRoom.objects.get(id=room.id)


def _segment_address(playlist: str) -> str:
    return next(line for line in playlist.splitlines() if line.startswith("seg7.ts?"))


def _query(address: str) -> dict[str, str]:
    return dict(part.split("=") for part in address.split("?")[1].split("&"))


def _files(room: MeetingRoom) -> None:
    folder = hls.folder(room.janus_room)
    (folder / "index.m3u8").write_text("#EXTM3U\n#EXT-X-TARGETDURATION:2\nseg7.ts\n")
    (folder / "seg7.ts").write_bytes(b"\x47" * 188)


def _playlist_address(client, room: MeetingRoom) -> str:
    return client.get(f"/api/v1/meetings/rooms/{room.id}").json()["broadcast"]["playlist"]


def test_the_broadcast_reaches_the_rooms_admitted_people_only(safos, meetings):
    _w, room = _webinar(safos)
    viewer_admission = _viewer(safos, room).admission
    room = _on_air(room)
    try:
        _files(room)
        base = f"/meetings/{room.id}/broadcast"
        viewer = safos.client("reader")
        address = _playlist_address(viewer, room)
        assert address.startswith(f"{base}/index.m3u8?u={safos.users['reader'].id}&e=")
        # The signed address is the credential: no session is needed (the player's requests
        # carry it) or read.
        playlist = Client().get(address)
        assert playlist.status_code == 200
        assert playlist["Content-Type"] == "application/vnd.apple.mpegurl"
        assert playlist["Cache-Control"] == "private, no-store"
        text = playlist.content.decode()
        assert text.startswith("#EXTM3U\n#EXT-X-TARGETDURATION:2\n")
        segment_address = _segment_address(text)
        segment = Client().get(f"{base}/{segment_address}")
        assert segment.status_code == 200 and segment["Content-Type"] == "video/mp2t"
        assert segment.content == b"\x47" * 188
        # Nothing else opens either: unsigned, forged, another person's, expired, another
        # file's or another room's signature, or a file that is not a segment.
        for name, signed in (("index.m3u8", _query(address)), ("seg7.ts", _query(segment_address))):
            for query in (
                {},
                {**signed, "s": "0" * 40},
                {**signed, "u": str(safos.users["editor"].id)},
                {**signed, "e": "1000"},
                {**signed, "e": "9" * 12},
            ):
                assert viewer.get(f"{base}/{name}", query).status_code == 404, (name, query)
            assert (
                viewer.get(f"/meetings/{room.id + 1}/broadcast/{name}", signed).status_code == 404
            )
        assert Client().get(f"{base}/seg7.ts", _query(address)).status_code == 404
        assert Client().get(f"{base}/index.m3u8", _query(segment_address)).status_code == 404
        for name in ("seg8.ts", "ffmpeg.out", "stream.sdp", "..%2Fjanus.jcfg"):
            assert Client().get(f"{base}/{name}", _query(segment_address)).status_code == 404
        # A member not let in and someone of another agency get no address.
        assert _playlist_address(safos.client("editor"), room) == ""
        outsider = safos.client("outsider").get(f"/api/v1/meetings/rooms/{room.id}")
        assert outsider.status_code == 404
        # Removed: their address opens nothing more, so no new segment is signed for them.
        services.participant_remove(
            actor=safos.actor("owner"), room_id=room.id, admission_id=viewer_admission.id
        )
        assert Client().get(address).status_code == 404
    finally:
        hls.stop(room.janus_room)


def test_the_addresses_die_with_the_broadcast(safos, meetings):
    _w, room = _webinar(safos)
    _viewer(safos, room)
    room = _on_air(room)
    _files(room)
    address = _playlist_address(safos.client("reader"), room)
    segment = (
        f"/meetings/{room.id}/broadcast/{_segment_address(Client().get(address).content.decode())}"
    )
    assert Client().get(segment).status_code == 200
    services.room_end(actor=safos.actor("owner"), room_id=room.id)
    assert Client().get(address).status_code == 404
    assert Client().get(segment).status_code == 404


def test_ending_the_webinar_stops_its_broadcast(safos, meetings):
    _w, room = _webinar(safos)
    room = _on_air(room)
    assert hls.running(room.janus_room)
    out = StringIO()
    call_command("meetings", "rooms", stdout=out)
    assert f"{room.janus_room}\tclass 1\twebinar\topen, broadcasting" in out.getvalue()
    call_command("meetings", "who", str(room.id), stdout=out)
    assert "broadcast / sändning: a1 since " in out.getvalue()
    assert "ffmpeg running" in out.getvalue()
    services.room_end(actor=safos.actor("owner"), room_id=room.id)
    assert not hls.running(room.janus_room)
    assert not hls.folder(room.janus_room).exists()
    ended = MeetingRoom.objects.get(id=room.id)
    assert ended.broadcast_started_at is None and ended.broadcast_feed == ""


def test_the_packager_gets_a_description_of_exactly_the_forwarded_streams():
    text = hls.sdp({"audio": 50000, "video": 50002})
    assert "m=audio 50000 RTP/AVP 111" in text and "a=rtpmap:111 opus/48000/2" in text
    assert "m=video 50002 RTP/AVP 96" in text and "a=rtpmap:96 VP8/90000" in text
    assert "c=IN IP4 127.0.0.1" in text  # loopback only
    with pytest.raises(ValueError):
        hls.folder("../../etc")
    assert hls.file_path("sd-" + "0" * 32, "../janus.jcfg") is None


def test_a_viewer_sees_who_presents_not_the_other_viewers(safos, meetings):
    workspace, room = _webinar(safos)
    _add(safos, workspace, "guest", role="reader")
    _viewer(safos, room)
    for who in ("editor", "guest"):
        waiting = services.meeting_join(actor=safos.actor(who), room_id=room.id)
        services.lobby_admit(
            actor=safos.actor("owner"), room_id=room.id, admission_id=waiting.admission.id
        )

    def names(who):
        detail = safos.client(who).get(f"/api/v1/meetings/rooms/{room.id}").json()
        return sorted((p["participant_id"], p["role"]) for p in detail["people"])

    everyone = names("owner")
    assert sorted(role for _pid, role in everyone) == ["host", "presenter", "viewer", "viewer"]
    for viewer in ("reader", "guest"):
        mine = safos.client(viewer).get(f"/api/v1/meetings/rooms/{room.id}").json()["me"]
        expected = [p for p in everyone if p[1] != "viewer" or p[0] == mine["participant_id"]]
        assert names(viewer) == expected, viewer
    assert names("editor") == everyone  # a presenter sees the audience


def test_every_broadcast_of_the_meetings_folder_stops_at_once(meetings):
    """What the `meetings` fixture does after each test (and what an operator wants when the
    media server goes down): no ffmpeg outlives it, nothing it wrote stays."""
    rooms = [f"sd-{n:032x}" for n in (1, 2)]
    for room in rooms:
        hls.start(room, {"video"})
    assert all(hls.running(room) for room in rooms)
    assert hls.stop_all() == 2
    assert not any(hls.running(room) or hls.folder(room).exists() for room in rooms)
    assert hls.stop_all() == 0
