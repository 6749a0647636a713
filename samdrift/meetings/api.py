"""API of meetings, mounted under /api/v1/meetings (issue 14): the same selectors and services
as the meeting page (whose script is a client of this API), so the same rules. A room the caller
does not see is 404, like one that does not exist; a class above the caller's login is 401 with
the step-up challenge; a media server that does not answer is 503 and changes nothing."""

# No `from __future__ import annotations`: ninja reads the real annotations.
from datetime import datetime
from typing import Any

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from samdrift.core.api import ApiRequest, Page, errors

from . import broadcast, selectors, services
from .present import person, room_detail, room_summary

router = Router(tags=["meetings"])


class MeetingRoomIn(Schema):
    title: str
    workspace: int | None = None
    organisation: int | None = None
    classification: int | None = None
    mode: str = "meeting"
    starts: datetime | None = None
    ends: datetime | None = None


class MeetingRoomOut(Schema):
    id: int
    title: str
    workspace: int | None
    organisation: int
    classification: int
    mode: str
    locked: bool
    ended_at: datetime | None
    created_at: datetime
    starts: datetime | None
    ends: datetime | None


class MeetingPersonOut(Schema):
    admission: int
    name: str
    organisation: str
    role: str
    state: str
    guest: bool
    participant_id: str
    hand_raised_at: datetime | None
    audio_muted: bool
    video_muted: bool


class MeetingBroadcastOut(Schema):
    live: bool
    feed: str
    since: datetime | None
    playlist: str


class MeetingRoomDetailOut(MeetingRoomOut):
    abilities: dict[str, bool]
    me: MeetingPersonOut | None
    people: list[MeetingPersonOut]
    broadcast: MeetingBroadcastOut


class MeetingIceServerOut(Schema):
    urls: list[str]
    username: str
    credential: str


class MeetingJoinOut(Schema):
    state: str
    admission: int
    role: str
    token: str
    participant_id: str
    janus_url: str
    janus_room: str
    expires_at: datetime | None
    ice_servers: list[MeetingIceServerOut]
    watch_only: bool


class MeetingMuteIn(Schema):
    media: str
    mute: bool = True


class MeetingLockIn(Schema):
    locked: bool = True


class MeetingBroadcastIn(Schema):
    admission: int | None = None


class MeetingHandIn(Schema):
    raised: bool = True


class MeetingListFilter(Schema):
    ended: bool = False


@router.get(
    "/rooms",
    response={200: list[MeetingRoomOut], **errors(422)},
    summary="The caller's meeting rooms",
    description="Rooms of the workspaces the caller sees and ad hoc rooms of the caller's "
    "agencies; `ended=true` lists the ended ones.",
)
@paginate(Page)
def list_rooms(request: ApiRequest, filters: Query[MeetingListFilter]) -> list[dict[str, Any]]:
    return [room_summary(r) for r in selectors.room_list(actor=request.auth, ended=filters.ended)]


@router.post(
    "/rooms",
    response={201: MeetingRoomOut, **errors(403, 404, 422, 503)},
    summary="Start a meeting room",
    description="In a workspace (its owners and editors), or ad hoc for one of the caller's "
    "agencies at a class of its own. With `starts` and `ends` (a workspace's room) it is "
    "scheduled: an event in the workspace's calendar carries its address. The caller hosts it; the room is created on the media "
    "server in the same transaction (503 when it does not answer, and nothing is kept).",
)
def create_room(request: ApiRequest, payload: MeetingRoomIn) -> Status:
    room = services.room_create(
        actor=request.auth,
        title=payload.title,
        workspace_id=payload.workspace,
        organisation_id=payload.organisation,
        classification=payload.classification,
        mode=payload.mode,
        starts=payload.starts,
        ends=payload.ends,
    )
    return Status(201, room_summary(room))


@router.get(
    "/rooms/{room_id}",
    response={200: MeetingRoomDetailOut, **errors(404)},
    summary="One room: the caller's abilities, their place at the door, and who is there",
    description="The host sees everyone at the door (the lobby included); someone in the room "
    "sees who else is in; anyone else sees no one.",
)
def get_room(request: ApiRequest, room_id: int) -> dict[str, Any]:
    return room_detail(selectors.room_get(actor=request.auth, room_id=room_id))


@router.post(
    "/rooms/{room_id}/join",
    response={200: MeetingJoinOut, **errors(403, 404, 409, 503)},
    summary="Knock on the room's door",
    description="The host, or someone the host admitted, gets a fresh media-server token for "
    "this room only (and TURN credentials), valid for a few minutes: join again before it "
    "expires to stay. A webinar's viewer gets no token (`watch_only`): they watch the "
    "broadcast (the room's `broadcast.playlist`). Anyone else waits in the lobby (`state` = "
    "`waiting`, no token).",
)
def join_room(request: ApiRequest, room_id: int) -> dict[str, Any]:
    return _joined(services.meeting_join(actor=request.auth, room_id=room_id))


