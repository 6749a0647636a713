"""Anchore Grype JSON (ADR 0951): a finding per match, related vulnerabilities as aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .choices import ReportFormat
from .fields import as_list, as_object, required
from .parsed import Parsed, Report, _severity
from .refusal import text


def grype_report(document: Any) -> Report:
    return Report(
        ReportFormat.GRYPE, "Grype", _grype_matches(as_list(document.get("matches"), "matches"))
    )


def _grype_matches(matches: list[Any]) -> Iterator[Parsed]:
    for index, match in enumerate(matches, start=1):
        where = f"Grype matches[{index}]"
        match = as_object(match, where)
        vuln = as_object(match.get("vulnerability"), f"{where}.vulnerability")
        artifact = as_object(match.get("artifact"), f"{where}.artifact")
        vuln_id = required(vuln.get("id"), "vulnerability.id", where)
        package = required(artifact.get("name"), "artifact.name", where)
        version = text(artifact.get("version"), 200)
        fix: dict[str, Any] = vuln["fix"] if isinstance(vuln.get("fix"), dict) else {}
        related = [
            text(item.get("id"), 200)
            for item in match.get("relatedVulnerabilities") or []
            if isinstance(item, dict) and item.get("id") and item.get("id") != vuln_id
        ]
        locations = [
            text(item.get("path"), 500)
            for item in artifact.get("locations") or []
            if isinstance(item, dict) and item.get("path")
        ]
        yield Parsed(
            key_fields=(
                artifact.get("purl") or f"{artifact.get('type') or ''}:{package}",
                version,
                vuln_id,
            ),
            vulnerability_id=vuln_id,
            severity=_severity(vuln.get("severity")),
            title=text(vuln.get("description"), 500),
            package_name=package,
            package_version=version,
            fixed_version=", ".join(str(v) for v in fix.get("versions") or [])[:200],
            location=", ".join(locations)[:1000],
            aliases=tuple(sorted(set(related))),
        )
