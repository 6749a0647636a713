"""What an actor may do with a job it can see (pages, API and templates ask this one dict)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from samdrift.core.actor import Actor

    from .models import Job


def abilities(actor: Actor, job: Job) -> dict[str, bool]:
    return {
        "view": True,  # the selector already decided
        # The traceback names code and data of the provider's systems: staff only.
        "see_traceback": actor.is_provider_staff,
        "open_result": bool(job.result_link) and job.status == "SUCCESSFUL",
    }


def error_summary(job: Job) -> str:
    """The last line of the traceback ("ConnectionError: …"), which anyone who sees the job may
    read."""
    lines = [line for line in job.error.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""
