"""Background work of the audit app: the periodic checkpoint and the security log's retention."""

from __future__ import annotations

from django_tasks import task

from samdrift.core.jobs.schedules import declare

from .checkpoints import write_checkpoint
from .services import prune_security_log


@task()
def checkpoint() -> str:
    return str(write_checkpoint().path)


@task()
def prune_security_log_job() -> int:
    return prune_security_log()


# Recurring, queued by the workers (samdrift.core.jobs.schedules; SAMDRIFT_SCHEDULES changes them).
declare("audit.checkpoint", checkpoint, every=3600)
declare("audit.prune_security_log", prune_security_log_job, every=86400)
