"""A demo meeting room in the first workspace that has an owner, started through the same
service as the workspace's page (planned only when no media server runs: the first join makes
it on Janus)."""

from __future__ import annotations

from typing import Any

from samdrift.accounts.selectors import actor_for_user
from samdrift.collaboration.selectors import all_memberships

from . import services
from .models import MeetingRoom


def load(*, stdout: Any) -> None:
    if MeetingRoom.objects.exists():
        return
    owner = next((m for m in all_memberships() if m.role == "owner"), None)
    if owner is None:
        return
    actor = actor_for_user(owner.user, loa_rank=3)
    try:
        room = services.room_create(
            actor=actor, title="Veckomöte om SAFOS", workspace_id=owner.workspace_id
        )
    except services.MediaServerUnavailable:
        stdout.write("  meetings: the media server does not answer; no demo meeting")
        return
    stdout.write(f"  meetings: demo meeting {room.title!r} in workspace {owner.workspace_id}")
