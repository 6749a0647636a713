"""Who may do what with the inbox: only its owner, ever."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from samdrift.core.actor import Actor

    from .models import Notification


def notification_abilities(*, actor: Actor, notification: Notification) -> dict[str, bool]:
    own = actor.user_id is not None and notification.recipient_id == actor.user_id
    return {"view": own, "mark_read": own and notification.read_at is None}


def may_follow_inbox(actor: Actor, topic: str) -> bool:
    """The live topic `inbox:<user id>` is followed by that user alone."""
    return actor.user_id is not None and topic == f"inbox:{actor.user_id}"
