"""Background jobs of billing: a provider's monthly invoice run (`run_period`, reused as it is).

The run is idempotent by design (same inputs: nothing changes; a finalised month is returned as
it is), so a job that runs twice after a lost worker writes the drafts once (ADR 0011).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.urls import reverse
from django_tasks import task

from samdrift.accounts.selectors import actor_for_user
from samdrift.core.jobs import progress

from . import services
from .periods import label


@task()
def run_invoices(
    *, user_id: int, period: str, finalise: bool = False, provider_id: int | None = None
) -> dict[str, Any]:
    """A provider's invoice run of one month (the provider asked for, else the user's first;
    ADR 0668), as the user who asked for it (their rights are checked again now, when it
    runs)."""
    actor = actor_for_user(get_user_model().objects.filter(id=user_id).first())
    steps = 3 if finalise else 2
    said: list[str] = []

    def say(message: str) -> None:
        said.append(message)
        progress.report(min(len(said), steps - 1), steps, message)

    progress.report(0, steps, f"{period}: starting")
    outcome = services.run_period(
        actor=actor, period=period, finalise=finalise, progress=say, provider_id=provider_id
    )
    month = label(outcome.run.period)
    link = reverse("billing:run", kwargs={"period": month})
    return {
        "period": month,
        "invoices": outcome.invoices,
        "lines": outcome.lines,
        "unchanged": outcome.unchanged,
        "warnings": [str(warning) for warning in outcome.warnings],
        "provider": outcome.run.provider_id,
        "link": f"{link}?{urlencode({'provider': outcome.run.provider_id})}",
    }
