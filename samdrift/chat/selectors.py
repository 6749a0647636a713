"""Reading chat rooms; who sees a room is who sees its workspace (collaboration's selectors)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model

from samdrift.accounts.selectors import actor_for_user, user_by_id
from samdrift.collaboration.choices import SERVICE_CODE
from samdrift.collaboration.policy import policy_for
from samdrift.collaboration.selectors import (
    WorkspaceAccess,
    agency_connected,
    memberships_of,
    workspace_accesses,
    workspace_get,
    workspace_list,
)
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.tenancy import required_rank

from . import conf, matrix
from .models import ChatRoom, SsoGrant
from .permissions import may_share_own_room, room_abilities

if TYPE_CHECKING:
    from samdrift.collaboration.models import Workspace


@dataclass(frozen=True)
class RoomAccess:
    workspace: WorkspaceAccess
    room: ChatRoom | None
    abilities: dict[str, bool]


def matrix_localpart(user_pk: int) -> str:
    """The Matrix localpart of a samdrift user: inside the application service's namespace,
    from the user's stable id (never the name or the address, which change)."""
    return f"{conf.localpart_prefix()}u{user_pk}"


def workspace_alias_localpart(workspace_id: int) -> str:
    return f"{conf.localpart_prefix()}ws{workspace_id}"


def room_for_workspace(workspace_id: int) -> ChatRoom | None:
    return ChatRoom.objects.filter(workspace_id=workspace_id).first()


def workspace_room_ids() -> dict[str, int]:
    return dict(ChatRoom.objects.values_list("room_id", "workspace_id"))


def room_get(*, actor: Actor, workspace_id: int) -> RoomAccess:
    """The workspace's room as the actor may see it (404 for a workspace they do not see)."""
    access = workspace_get(actor=actor, workspace_id=workspace_id)
    room = room_for_workspace(access.workspace.id)
    abilities = room_abilities(actor=actor, access=access, room=room)
    return RoomAccess(access, room, abilities)


def chat_rooms_of(*, actor: Actor, workspaces: Iterable[Workspace]) -> dict[int, ChatRoom]:
    """Workspace id -> its room, for those of `workspaces` (already read through collaboration's
    selectors for this actor) whose chat the actor reads (`room_abilities`' `chat`: a member,
    the room made, the login strong enough for the workspace's class). Two queries whatever the
    number; nothing when chat is off."""
    if not conf.enabled() or actor.user_id is None:
        return {}
    seen = list(workspaces)
    if not seen:
        return {}
    rooms = {r.workspace_id: r for r in ChatRoom.objects.filter(workspace__in=seen).order_by()}
    if not rooms:
        return {}
    found: dict[int, ChatRoom] = {}
    pairs = [(actor, w) for w in seen if w.pk in rooms]
    for access in workspace_accesses(pairs):
        if not isinstance(access, WorkspaceAccess):
            continue  # not seen, or a step-up needed: the room is not theirs to read now
        room = rooms[access.workspace.pk]
        if room_abilities(actor=actor, access=access, room=room)["chat"]:
            found[access.workspace.pk] = room
    return found


def may_follow_room(actor: Actor, topic: str) -> bool:
    """`chat:<workspace id>` (live updates of the page's conversation, ADR 0656): whoever may
    read the room's conversation on the page; a workspace not seen is simply not followable."""
    from samdrift.core.exceptions import NotFound

    key = topic.partition(":")[2]
    if not key.isdigit():
        return False
    try:
        return room_get(actor=actor, workspace_id=int(key)).abilities["chat"]
    except NotFound:
        return False


def room_level(classification: int) -> int:
    """The level of assurance that seeing a room of a workspace of this class needs."""
    return max(1, required_rank(SERVICE_CODE) or 0, policy_for(classification).min_loa)


def sign_in_level(user_id: int) -> int | None:
    """The level of assurance a sign-in into the homeserver needs (ADR 0657): the highest that a
    room the person is in needs, since a Matrix client shows all their rooms at once. None: they
    are in no workspace with a room, so there is nothing a sign-in would give them."""
    members = list(memberships_of(user_id=user_id))
    with_room = set(
        ChatRoom.objects.filter(workspace_id__in=[m.workspace_id for m in members]).values_list(
            "workspace_id", flat=True
        )
    )
    classes = {m.workspace.classification for m in members if m.workspace_id in with_room}
    return max(room_level(c) for c in classes) if classes else None


