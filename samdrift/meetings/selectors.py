"""Reads of meeting rooms, always for an actor (ADR 0673).

A workspace's room is seen by whoever sees the workspace (collaboration's selectors); an ad hoc
room by the owning agency's officials. Anyone else gets the same `NotFound` as for a room that
does not exist. A class that demands a stronger login raises `StepUpRequired` — only once the
room is known to be in sight, and before anything is read or issued.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from samdrift.collaboration.selectors import require_level, workspace_get, workspace_list
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.tenancy import visible_or_404

from . import conf, hls, permissions
from .choices import Mode, Role, State
from .credentials import segment_signature
from .models import MeetingAdmission, MeetingCredential, MeetingRoom
from .permissions import room_abilities

if TYPE_CHECKING:
    from samdrift.collaboration.models import Member

# How long a segment's signed address lives: the player fetches it within a segment or two of
# the playlist naming it; a removed viewer's last addresses die with it.
SEGMENT_TTL = 30
BAD_ID = _("An id is a whole number greater than zero, not “%(value)s”.")


@dataclass(frozen=True)
class RoomAccess:
    room: MeetingRoom
    classification: int
    member: Member | None
    admission: MeetingAdmission | None
    abilities: dict[str, bool]


def parse_id(value: Any, field: str) -> int:
    """An id from a form, an API path or the CLI; anything else is refused in both languages."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > 18 or int(text) <= 0:
        params = {"value": text[:40]}
        raise ValidationFailed(BAD_ID, errors={field: [str(BAD_ID % params)]}, **params)
    return int(text)


def room_scope(actor: Actor) -> Q:
    if actor.sees_everything:
        return Q()
    if actor.user_id is None:
        return Q(pk__in=[])
    workspaces = workspace_list(actor=actor).values("id")
    return Q(workspace_id__in=workspaces) | Q(
        workspace__isnull=True, owner_org_id__in=list(actor.roles_by_org)
    )


def room_list(*, actor: Actor, ended: bool = False) -> QuerySet[MeetingRoom]:
    return (
        MeetingRoom.objects.filter(room_scope(actor), ended_at__isnull=not ended)
        .select_related("workspace", "owner_org", "event")
        .order_by("-id")
    )


def may_schedule_in(actor: Actor, workspace_id: int | None) -> bool:
    """Whether the calendar's event form offers "hold it as a video meeting" (ADR 0649): a
    workspace's calendar, to its owners and editors (who start its meetings)."""
    if workspace_id is None or actor.user_id is None:
        return False
    try:
        access = workspace_get(actor=actor, workspace_id=workspace_id, check_level=False)
    except NotFound:
        return False
    return permissions.may_start(member=access.member)


def room_get(*, actor: Actor, room_id: Any, check_level: bool = True) -> RoomAccess:
    room = visible_or_404(
        MeetingRoom.objects.filter(room_scope(actor)).select_related("workspace", "event"),
        "meeting",
        id=parse_id(room_id, "room"),
    )
    member = None
    classification = room.classification
    if room.workspace_id is not None:
        access = workspace_get(actor=actor, workspace_id=room.workspace_id, check_level=False)
        member, classification = access.member, access.workspace.classification
    if check_level:
        require_level(actor, classification)
    admission = (
        MeetingAdmission.objects.filter(room=room, user_id=actor.user_id).first()
        if actor.user_id is not None
        else None
    )
    abilities = room_abilities(
        actor=actor,
        room=room,
        member=member,
        admission=admission,
        classification=classification,
    )
    return RoomAccess(room, classification, member, admission, abilities)


def admission_list(*, room: MeetingRoom, state: str | None = None) -> QuerySet[MeetingAdmission]:
    """The caller already holds `room` from `room_get`."""
    queryset = room.admissions.select_related("user", "organisation").order_by("id")
    return queryset.filter(state=state) if state else queryset


def waiting(*, room: MeetingRoom) -> QuerySet[MeetingAdmission]:
    return admission_list(room=room, state=State.WAITING)


def room_people(*, access: RoomAccess) -> list[MeetingAdmission]:
    """Who the actor may see at the room: its host sees everyone at the door (waiting, in,
    refused, removed); someone in the room sees who else is in, except that a webinar's viewer
    sees its hosts and presenters only; anyone else no one."""
    if access.abilities["host"]:
        return list(admission_list(room=access.room))
    if access.abilities["in_room"] and access.admission and access.admission.role == Role.VIEWER:
        # A webinar's viewers see who presents, not one another (and hundreds of them poll).
        seen = admission_list(room=access.room, state=State.ADMITTED)
        return list(seen.exclude(Q(role=Role.VIEWER) & ~Q(id=access.admission.id)))
    if access.abilities["in_room"]:
        return list(admission_list(room=access.room, state=State.ADMITTED))
    return []


def admission_shown(*, admission_id: int) -> MeetingAdmission:
    """One admission with the names a page shows (the caller already holds its room)."""
    return MeetingAdmission.objects.select_related("user", "organisation").get(id=admission_id)


