"""Background work of chat (ADR 0651): a workspace's room is provisioned in the jobs worker,
queued after every committed membership change and by every membership event the homeserver
reports in one of samdrift's rooms."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task

from samdrift.core.jobs.schedules import declare

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


@task()
def keep_chat_file(file_id: int) -> dict[str, Any]:
    """A file sent from a Matrix program kept as a document of the workspace, or refused with
    the room told why (ADR 0663). The homeserver or the scanner not answering: tried again."""
    from .incoming import keep_file

    outcome = keep_file(file_id)
    return {"state": outcome.state, "document": outcome.document_id, "version": outcome.version,
            "reason": outcome.reason_code}  # fmt: skip


def queue_file(file_id: int) -> None:
    keep_chat_file.enqueue(file_id)


@task()
def revoke_sessions(user_id: int) -> int:
    """Every Matrix session of a person who left an agency ends (ADR 0621); their rooms follow
    through the workspaces' provisioning."""
    from .services import end_sign_ins

    return end_sign_ins(user_id)


def queue_sessions_revoked(user_id: int, organisation_id: int) -> None:
    """The agency-membership hook: queued once the end is committed, when chat is on."""
    if conf.enabled():
        transaction.on_commit(lambda: revoke_sessions.enqueue(user_id))


@task()
def purge_due_rooms() -> dict[str, int]:
    """The daily retention sweep (ADR 0655): archive, then purge, what has passed its time."""
    from .retention import purge_due

    outcomes = [purge.outcome for purge in purge_due()] if conf.enabled() else []
    return {name: outcomes.count(name) for name in ("purged", "held", "nothing", "failed")}


declare("chat.retention", purge_due_rooms, every=86400)
