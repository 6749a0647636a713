"""The checker's entry points for other apps, the CLI, the API and the pages.

    from samdrift.accessibility.services import check_pdf, file_result_json
    result = check_pdf("report.pdf", profile="pdfua1")     # or check_pdf(pdf_bytes, …)
    assert result.error is None and not result.failed
    json.dumps(file_result_json(result))                    # the issue's JSON shape

Checking writes nothing (no model, no audit record): it is a pure function of the file. Each
file is checked in a child process with a time and memory limit unless `isolate=False`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from samdrift.accessibility.engine.results import FileResult, RuleResult
from samdrift.accessibility.rules import PROFILES
from samdrift.accessibility.runner import (
    DEFAULT_MEMORY,
    DEFAULT_TIMEOUT,
    check_in_process,
    check_isolated,
)

__all__ = [
    "PROFILE_CHOICES",
    "FileResult",
    "RuleResult",
    "check_files",
    "check_pdf",
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
