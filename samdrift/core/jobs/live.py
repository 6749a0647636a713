"""Job events on the live channel: topic `job:<id>`, followed by those who may see the job (the
same selector as the pages)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from samdrift.core import live

from .selectors import can_see

if TYPE_CHECKING:
    from samdrift.core.actor import Actor

    from .models import Job


def topic(job_id: int) -> str:
    return f"job:{job_id}"


def may_subscribe(actor: Actor, name: str) -> bool:
    prefix, _, raw_id = name.partition(":")
    return prefix == "job" and raw_id.isdigit() and can_see(actor=actor, job_id=int(raw_id))


def register() -> None:
    live.register_topic("job", may_subscribe)


def job_changed(job: Job) -> None:
    """The page re-fetches itself on the event; the figures ride along for other listeners."""
    live.publish(
        topic(job.id),
        {
            "kind": "job",
            "id": job.id,
            "status": job.status,
            "done": job.progress_done,
            "total": job.progress_total,
            "message": job.progress_message,
        },
    )
