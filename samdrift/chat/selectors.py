"""Reading chat rooms; who sees a room is who sees its workspace (collaboration's selectors)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from samdrift.collaboration.selectors import WorkspaceAccess, workspace_get, workspace_list
from samdrift.core.actor import SYSTEM, Actor

from . import conf, matrix
from .models import ChatRoom
from .permissions import room_abilities


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


def room_count() -> int:
    return ChatRoom.objects.count()


def all_workspace_ids() -> list[int]:
    """Every workspace, for `samdrift chat provision --all` (the system's view)."""
    return list(workspace_list(actor=SYSTEM).values_list("id", flat=True))


def matrix_user_id(user_pk: int) -> str:
    return matrix.user_id(matrix_localpart(user_pk))


def people_in(events: list[dict[str, Any]]) -> dict[str, str]:
    """Matrix IDs in a room's history → the names of samdrift's people, for the archive's
    readable copy. Only IDs of the application service's own namespace are named: the room's
    members are put there by provisioning (present and past members of the workspace), so the
    history already shows who they are; anyone else, e.g. from another homeserver, stays an ID."""
    wanted: dict[int, str] = {}
    prefix = f"@{conf.localpart_prefix()}u"
    suffix = f":{conf.server_name()}"
    for event in events:
        for mxid in (event.get("sender"), event.get("state_key")):
            if isinstance(mxid, str) and mxid.startswith(prefix) and mxid.endswith(suffix):
                number = mxid[len(prefix) : -len(suffix)]
                if number.isdigit():
                    wanted[int(number)] = mxid
    names = {
        user.pk: (user.get_full_name() or user.username)
        for user in get_user_model().objects.filter(pk__in=wanted)
    }
    return {mxid: names[pk] for pk, mxid in wanted.items() if pk in names}
