"""Background work on a committed version (ADR 0608): the PDF accessibility check.

A version hook queues `check_version_accessibility` for a PDF; the job copies the stored bytes
to a temporary file, runs samdrift's checker in its isolated child process (the same limits as
the checker's own jobs) and stores a summary on the version, which the document page shows."""

from __future__ import annotations

import tempfile
from typing import Any

from django_tasks import task

from samdrift.accessibility.services import FileResult, check_pdf
from samdrift.accessibility.tasks import limits
from samdrift.core.files import storage
from samdrift.core.jobs.schedules import declare

from . import validation
from .models import Version

PROFILE = "pdfua1"


def is_pdf(version: Version) -> bool:
    return validation.is_pdf(version.content_type, version.document.name)


def queue_accessibility_check(version_id: int) -> None:
    """The version hook: a PDF's check is queued; any other file is left alone."""
    version = Version.objects.select_related("document").filter(id=version_id).first()
    if version is None or not is_pdf(version):
        return
    check_version_accessibility.enqueue(version_id)


def summary(result: FileResult) -> dict[str, Any]:
    counts = result.counts()
    return {
        "profile": result.profile,
        "error": result.error,
        "error_code": result.error_code,
        "pages": result.pages,
        "counts": counts,
        "failed_rules": [r.rule for r in result.failed][:50],
        "passed": result.error is None and not counts.get("failed", 0),
    }


@task()
def check_version_accessibility(version_id: int) -> dict[str, Any]:
    version = Version.objects.select_related("document", "file").get(id=version_id)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as copy:
        for chunk in storage.read_chunks(version.file.key):
            copy.write(chunk)
        copy.flush()
        run = limits()
        result = check_pdf(
            copy.name,
            profile=PROFILE,
            label=version.document.name,
            timeout=run["timeout"],
        )
    outcome = summary(result)
    Version.objects.filter(id=version_id).update(accessibility=outcome)
    return outcome


@task()
def dispose_due_documents() -> int:
    """The daily sweep of documents whose retention has ended (gallring, ADR 0610)."""
    from .services.retention import dispose_due  # services sit beside tasks, not below them

    return len(dispose_due())


# Recurring, queued by the workers (ADR 0073; SAMDRIFT_SCHEDULES changes or switches it off).
declare("collaboration.retention", dispose_due_documents, every=86400)


@task()
def report_usage() -> int:
    """The previous month's active users to billing, once (ADR 0611)."""
    from .services.usage import report_previous_month

    return report_previous_month()


declare("collaboration.usage", report_usage, every=86400)


@task()
def expire_dav_locks() -> int:
    """WebDAV locks past their timeout end, with the check-outs they made (ADR 0687)."""
    from .services.dav_locks import dav_locks_expire

    return dav_locks_expire()


declare("collaboration.dav_locks", expire_dav_locks, every=300)


@task()
def requeue_held_uploads() -> int:
    """Uploads held for their scan too long (a lost job, clamd away) are queued again (ADR 0688)."""
    from .services.held import requeue_stalled

    return len(requeue_stalled())


declare("collaboration.held_uploads", requeue_held_uploads, every=900)
