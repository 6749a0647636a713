"""Background work of the audit app: the periodic checkpoint and the security log's retention."""

from __future__ import annotations

from django_tasks import task

from .checkpoints import write_checkpoint
from .services import prune_security_log


@task()
def checkpoint() -> str:
    return str(write_checkpoint().path)


@task()
def prune_security_log_job() -> int:
    return prune_security_log()
