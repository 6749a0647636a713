"""Job events on the live channel: topic `job:<id>`, followed by those who may see the job (the
same selector as the pages)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from samdrift.core import live

from .selectors import can_see

if TYPE_CHECKING:
    from samdrift.core.actor import Actor

    from .models import Job


logger = logging.getLogger(__name__)


def topic(job_id: int) -> str:
    return f"job:{job_id}"


def may_subscribe(actor: Actor, name: str) -> bool:
    prefix, _, raw_id = name.partition(":")
    return prefix == "job" and raw_id.isdigit() and can_see(actor=actor, job_id=int(raw_id))


def register() -> None:
    live.register_topic("job", may_subscribe)


def _event(job: Job) -> dict[str, object]:
    return {
        "kind": "job",
        "id": job.id,
        "status": job.status,
        "done": job.progress_done,
        "total": job.progress_total,
        "message": job.progress_message,
    }


def job_changed(job: Job) -> None:
    """The page re-fetches itself on the event; the figures ride along for other listeners."""
    live.publish(topic(job.id), _event(job))


def jobs_finished(jobs: list[Job]) -> None:
    """The events of a batch of outcomes (ADR 0074), sent side by side in one trip to the
    channel layer instead of one after another: the same messages `live.publish` sends, and like
    it, a failure is logged, never raised (the outcomes are committed)."""
    if len(jobs) < 2:
        for job in jobs:
            job_changed(job)
        return
    layer = get_channel_layer()
    if layer is None:
        return

    async def send_all() -> None:
        await asyncio.gather(
            *(
                layer.group_send(
                    live.group_name(topic(job.id)),
                    {"type": live.EVENT_TYPE, "topic": topic(job.id), "event": _event(job)},
                )
                for job in jobs
            )
        )

    try:
        async_to_sync(send_all)()
    except Exception:
        logger.exception("live: publishing %s job events failed", len(jobs))
