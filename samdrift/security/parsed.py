"""What every reader of a scanner report produces (ADR 0951): `Parsed` findings with a documented
deduplication key, in a `Report`, and the common severity scales."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .choices import FindingStatus, Severity


@dataclass(frozen=True)
class Parsed:
    """One finding as a report states it."""

    key_fields: tuple[str, ...]
    vulnerability_id: str
    severity: str
    title: str = ""
    package_name: str = ""
    package_version: str = ""
    fixed_version: str = ""
    location: str = ""
    aliases: tuple[str, ...] = ()
    status: str = FindingStatus.OPEN
    justification: str = ""

    @property
    def dedup_key(self) -> str:
        joined = "\x1f".join(self.key_fields)
        return hashlib.sha256(joined.encode("utf-8")).hexdigest()


@dataclass
class Report:
    report_format: str
    tool: str
    #: Read as they are iterated, once: a reader yields them, checking each in turn, so a
    #: refusal may come while they are being stored (inside the import's transaction).
    findings: Iterable[Parsed] = field(default_factory=list)


def _severity(value: Any) -> str:
    text = str(value or "").strip().lower()
    if text in ("critical", "high", "medium", "low"):
        return text
    if text in ("moderate",):
        return Severity.MEDIUM
    if text in ("negligible", "info", "informational", "none", "note"):
        return Severity.INFO
    return Severity.UNKNOWN


def _score_severity(score: float) -> str:
    """CVSS v3 qualitative rating of a base score."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    if score > 0:
        return Severity.LOW
    return Severity.INFO
