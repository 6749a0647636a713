"""API of background jobs: GET /api/v1/jobs and GET /api/v1/jobs/{id}. The caller sees the jobs
it queued, and provider staff those queued for their provider agency; any other is a 404."""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from samdrift.core.actor import Actor
from samdrift.core.api import Page, errors

from .models import Job, Status
from .permissions import error_summary
from .selectors import job_detail, visible_jobs

router = Router(tags=["jobs"])


class _Request(HttpRequest):
    """For mypy: the API's authenticators set `auth` to the caller's actor."""

    auth: Actor


class ProgressOut(Schema):
    done: int
    total: int = Field(description="0 while the task has not said how much there is.")
    message: str
    percent: int | None


class JobOut(Schema):
    id: int
    task: str = Field(description="The task's dotted path.")
    label: str = Field(description="The name people see; may be empty.")
    status: Status
    attempts: int
    max_attempts: int
    progress: ProgressOut
    result: Any = Field(None, description="The task's return value once it succeeded.")
    result_link: str = Field(description="A page with the result (a path), or empty.")
    error: str = Field(description="The last line of the last failed attempt's error, or empty.")
    created_at: datetime.datetime
    run_after: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    page: str = Field(description="The job's page (a path).")


class JobFilters(Schema):
    status: Status | None = Field(None, description="Only jobs in this state.")
    mine: bool = Field(False, description="Only the jobs the caller queued.")


class JobOutFromRow(JobOut):
    """JobOut read from a `Job` row."""

    @staticmethod
    def resolve_task(job: Job) -> str:
        return job.task_path

    @staticmethod
    def resolve_progress(job: Job) -> dict[str, Any]:
        return {
            "done": job.progress_done,
            "total": job.progress_total,
            "message": job.progress_message,
            "percent": job.percent,
        }

    @staticmethod
    def resolve_result(job: Job) -> Any:
        return job.result if job.status == Status.SUCCESSFUL else None

    @staticmethod
    def resolve_result_link(job: Job) -> str:
        return job.result_link if job.status == Status.SUCCESSFUL else ""

    @staticmethod
    def resolve_error(job: Job) -> str:
        return error_summary(job)

    @staticmethod
    def resolve_page(job: Job) -> str:
        return reverse("jobs:detail", args=[job.id])


@router.get(
    "",
    response={200: list[JobOutFromRow], **errors(422)},
    summary="List background jobs",
    description="Newest first: the caller's own, and for provider staff those queued for their "
    "provider agency.",
)
@paginate(Page)
def list_jobs(request: _Request, filters: Query[JobFilters]) -> Any:
    actor = request.auth
    rows = visible_jobs(actor=actor)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.mine:
        rows = rows.filter(created_by_id=actor.user_id) if actor.user_id else rows.none()
    return rows


@router.get(
    "/{job_id}",
    response={200: JobOutFromRow, **errors(404)},
    summary="One background job",
    description="Status, progress, result or error. Another's job is the same 404 as a missing one.",
)
def get_job(request: _Request, job_id: int) -> Job:
    return job_detail(actor=request.auth, job_id=job_id)
