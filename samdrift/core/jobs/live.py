"""Job events on the live channel (`samdrift.core.live`), when that layer is installed.

Topic `job:<id>`; a subscriber must be allowed to see the job (the same selector as the pages).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from samdrift.core.actor import Actor

    from .models import Job


def _live() -> Any:
    # The live layer lands alongside this app (issue 9, item 5); until it does, jobs only write
    # their rows and pages show progress on reload.
    if importlib.util.find_spec("samdrift.core.live") is None:
        return None
    module = importlib.import_module("samdrift.core.live")
    return module if hasattr(module, "publish") else None


def topic(job_id: int) -> str:
    return f"job:{job_id}"


def may_subscribe(actor: Actor, name: str) -> bool:
    from .selectors import can_see

    prefix, _, raw_id = name.partition(":")
    return prefix == "job" and raw_id.isdigit() and can_see(actor=actor, job_id=int(raw_id))


def register() -> None:
    live = _live()
    if live is not None and hasattr(live, "register_topic"):
        live.register_topic("job", may_subscribe)


def job_changed(job: Job) -> None:
    live = _live()
    if live is None:
        return
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
