"""Who sees a job: the user who queued it, provider staff of the agency it was queued for, and
the system. Another's job is the same 404 as a missing one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from samdrift.core.exceptions import NotFound
from samdrift.core.files.models import StoredFile
from samdrift.core.tenancy import visible_or_404

from .models import Job, Status

if TYPE_CHECKING:
    from samdrift.core.actor import Actor


def visible_jobs(*, actor: Actor) -> QuerySet[Job]:
    if actor.sees_everything:
        return Job.objects.all()
    scope = Q(pk__in=[])
    if actor.user_id is not None:
        scope |= Q(created_by_id=actor.user_id)
    if actor.provider_org_ids:
        scope |= Q(agency_id__in=actor.provider_org_ids)
    return Job.objects.filter(scope)


def my_jobs(*, actor: Actor) -> QuerySet[Job]:
    """The jobs the actor queued (the "my jobs" page); the system's own are all jobs."""
    if actor.user_id is None:
        return visible_jobs(actor=actor)
    return visible_jobs(actor=actor).filter(created_by_id=actor.user_id)


def job_detail(*, actor: Actor, job_id: int) -> Job:
    return visible_or_404(visible_jobs(actor=actor), "job", id=job_id)


def can_see(*, actor: Actor, job_id: int) -> bool:
    return visible_jobs(actor=actor).filter(id=job_id).exists()


def job_file(*, actor: Actor, job_id: int) -> StoredFile:
    """The file a finished job made (its result's "file"), for whoever may see the job. The file
    must belong to the agency the job was queued for, so a result cannot point anywhere else."""
    job = job_detail(actor=actor, job_id=job_id)
    file_id = job.result.get("file") if isinstance(job.result, dict) else None
    if job.status != Status.SUCCESSFUL or not file_id or job.agency_id is None:
        raise NotFound("file")
    return visible_or_404(StoredFile.objects.filter(owner_org_id=job.agency_id), "file", id=file_id)


def active_count(*, task_path: str, created_by_id: int | None = None) -> int:
    """Jobs of one task waiting or running (for the whole system, or one person's): a caller
    that limits how many may be under way counts here (the checker, ADR 0110). Not a tenancy
    read: it returns a number, never a row."""
    rows = Job.objects.filter(task_path=task_path, status__in=(Status.READY, Status.RUNNING))
    if created_by_id is not None:
        rows = rows.filter(created_by_id=created_by_id)
    return rows.count()
