"""Result types shared by the engine, the rules, the CLI, the API and the pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["passed", "failed", "manual", "skipped", "not_applicable"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "manual", "skipped", "not_applicable")


@dataclass(frozen=True)
class Finding:
    """One place where a rule failed (kept short: the report shows the first few)."""

    message: str
    page: int | None = None
    obj: str | None = None  # "12 0 R" of the offending object, when it has one

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "page": self.page, "object": self.obj}


@dataclass
class RuleResult:
    rule: str
    verapdf: str | None
    acrobat: str | None
    status: Status
    count: int = 0
    message: str = ""
    findings: list[Finding] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The issue's JSON shape, exactly (findings are kept for the HTML report only)."""
        return {
            "rule": self.rule,
            "verapdf": self.verapdf,
            "acrobat": self.acrobat,
            "status": self.status,
            "count": self.count,
            "message": self.message,
        }


@dataclass
class FileResult:
    """The outcome of checking one file; `error` is set only when it could not be checked."""

    path: str
    profile: str
    error: str | None = None
    error_code: str | None = None
    results: list[RuleResult] = field(default_factory=list)
    pages: int = 0
    seconds: float = 0.0

    @property
    def failed(self) -> list[RuleResult]:
        return [r for r in self.results if r.status == "failed"]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for result in self.results:
            counts[result.status] += 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "profile": self.profile,
            "error": self.error,
            "results": [r.as_dict() for r in self.results],
        }

    def to_transport(self) -> dict[str, Any]:
        """Everything, for the pipe between the worker process and its parent."""
        data = self.as_dict()
        data.update(error_code=self.error_code, pages=self.pages, seconds=self.seconds)
        for out, result in zip(data["results"], self.results, strict=True):
            out["findings"] = [f.as_dict() for f in result.findings]
        return data

    @classmethod
    def from_transport(cls, data: dict[str, Any]) -> FileResult:
        results = [
            RuleResult(
                rule=r["rule"],
                verapdf=r["verapdf"],
                acrobat=r["acrobat"],
                status=r["status"],
                count=r["count"],
                message=r["message"],
                findings=[
                    Finding(f["message"], f["page"], f["object"]) for f in r.get("findings", [])
                ],
            )
            for r in data["results"]
        ]
        return cls(
            path=data["path"],
            profile=data["profile"],
            error=data["error"],
            error_code=data.get("error_code"),
            results=results,
            pages=data.get("pages", 0),
            seconds=data.get("seconds", 0.0),
        )


class CheckError(Exception):
    """The file cannot be checked at all (not a PDF, encrypted, broken, too deep…)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