def may_start(*, access: Any) -> bool:
    """Whether the actor may start a meeting in the workspace (`access`: `workspace_get`'s)."""
    return permissions.may_start(member=access.member)


def workspace_rooms(*, actor: Actor, workspace_id: Any) -> QuerySet[MeetingRoom]:
    """The open rooms of a workspace the actor sees (the workspace's own rule decides)."""
    access = workspace_get(actor=actor, workspace_id=parse_id(workspace_id, "workspace"))
    return room_list(actor=actor).filter(workspace_id=access.workspace.id)


def live_credentials(*, admission_ids: list[int]) -> QuerySet[MeetingCredential]:
    return MeetingCredential.objects.filter(admission_id__in=admission_ids, revoked_at__isnull=True)


def expired_credentials(*, now: datetime) -> QuerySet[MeetingCredential]:
    return MeetingCredential.objects.filter(
        revoked_at__isnull=True, expires_at__lte=now
    ).select_related("admission__room")


def _signed(room_id: int, user_id: int, name: str, ttl: int) -> str:
    expires = int(time.time()) + ttl
    signature = segment_signature(room_id=room_id, user_id=user_id, name=name, expires=expires)
    return "?" + urlencode({"u": str(user_id), "e": str(expires), "s": signature})


def _pass_holder(room_id: int, name: str, signed: Mapping[str, str], ttl: int) -> int:
    """The viewer an address was signed for (`u`, `e`, `s`) while it lives; else `NotFound`."""
    user, expires, signature = signed.get("u", ""), signed.get("e", ""), signed.get("s", "")
    if not (user.isascii() and user.isdigit() and expires.isascii() and expires.isdigit()):
        raise NotFound("broadcast")
    now = int(time.time())
    if not now <= int(expires) <= now + ttl or len(user) > 18:
        raise NotFound("broadcast")
    expected = segment_signature(
        room_id=room_id, user_id=int(user), name=name, expires=int(expires)
    )
    if not constant_time_compare(expected, signature):
        raise NotFound("broadcast")
    return int(user)


def watch_address(*, access: RoomAccess) -> str:
    """Where someone who may watch the webinar (`room_get`'s full check: the `watch` ability)
    reads its live playlist, once there is one: signed for them for as long as a media-server
    token lives (ADR 0970); empty for anyone else."""
    room, user = access.room, access.admission.user_id if access.admission else None
    live = room.broadcast_started_at is not None and access.abilities["watch"]
    if not live or user is None or hls.file_path(room.janus_room, hls.PLAYLIST) is None:
        return ""
    base = reverse("meetings:broadcast", args=[room.id])
    return base + _signed(room.id, user, hls.PLAYLIST, conf.token_ttl())


def broadcast_playlist(*, room_id: int, signed: Mapping[str, str]) -> str:
    """A webinar's live playlist for the address `watch_address` signed, while the viewer is
    still let in and the webinar broadcast (one query at each reload, every segment: a removal
    or an end stops the viewer at once); each segment's address in it signed for them for
    `SEGMENT_TTL` seconds. Like a media-server token, the address is the credential: no
    session is read (ADR 0970)."""
    viewer = _pass_holder(room_id, hls.PLAYLIST, signed, conf.token_ttl())
    janus_room = (
        MeetingAdmission.objects.filter(
            room_id=room_id, user_id=viewer, state=State.ADMITTED, room__ended_at__isnull=True,
            room__mode=Mode.WEBINAR,
        )
        .exclude(room__broadcast_started_at=None)
        .values_list("room__janus_room", flat=True)
        .first()
    )  # fmt: skip
    path = hls.file_path(janus_room, hls.PLAYLIST) if janus_room else None
    try:
        text = path.read_text() if path is not None else None
    except FileNotFoundError:
        text = None
    if text is None:
        raise NotFound("broadcast")
    return hls.signed_playlist(text, lambda name: _signed(room_id, viewer, name, SEGMENT_TTL))


def broadcast_segment(*, room_id: int, name: str, signed: Mapping[str, str]) -> Path:
    """A segment of a webinar being broadcast, for the address a playlist signed while it lives;
    `NotFound` for anything else (no session either)."""
    if not hls.SEGMENT_NAME.match(name):
        raise NotFound("broadcast")
    _pass_holder(room_id, name, signed, SEGMENT_TTL)
    janus_room = (
        MeetingRoom.objects.filter(id=room_id, ended_at__isnull=True)
        .exclude(broadcast_started_at=None)
        .values_list("janus_room", flat=True)
        .first()
    )
    path = hls.file_path(janus_room, name) if janus_room else None
    if path is None:
        raise NotFound("broadcast")
    return path


def all_rooms(*, ended: bool = False) -> QuerySet[MeetingRoom]:
    """Every room, for `samdrift meetings rooms` (the system's view)."""
    return room_list(actor=SYSTEM, ended=ended)
