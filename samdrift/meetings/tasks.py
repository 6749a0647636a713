"""Background work of meetings: expired Janus tokens are removed from Janus every minute."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from samdrift.core.jobs.schedules import declare

from . import conf
from .services import credentials_sweep


@task()
def meetings_sweep() -> dict[str, Any]:
    if not conf.enabled():
        return {"removed": 0, "enabled": False}
    return {"removed": credentials_sweep()}


declare("meetings.sweep", meetings_sweep, every=60)