@router.post(
    "/rooms/{room_id}/ready",
    response={200: MeetingJoinOut, 204: None, **errors(403, 404, 503)},
    summary="Get ready to join: a token before the click, for someone already let in",
    description="For the host or someone the host admitted (not a webinar's viewer): a "
    "media-server token issued now, so that joining does not wait for samdrift. It becomes "
    "the caller's join when `join` is called while it is still valid (the same token comes "
    "back, recorded as joined); unused, it expires like any other. Knocks on nothing: anyone "
    "not yet let in gets 204 and knocks with `join`.",
)
def ready_room(request: ApiRequest, room_id: int) -> Any:
    ready = services.meeting_ready(actor=request.auth, room_id=room_id)
    return Status(204, None) if ready is None else _joined(ready)


def _joined(joined: services.JoinResult) -> dict[str, Any]:
    return {
        "state": joined.state,
        "admission": joined.admission.id,
        "role": joined.admission.role,
        "token": joined.token,
        "participant_id": joined.participant_id,
        "janus_url": joined.janus_url,
        "janus_room": joined.room.janus_room if joined.token else "",
        "expires_at": joined.expires_at,
        "ice_servers": joined.ice_servers,
        "watch_only": joined.watch_only,
    }


_HOST_ERRORS = errors(403, 404, 409, 503)


@router.post(
    "/rooms/{room_id}/admissions/{admission_id}/admit",
    response={204: None, **_HOST_ERRORS},
    summary="Let someone in from the lobby (the host)",
)
def admit(request: ApiRequest, room_id: int, admission_id: int) -> Status:
    services.lobby_admit(actor=request.auth, room_id=room_id, admission_id=admission_id)
    return Status(204, None)


@router.post(
    "/rooms/{room_id}/admissions/{admission_id}/refuse",
    response={204: None, **_HOST_ERRORS},
    summary="Refuse someone waiting in the lobby (the host); final for this meeting",
)
def refuse(request: ApiRequest, room_id: int, admission_id: int) -> Status:
    services.lobby_refuse(actor=request.auth, room_id=room_id, admission_id=admission_id)
    return Status(204, None)


@router.post(
    "/rooms/{room_id}/admissions/{admission_id}/remove",
    response={204: None, **_HOST_ERRORS},
    summary="Remove someone from the meeting (the host)",
    description="Their tokens are revoked and their media-server sessions closed before this "
    "answers; final for this meeting.",
)
def remove(request: ApiRequest, room_id: int, admission_id: int) -> Status:
    services.participant_remove(actor=request.auth, room_id=room_id, admission_id=admission_id)
    return Status(204, None)


@router.post(
    "/rooms/{room_id}/admissions/{admission_id}/mute",
    response={200: dict[str, int], **errors(403, 404, 409, 422, 503)},
    summary="Mute or let again someone's audio or video (the host)",
    description="In the media server: the others stop receiving it whatever the person's own "
    "client does. Answers how many streams were moderated.",
)
def mute(
    request: ApiRequest, room_id: int, admission_id: int, payload: MeetingMuteIn
) -> dict[str, int]:
    count = services.participant_mute(
        actor=request.auth,
        room_id=room_id,
        admission_id=admission_id,
        media=payload.media,
        mute=payload.mute,
    )
    return {"streams": count}


@router.post(
    "/rooms/{room_id}/lock",
    response={204: None, **errors(403, 404, 409, 422)},
    summary="Lock or open the room (the host)",
    description="A locked room lets no one new into the lobby; who is in stays in.",
)
def lock(request: ApiRequest, room_id: int, payload: MeetingLockIn) -> Status:
    services.room_lock(actor=request.auth, room_id=room_id, locked=payload.locked)
    return Status(204, None)


@router.post(
    "/rooms/{room_id}/end",
    response={204: None, **_HOST_ERRORS},
    summary="End the meeting for everyone (the host)",
)
def end(request: ApiRequest, room_id: int) -> Status:
    services.room_end(actor=request.auth, room_id=room_id)
    return Status(204, None)


@router.post(
    "/rooms/{room_id}/hand",
    response={200: MeetingPersonOut, **errors(404, 409, 422)},
    summary="Raise or lower the caller's hand",
)
def hand(request: ApiRequest, room_id: int, payload: MeetingHandIn) -> dict[str, Any]:
    admission = services.hand_raise(actor=request.auth, room_id=room_id, raised=payload.raised)
    return person(selectors.admission_shown(admission_id=admission.id))


@router.post(
    "/rooms/{room_id}/broadcast",
    response={200: MeetingBroadcastOut, **errors(403, 404, 409, 503)},
    summary="Broadcast a presenter to the webinar's viewers (the host)",
    description="The media server forwards the presenter's sound and video (by default the "
    "caller's own) to samdrift, which packages them as HLS for the viewers; a broadcast already "
    "on switches to this presenter. 409 when they publish nothing yet or are not a presenter.",
)
def start_broadcast(
    request: ApiRequest, room_id: int, payload: MeetingBroadcastIn
) -> dict[str, Any]:
    broadcast.broadcast_start(actor=request.auth, room_id=room_id, admission_id=payload.admission)
    return room_detail(selectors.room_get(actor=request.auth, room_id=room_id))["broadcast"]


@router.post(
    "/rooms/{room_id}/broadcast/stop",
    response={204: None, **_HOST_ERRORS},
    summary="Stop the webinar's broadcast (the host)",
)
def stop_broadcast(request: ApiRequest, room_id: int) -> Status:
    broadcast.broadcast_stop(actor=request.auth, room_id=room_id)
    return Status(204, None)
