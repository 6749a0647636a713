"""Background work of chat (ADR 0651): a workspace's room is provisioned in the jobs worker,
queued after every committed membership change and by every membership event the homeserver
reports in one of samdrift's rooms."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from . import conf
from .services import provision_workspace


@task()
def provision_workspace_room(workspace_id: int) -> dict[str, Any]:
    outcome = provision_workspace(workspace_id=workspace_id)
    return {
        "room": outcome.room_id,
        "created": outcome.created,
        "invited": len(outcome.invited),
        "kicked": len(outcome.kicked),
        "state": outcome.state_changed,
    }


def queue_provisioning(workspace_id: int, *, force: bool = False) -> None:
    """The membership hook: queue the room's provisioning when chat is on (ADR 0650)."""
    if force or conf.enabled():
        provision_workspace_room.enqueue(workspace_id)
