"""The daily retention job (declared in tasks.py by path; `samdrift notifications prune` by hand)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def prune_notifications() -> dict[str, int]:
    return services.prune()
