"""Who may do what with a workspace's chat room, and who may share a room officials made
themselves: the one place the rules live (ADR 0652, ADR 0666)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from samdrift.core.actor import Actor

if TYPE_CHECKING:
    from samdrift.collaboration.selectors import WorkspaceAccess

    from .models import ChatRoom


def room_abilities(
    *, actor: Actor, access: WorkspaceAccess, room: ChatRoom | None
) -> dict[str, bool]:
    """Members chat; whoever manages the workspace's members may (re)provision its room. The
    security role sees the workspace without being in it, and does not read its chat."""
    member = access.member is not None
    manage = bool(access.abilities.get("manage_members"))
    return {
        "view": member,
        "chat": member and room is not None,
        # Readers read; commenters and up write, as the room's power levels say (ADR 0652).
        "write": member and room is not None and access.member.role != "reader",  # type: ignore[union-attr]
        # A file sent in the chat is a document of the workspace (ADR 0660): who writes in
        # the room and may also add documents to the workspace (editors and owners).
        "attach": member
        and room is not None
        and access.member.role != "reader"  # type: ignore[union-attr]
        and bool(access.abilities.get("upload")),
        "provision": manage or actor.sees_everything,
        # The archive export holds every member's words: the owner (or the system) only.
        "export": room is not None and (manage or actor.sees_everything),
        # A legal hold is the records' decision, not the room's: the owner agency's security
        # role (who sees the workspace without reading its chat) sets and lifts it (ADR 0655).
        "hold": room is not None
        and (bool(access.abilities.get("lower_class")) or actor.sees_everything),
    }


def may_share_own_room(
    own: frozenset[int], other: frozenset[int], connected: Callable[[int], bool]
) -> bool:
    """Two officials in a room they made themselves, a direct message above all (issue 13,
    ADR 0666), given the agencies each acts for: of one agency, always (nothing crosses an
    agency's boundary, whether or not it is connected); of different agencies, only when each
    acts for an agency connected to SAFOS. Someone who acts for no agency shares nothing."""
    if not own or not other:
        return False
    if own & other:
        return True
    return any(connected(org) for org in own) and any(connected(org) for org in other)
