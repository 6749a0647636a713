"""Who may do what with a meeting room: the one place the rule lives (ADR 0673)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from samdrift.collaboration.choices import Role as WorkspaceRole
from samdrift.collaboration.policy import policy_for
from samdrift.core.actor import Actor

from .choices import Mode, Role, State

if TYPE_CHECKING:
    from samdrift.collaboration.models import Member

    from .models import MeetingAdmission, MeetingRoom


def may_enter(
    *, actor: Actor, room: MeetingRoom, member: Member | None, classification: int
) -> bool:
    """A workspace's room: its members, a guest only while the class allows guests. An ad hoc
    room: the owning agency's own officials."""
    if room.workspace_id is not None:
        if member is None:
            return False
        return not member.is_guest or policy_for(classification).guests_allowed
    return room.owner_org_id in actor.roles_by_org


def may_start(*, member: Member | None) -> bool:
    """A workspace's owners and editors start its meetings."""
    return member is not None and member.role in (WorkspaceRole.OWNER, WorkspaceRole.EDITOR)


def role_for(*, room: MeetingRoom, member: Member | None, host: bool) -> str:
    """A room's creator and the workspace's owners host; in a webinar its editors present and
    everyone else watches."""
    if host:
        return Role.HOST
    if room.mode == Mode.WEBINAR:
        return (
            Role.PRESENTER
            if member is not None and member.role == WorkspaceRole.EDITOR
            else Role.VIEWER
        )
    return Role.PARTICIPANT


def room_abilities(
    *,
    actor: Actor,
    room: MeetingRoom,
    member: Member | None,
    admission: MeetingAdmission | None,
    classification: int,
) -> dict[str, bool]:
    open_ = room.ended_at is None
    host = actor.user_id is not None and (
        room.created_by_id == actor.user_id
        or (member is not None and member.role == WorkspaceRole.OWNER)
        or (admission is not None and admission.role == Role.HOST)
    )
    enter = may_enter(actor=actor, room=room, member=member, classification=classification)
    admitted = admission is not None and admission.state == State.ADMITTED
    webinar = room.mode == Mode.WEBINAR
    in_room = open_ and enter and admitted
    return {
        "host": host,
        "join": open_ and enter,
        "in_room": in_room,
        # A webinar's viewers watch its broadcast only: samdrift gives them no media-server
        # credential, so they cannot publish whatever their browser does (ADR 0970).
        "publish": in_room and not (admission is not None and admission.role == Role.VIEWER),
        "watch": in_room and webinar,
        "broadcast": open_ and host and webinar,
        "admit": open_ and host,
        "remove": open_ and host,
        "mute": open_ and host,
        "lock": open_ and host,
        "end": open_ and (host or actor.sees_everything),
    }
