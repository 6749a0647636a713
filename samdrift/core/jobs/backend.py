"""`DatabaseBackend`: Django's tasks interface stored in samdrift's `Job` table.

Why our own and not django-tasks-db: a job whose worker died stays RUNNING there for ever; here a
lease expires and another worker takes the job (ADR 0010, 0011).

OPTIONS (settings.TASKS["default"]["OPTIONS"]): MAX_ATTEMPTS (3), LEASE_SECONDS (30),
RETRY_BASE_SECONDS (5), RETRY_CAP_SECONDS (600), CLAIM_BATCH (32).
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskError, TaskResult, TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks.signals import task_enqueued
from django_tasks.utils import normalize_json
from typing_extensions import ParamSpec

from . import origin
from .models import Job

T = TypeVar("T")
P = ParamSpec("P")


class DatabaseBackend(BaseTaskBackend):
    supports_defer = True
    supports_priority = True
    supports_get_result = True
    supports_async_task = False

    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        self.max_attempts = int(self.options.get("MAX_ATTEMPTS", 3))
        self.lease_seconds = float(self.options.get("LEASE_SECONDS", 30))
        self.retry_base_seconds = float(self.options.get("RETRY_BASE_SECONDS", 5))
        self.retry_cap_seconds = float(self.options.get("RETRY_CAP_SECONDS", 600))
        # The most jobs a worker claims in one transaction, when they run fast (ADR 0074).
        self.claim_batch = int(self.options.get("CLAIM_BATCH", 32))

    def enqueue(self, task: Task[P, T], args: Any, kwargs: Any) -> TaskResult[T]:
        self.validate_task(task)
        who = origin.current()
        job = Job.objects.create(
            task_path=task.module_path,
            queue_name=task.queue_name,
            backend=self.alias,
            args=normalize_json(args),
            kwargs=normalize_json(kwargs),
            priority=task.priority,
            run_after=task.run_after or timezone.now(),
            max_attempts=self.max_attempts,
            created_by_id=who.user_id,
            agency_id=who.agency_id,
            label=who.label,
        )
        result = as_task_result(job, task)
        task_enqueued.send(type(self), task_result=result)
        return result

    def get_result(self, result_id: str) -> TaskResult:
        try:
            job = Job.objects.get(id=int(result_id))
        except (Job.DoesNotExist, ValueError):
            raise TaskResultDoesNotExist(result_id) from None
        return as_task_result(job)


def as_task_result(job: Job, task: Task[Any, Any] | None = None) -> TaskResult[Any]:
    """The row as django_tasks' TaskResult (its id is the row's id, as a string)."""
    task = task or import_string(job.task_path)
    task = dataclasses.replace(task, priority=job.priority, queue_name=job.queue_name)
    errors = (
        [TaskError(exception_class_path=job.error_class, traceback=job.error)] if job.error else []
    )
    result: TaskResult[Any] = TaskResult(
        task=task,
        id=str(job.id),
        status=TaskResultStatus(job.status),
        enqueued_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        last_attempted_at=job.started_at if job.attempts else None,
        args=job.args,
        kwargs=job.kwargs,
        backend=job.backend,
        errors=errors,
        worker_ids=list(job.worker_ids),
    )
    object.__setattr__(result, "_return_value", job.result)
    return result
