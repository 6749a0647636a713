"""CycloneDX JSON with vulnerabilities and VEX analysis (ADR 0951); CycloneDX XML is read into the
same shape (ADR 0969)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .choices import FindingStatus, ReportFormat, Severity
from .fields import as_list, as_object, required
from .parsed import Parsed, Report, _score_severity, _severity
from .refusal import text

CDX_NOT_AFFECTED = ("not_affected", "false_positive")


def _cdx_components(components: Any) -> Iterator[dict[str, Any]]:
    for component in components or []:
        if isinstance(component, dict):
            yield component
            yield from _cdx_components(component.get("components"))


def _cdx_severity(vuln: dict[str, Any]) -> str:
    ratings = [r for r in vuln.get("ratings") or [] if isinstance(r, dict)]
    for rating in ratings:
        if rating.get("severity"):
            return _severity(rating["severity"])
    for rating in ratings:
        if isinstance(rating.get("score"), (int, float)):
            return _score_severity(float(rating["score"]))
    return Severity.UNKNOWN


def cyclonedx_report(document: Any) -> Report:
    metadata = document.get("metadata") or {}
    refs = {
        c.get("bom-ref"): c
        for c in _cdx_components(
            [metadata.get("component"), *(as_list(document.get("components"), "components"))]
        )
        if c.get("bom-ref")
    }
    vulnerabilities = as_list(document.get("vulnerabilities"), "vulnerabilities")
    return Report(ReportFormat.CYCLONEDX, "CycloneDX", _cdx_findings(vulnerabilities, refs))


def _cdx_findings(vulnerabilities: list[Any], refs: dict[Any, Any]) -> Iterator[Parsed]:
    for index, vuln in enumerate(vulnerabilities, start=1):
        where = f"CycloneDX vulnerabilities[{index}]"
        vuln = as_object(vuln, where)
        vuln_id = required(vuln.get("id"), "id", where)
        analysis: dict[str, Any] = (
            vuln["analysis"] if isinstance(vuln.get("analysis"), dict) else {}
        )
        state = str(analysis.get("state") or "")
        aliases = tuple(
            sorted(
                {
                    text(ref.get("id"), 200)
                    for ref in vuln.get("references") or []
                    if isinstance(ref, dict) and ref.get("id") and ref.get("id") != vuln_id
                }
            )
        )
        affects = [a for a in vuln.get("affects") or [] if isinstance(a, dict) and a.get("ref")]
        if not affects:
            affects = [{"ref": ""}]
        for affected in affects:
            ref = str(affected["ref"])
            target = refs.get(ref) or {}
            package = text(target.get("name") or ref, 300)
            version = text(target.get("version"), 200)
            yield Parsed(
                key_fields=(target.get("purl") or ref, package, version, vuln_id),
                vulnerability_id=vuln_id,
                severity=_cdx_severity(vuln),
                title=text(vuln.get("description") or vuln.get("detail"), 500),
                package_name=package,
                package_version=version,
                fixed_version=text(vuln.get("recommendation"), 200),
                aliases=aliases,
                status=(
                    FindingStatus.NOT_AFFECTED
                    if state in CDX_NOT_AFFECTED
                    else FindingStatus.FIXED
                    if state == "resolved"
                    else FindingStatus.OPEN
                ),
                justification=text(analysis.get("justification") or analysis.get("detail"), 500)
                if state in CDX_NOT_AFFECTED
                else "",
            )
