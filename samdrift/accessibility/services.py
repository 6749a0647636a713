"""The checker's entry points for other apps, the CLI, the API and the pages.

    from samdrift.accessibility.services import check_pdf, file_result_json
    result = check_pdf("report.pdf", profile="pdfua1")     # or check_pdf(pdf_bytes, …)
    assert result.error is None and not result.failed
    json.dumps(file_result_json(result))                    # the issue's JSON shape

Checking writes nothing (no model, no audit record): it is a pure function of the file. Each
file is checked in a child process with a time and memory limit unless `isolate=False`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _
from django_tasks.base import TaskResult

from samdrift.accessibility.engine.results import FileResult, RuleResult
from samdrift.accessibility.permissions import checker_abilities
from samdrift.accessibility.rules import PROFILES
from samdrift.accessibility.runner import (
    DEFAULT_MEMORY,
    DEFAULT_TIMEOUT,
    check_in_process,
    check_isolated,
)
from samdrift.accessibility.tasks import check_upload, setting, upload_dir
from samdrift.core.actor import Actor
from samdrift.core.exceptions import DomainError, PermissionDenied, ValidationFailed
from samdrift.core.jobs.origin import queued_by
from samdrift.core.jobs.selectors import active_count

__all__ = [
    "PROFILE_CHOICES",
    "CheckerBusy",
    "FileResult",
    "RuleResult",
    "check_files",
    "check_pdf",
    "check_queue",
    "file_result_json",
    "report_json",
]

PROFILE_CHOICES = tuple(PROFILES)


def check_pdf(
    path_or_bytes: str | Path | bytes,
    *,
    profile: str,
    label: str | None = None,
    isolate: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    memory: int = DEFAULT_MEMORY,
) -> FileResult:
    """Check one PDF against a profile ("acrobat" or "pdfua1").

    Never raises for a bad file: `result.error` (with `result.error_code`) says why it could not
    be checked. Raises ValueError only for an unknown profile (a programming error).
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    source: str | bytes = path_or_bytes if isinstance(path_or_bytes, bytes) else str(path_or_bytes)
    name = label if label is not None else ("<bytes>" if isinstance(source, bytes) else source)
    if isolate:
        return check_isolated(source, profile, name, timeout=timeout, memory=memory)
    return check_in_process(source, profile, name)


def check_files(
    paths: Iterable[str | Path], *, profile: str, timeout: float = DEFAULT_TIMEOUT
) -> list[FileResult]:
    """Check a batch; one bad file gives its own error and never stops the others."""
    return [check_pdf(p, profile=profile, timeout=timeout) for p in paths]


def file_result_json(result: FileResult) -> dict[str, Any]:
    """One file in the issue's JSON shape: path, profile, error, results[rule, verapdf, …]."""
    return result.as_dict()


def report_json(results: Iterable[FileResult]) -> dict[str, Any]:
    """`{"files": [...]}` as the CLI and the API print it."""
    return {"files": [file_result_json(r) for r in results]}


# --- checks as background jobs (issue 19 item 4, ADR 0110) ---------------------------------------

CHECK_TASK = check_upload.module_path
PER_USER_DEFAULT = 2  # checks one person may have waiting or running
GLOBAL_DEFAULT = 6  # checks the whole system may have waiting or running
RETRY_AFTER_SECONDS = 30
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
_LOCK_KEY = 0x5A11_C4EC  # PostgreSQL advisory lock: one count-then-queue at a time


class CheckerBusy(DomainError):
    """Too many checks under way: 429 with Retry-After; nothing is stored."""

    code = "checker_busy"
    http_status = 429
    retry_after = RETRY_AFTER_SECONDS


def per_user_limit() -> int:
    return int(setting("CHECKS_PER_USER", PER_USER_DEFAULT))


def global_limit() -> int:
    return int(setting("CHECKS_GLOBAL", GLOBAL_DEFAULT))


def check_queue(
    *, actor: Actor | None, chunks: Iterable[bytes], profile: str, label: str
) -> TaskResult[Any]:
    """Queue a check of an uploaded PDF for `actor`; the job's result is the report.

    Refused with `CheckerBusy` when the person already has `per_user_limit()` checks waiting or
    running, or the system `global_limit()`; the count and the queueing are one transaction
    (serialised: SQLite's write lock, PostgreSQL an advisory lock), so a burst cannot overshoot.
    The upload is kept in the checker's folder only until its job ends."""
    if actor is None or not checker_abilities(actor=actor)["check"]:
        raise PermissionDenied(_("You may not use the checker."))
    if profile not in PROFILE_CHOICES:
        raise ValidationFailed(
            _("Unknown profile; use acrobat or pdfua1."), errors={"profile": [profile]}
        )
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.pdf"
    path = folder / name
    try:
        _store(path, chunks)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            _refuse_when_busy(actor)
            with queued_by(actor, label=_("Accessibility check of %(name)s") % {"name": label}):
                job = check_upload.enqueue(name=name, profile=profile, label=label[:200])
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return job


def _store(path: Path, chunks: Iterable[bytes]) -> None:
    size = 0
    with path.open("wb") as handle:
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise ValidationFailed(
                    _("The file is larger than 50 MB."), errors={"file": ["too large"]}
                )
            handle.write(chunk)


def _refuse_when_busy(actor: Actor) -> None:
    mine = active_count(task_path=CHECK_TASK, created_by_id=actor.user_id)
    if mine >= per_user_limit():
        raise CheckerBusy(
            _(
                "You already have %(count)s checks under way, the most one person may have. "
                "Wait until one is done and try again."
            ),
            count=mine,
        )
    if active_count(task_path=CHECK_TASK) >= global_limit():
        raise CheckerBusy(_("The checker is busy with other files. Try again in a minute."))
