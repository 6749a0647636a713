"""API of the accessibility app, mounted under /api/v1/accessibility.

`POST /api/v1/accessibility/check` (multipart: `file`, optional `profile`) queues the check as a
background job and answers 202 with the job's address (ADR 0110). Poll `GET /api/v1/jobs/{id}`:
when its status is `SUCCESSFUL`, its `result.files` is the same JSON as `samdrift a11y check
--format json` (`[{"path", "profile", "error", "results": [...]}]`); a file that cannot be checked
has `error` set. Too many checks under way (the caller's or everyone's) is a 429 with Retry-After;
a request without a file or with an unknown profile is a 422.
"""

from typing import Any, Literal

from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from samdrift.core.api import ApiRequest, error_body, errors
from samdrift.core.exceptions import ValidationFailed

from .forms import MAX_UPLOAD_BYTES
from .services import CheckerBusy, check_queue

router = Router(tags=["accessibility"])


class RuleResultOut(Schema):
    rule: str
    verapdf: str | None
    acrobat: str | None
    status: str
    count: int
    message: str


class FileResultOut(Schema):
    path: str
    profile: str
    error: str | None
    results: list[RuleResultOut]


class CheckOut(Schema):
    files: list[FileResultOut]


class CheckQueuedOut(Schema):
    job_id: int
    status: str = Field(description="READY: queued; the job's address tells the rest.")
    job_url: str = Field(description="Poll this (GET) until status is SUCCESSFUL or FAILED.")
    page: str = Field(description="The job's page, with live progress.")


@router.post(
    "/check",
    response={202: CheckQueuedOut, **errors(403, 422, 429)},
    summary="Check one PDF for accessibility (a background job)",
    description="Queues the check and answers 202 with the job's address; its `result.files` "
    "holds the report once done. 429 with Retry-After when the caller already has the most "
    "checks under way one person may have, or the checker is full.",
)
def check(
    request: ApiRequest,
    file: UploadedFile = File(...),  # noqa: B008 (django-ninja's way to declare a part)
    profile: Literal["acrobat", "pdfua1"] = Form("acrobat"),  # PROFILE_CHOICES, in the schema
) -> Any:
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise ValidationFailed(_("The file is larger than 50 MB."), errors={"file": ["too large"]})
    try:
        job = check_queue(
            actor=request.auth,
            chunks=file.chunks(),
            profile=profile,
            label=file.name or "upload.pdf",
        )
    except CheckerBusy as busy:
        response = JsonResponse(error_body(busy.code, busy.message, busy.params), status=429)
        response["Retry-After"] = str(busy.retry_after)
        return response
    return Status(
        202,
        {
            "job_id": int(job.id),
            "status": str(job.status),
            "job_url": f"/api/v1/jobs/{job.id}",
            "page": reverse("jobs:detail", args=[int(job.id)]),
        },
    )
