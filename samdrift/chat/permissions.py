"""Who may do what with a workspace's chat room: the one place the rule lives (ADR 0652)."""

from __future__ import annotations

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
