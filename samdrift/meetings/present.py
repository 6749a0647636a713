"""A room and the people at its door as the meeting page's script and the API show them: one
shape for both, so the page cannot show what the API hides (the rules are in `selectors`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from . import selectors
from .models import MeetingAdmission, MeetingRoom
from .selectors import RoomAccess


def scheduled(room: MeetingRoom) -> dict[str, datetime | None]:
    """When a scheduled meeting is, as its calendar event says now (null for one held now)."""
    event = room.event
    if event is None or event.deleted:
        return {"starts": None, "ends": None}
    return {
        "starts": datetime.fromtimestamp(event.starts, tz=UTC),
        "ends": datetime.fromtimestamp(event.ends, tz=UTC),
    }


def room_summary(room: MeetingRoom) -> dict[str, Any]:
    return {
        "id": room.id,
        "title": room.title,
        "workspace": room.workspace_id,
        "organisation": room.owner_org_id,
        "classification": room.classification,
        "mode": room.mode,
        "locked": room.locked,
        "ended_at": room.ended_at,
        "created_at": room.created_at,
        **scheduled(room),
    }


def person(admission: MeetingAdmission) -> dict[str, Any]:
    user = admission.user
    return {
        "admission": admission.id,
        "name": user.get_full_name() or user.get_username(),
        "organisation": admission.organisation.name if admission.organisation else "",
        "role": admission.role,
        "state": admission.state,
        "guest": admission.is_guest,
        "participant_id": admission.participant_id,
        "hand_raised_at": admission.hand_raised_at,
        "audio_muted": admission.audio_muted,
        "video_muted": admission.video_muted,
    }


def broadcast(access: RoomAccess) -> dict[str, Any]:
    """Whether the webinar is broadcast now, whose feed, and (for someone who may watch, once
    there is one) the signed address of its playlist."""
    room = access.room
    return {
        "live": room.broadcast_started_at is not None,
        "feed": room.broadcast_feed,
        "since": room.broadcast_started_at,
        "playlist": selectors.watch_address(access=access),
    }


def room_detail(access: RoomAccess) -> dict[str, Any]:
    """The room as its page's script and API clients see it (shared with the page view)."""
    people = selectors.room_people(access=access)
    me = next((p for p in people if p.id == getattr(access.admission, "id", None)), None)
    if me is None and access.admission is not None:
        me = selectors.admission_shown(admission_id=access.admission.id)
    return {
        **room_summary(access.room),
        "classification": access.classification,
        "abilities": access.abilities,
        "me": person(me) if me else None,
        "people": [person(p) for p in people],
        "broadcast": broadcast(access),
    }
