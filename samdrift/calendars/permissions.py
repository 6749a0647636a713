"""Who may do what with a calendar: the one place the rule lives (ADR 0642).

A personal calendar is its owner's alone. A workspace's calendar is its members': every member
reads it, editors and owners write it. The agency's security role sees a workspace without being
in it and does not read its calendar (as with chat). An app password reaches a calendar only up to
its class (ADR 0614), so a desktop client never reads more than the password was made for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from samdrift.collaboration.choices import ROLE_RANK, Role
from samdrift.core.actor import Actor

if TYPE_CHECKING:
    from samdrift.collaboration.models import Member, Workspace

    from .models import Calendar

NOTHING = {"view": False, "write": False, "free_busy": False}


def calendar_abilities(
    *,
    actor: Actor,
    calendar: Calendar,
    workspace: Workspace | None,
    member: Member | None,
    max_class: int | None = None,
) -> dict[str, bool]:
    if calendar.owner_id is not None:
        mine = actor.user_id is not None and calendar.owner_id == actor.user_id
        return {"view": mine, "write": mine, "free_busy": mine}
    if workspace is None or member is None:
        return dict(NOTHING)
    if max_class is not None and workspace.classification > max_class:
        return dict(NOTHING)
    rank = ROLE_RANK.get(Role(member.role), 0)
    return {"view": rank > 0, "write": rank >= ROLE_RANK[Role.EDITOR], "free_busy": rank > 0}


def may_answer_invitation(*, sender: str, attendee: str, invited: set[str]) -> bool:
    """A REPLY or COUNTER by e-mail speaks for one attendee: it must come from that attendee's
    own address, and that address must be on the event (ADR 0644)."""
    return bool(sender) and sender == attendee and attendee in invited


def may_schedule_for(*, sender: str, organizer: str) -> bool:
    """A REQUEST or CANCEL by e-mail comes from the event's organizer."""
    return bool(sender) and sender == organizer