def signed_in_below(user_ids: list[int], level: int) -> set[int]:
    """Those of `user_ids` with a homeserver sign-in below `level` that has not been ended."""
    return set(
        SsoGrant.objects.filter(
            user_id__in=user_ids, redeemed_at__isnull=False, rank__lt=level
        ).values_list("user_id", flat=True)
    )


def room_count() -> int:
    return ChatRoom.objects.count()


def all_workspace_ids() -> list[int]:
    """Every workspace, for `samdrift chat provision --all` (the system's view)."""
    return list(workspace_list(actor=SYSTEM).values_list("id", flat=True))


def matrix_user_id(user_pk: int) -> str:
    return matrix.user_id(matrix_localpart(user_pk))


def user_pk_of(mxid: Any) -> int | None:
    """The samdrift user behind a Matrix ID of the application service's namespace, else None."""
    prefix, suffix = f"@{conf.localpart_prefix()}u", f":{conf.server_name()}"
    if isinstance(mxid, str) and mxid.startswith(prefix) and mxid.endswith(suffix):
        number = mxid[len(prefix) : -len(suffix)]
        if number.isdigit():
            return int(number)
    return None


def people_in(events: list[dict[str, Any]]) -> dict[str, str]:
    """Matrix IDs in a room's history → the names of samdrift's people, for the archive's
    readable copy. Only IDs of the application service's own namespace are named: the room's
    members are put there by provisioning (present and past members of the workspace), so the
    history already shows who they are; anyone else, e.g. from another homeserver, stays an ID."""
    wanted: dict[int, str] = {}
    for event in events:
        for mxid in (event.get("sender"), event.get("state_key")):
            if (pk := user_pk_of(mxid)) is not None:
                wanted[pk] = str(mxid)
    names = {
        user.pk: (user.get_full_name() or user.username)
        for user in get_user_model().objects.filter(pk__in=wanted)
    }
    return {mxid: names[pk] for pk, mxid in wanted.items() if pk in names}


# Rooms officials make themselves (ADR 0666) ---------------------------------------------------

#: Why an official may not enter a room of their own making (`RoomEntry.reason`).
NOT_AN_OFFICIAL = "not_an_official"
NOT_CONNECTED = "not_connected"
WORKSPACE_ROOM = "workspace_room"


@dataclass(frozen=True)
class RoomEntry:
    """samdrift's answer to the homeserver's room-entry module: may `entering` share the room
    with `others` (the room's other local members, or who invites them)?"""

    allowed: bool
    reason: str = ""
    refused_with: str = ""  # the Matrix ID `entering` may not share the room with
    agencies: dict[str, list[int]] | None = None  # Matrix ID -> the agencies they act for


def official_agencies(mxid: str) -> frozenset[int]:
    """The agencies a user of the application service's namespace acts for (as a member or
    for a provider); none for anyone else, an unknown or a deactivated account."""
    pk = user_pk_of(mxid)
    user = user_by_id(pk) if pk is not None else None
    if user is None:
        return frozenset()
    actor = actor_for_user(user)
    return actor.member_org_ids | actor.provider_org_ids


def room_entry(*, room_id: str, entering: str, others: Iterable[str]) -> RoomEntry:
    """Whether `entering` may share a room that officials made themselves (a direct message)
    with each of `others`, by `may_share_own_room`: both are officials samdrift provisioned, and
    of one agency or of agencies both connected to SAFOS. Users of other homeservers are the
    federation allow-list's (ADR 0665) and are not named here. The workspace rooms are never
    decided here: their membership is samdrift's provisioning."""
    if room_id and ChatRoom.objects.filter(room_id=room_id).exists():
        return RoomEntry(False, WORKSPACE_ROOM)
    connected: dict[int, bool] = {}

    def is_connected(org_id: int) -> bool:
        if org_id not in connected:
            connected[org_id] = agency_connected(org_id=org_id)
        return connected[org_id]

    own = official_agencies(entering)
    seen = {entering: sorted(own)}
    if not own:
        return RoomEntry(False, NOT_AN_OFFICIAL, entering, seen)
    for other in sorted(set(others) - {entering}):
        theirs = official_agencies(other)
        seen[other] = sorted(theirs)
        if not theirs:
            return RoomEntry(False, NOT_AN_OFFICIAL, other, seen)
        if not may_share_own_room(own, theirs, is_connected):
            return RoomEntry(False, NOT_CONNECTED, other, seen)
    return RoomEntry(True, agencies=seen)
