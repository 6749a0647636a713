"""The check as a background job (issue 19 item 4, ADR 0110).

The page and the API store the upload in the checker's folder and queue `check_upload`; a worker
checks it in a child process with the time, processor-time, memory and page limits, keeps the
result in the job row (its owner reads it there) and deletes the upload when the job ends — also
when it fails, and on the last attempt of a job whose worker died (the lease runs out, the next
worker finds the file gone and says so)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from samdrift.core.jobs import progress

from .engine.results import FileResult
from .runner import (
    DEFAULT_CPU_SECONDS,
    DEFAULT_MAX_PAGES,
    DEFAULT_PRIORITY,
    DEFAULT_TIMEOUT,
    check_isolated,
)

QUEUE = "default"


def upload_dir() -> Path:
    """Uploads waiting for their job: under the data folder, readable by the server and the
    workers (one host, or a shared folder)."""
    return Path(settings.DATA_DIR) / "checker-uploads"


def setting(name: str, default: float) -> float:
    """`ACCESSIBILITY_<NAME>` as a Django setting, else the environment's
    `SAMDRIFT_ACCESSIBILITY_<NAME>`, else the default."""
    if hasattr(settings, f"ACCESSIBILITY_{name}"):
        return float(getattr(settings, f"ACCESSIBILITY_{name}"))
    return float(os.environ.get(f"SAMDRIFT_ACCESSIBILITY_{name}", default))


def limits() -> dict[str, Any]:
    return {
        "timeout": setting("CHECK_TIMEOUT", DEFAULT_TIMEOUT),
        "cpu_seconds": int(setting("CHECK_CPU_SECONDS", DEFAULT_CPU_SECONDS)),
        "max_pages": int(setting("CHECK_MAX_PAGES", DEFAULT_MAX_PAGES)),
        "priority": priority(),
    }


def priority() -> str:
    """ "nice" (default: nice 19, ADR 0076) or "idle" (also SCHED_IDLE + idle I/O), from
    `ACCESSIBILITY_CHECK_PRIORITY` or `SAMDRIFT_ACCESSIBILITY_CHECK_PRIORITY`."""
    value = getattr(settings, "ACCESSIBILITY_CHECK_PRIORITY", None) or os.environ.get(
        "SAMDRIFT_ACCESSIBILITY_CHECK_PRIORITY", DEFAULT_PRIORITY
    )
    return "idle" if str(value).strip().lower() == "idle" else "nice"


@task(queue_name=QUEUE)
def check_upload(*, name: str, profile: str, label: str) -> dict[str, Any]:
    """Check one stored upload and return its report; the upload is gone afterwards."""
    path = upload_dir() / Path(name).name  # only a bare name from our own services
    try:
        progress.report(0, 1, label[:150])
        if not path.is_file():
            result = FileResult(
                label, profile, "the uploaded file is no longer there", "unreadable"
            )
        else:
            result = check_isolated(str(path), profile, label, **limits())
        progress.report(1, 1, label[:150])
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    job_id = progress.current_job_id()
    return {
        "files": [result.as_dict()],
        "report": result.to_transport(),
        "link": f"{reverse('accessibility:check')}?job={job_id}" if job_id else "",
    }
