"""Reads of meeting rooms, always for an actor (ADR 0673).

A workspace's room is seen by whoever sees the workspace (collaboration's selectors); an ad hoc
room by the owning agency's officials. Anyone else gets the same `NotFound` as for a room that
does not exist. A class that demands a stronger login raises `StepUpRequired` — only once the
room is known to be in sight, and before anything is read or issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from samdrift.collaboration.selectors import require_level, workspace_get, workspace_list
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import ValidationFailed
from samdrift.core.tenancy import visible_or_404

from . import permissions
from .choices import State
from .models import MeetingAdmission, MeetingCredential, MeetingRoom
from .permissions import room_abilities

if TYPE_CHECKING:
    from samdrift.collaboration.models import Member

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
    refused, removed); someone in the room sees who else is in; anyone else no one."""
    if access.abilities["host"]:
        return list(admission_list(room=access.room))
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


def all_rooms(*, ended: bool = False) -> QuerySet[MeetingRoom]:
    """Every room, for `samdrift meetings rooms` (the system's view)."""
    return room_list(actor=SYSTEM, ended=ended)
