"""Background jobs of reporting: the government report as tagged PDF (`render_pdf`, reused).

Rendering takes seconds (WeasyPrint); the page queues it and shows the job, whose result links
the stored file (`/jobs/<id>/file/`, for whoever may see the job). Idempotent: the file is named after its job, and a job that runs again (after a
lost worker) finds its file and stores no second one.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django_tasks import task

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.services import audit_read
from samdrift.core.exceptions import NotFound
from samdrift.core.files import services as files
from samdrift.core.files.models import StoredFile
from samdrift.core.jobs import progress

from .documents import render_pdf
from .selectors import government_report


def pdf_name(year: int, language: str, job_id: int | None) -> str:
    stem = f"regeringsrapport-{year}" if language == "sv" else f"government-report-{year}"
    return f"{stem}-{job_id}.pdf" if job_id else f"{stem}.pdf"


@task()
def render_government_pdf(*, user_id: int, year: int, language: str = "sv") -> dict[str, Any]:
    actor = actor_for_user(get_user_model().objects.filter(id=user_id).first())
    owner = min(actor.provider_org_ids, default=None)
    if owner is None:
        raise NotFound("report")
    job_id = progress.current_job_id()
    name = pdf_name(year, language, job_id)
    stored = StoredFile.objects.filter(name=name, owner_org_id=owner).first()
    if stored is None:
        progress.report(0, 2, "computing the report")
        report = government_report(actor=actor, year=year, language=language)
        progress.report(1, 2, "rendering the PDF")
        pdf = render_pdf(report)
        stored = files.store(
            io.BytesIO(pdf), name, "application/pdf", actor=actor, owner_org_id=owner
        )
        audit_read(actor=actor, access="export", object_type="reporting.governmentreport",
                   object_id=year, detail={"format": "pdf", "language": language,
                                           "file": str(stored.id)})  # fmt: skip
    return {
        "file": str(stored.id),
        "bytes": stored.size,
        "link": reverse("jobs:file", kwargs={"job_id": job_id}) if job_id else "",
    }
