"""Trivy JSON (ADR 0951): schema 2, the legacy bare list of results, and `trivy k8s`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .choices import FindingStatus, ReportFormat
from .fields import as_list, as_object, required
from .parsed import Parsed, Report, _severity
from .refusal import text

#: Trivy's own statuses (all_statuses.json); only `not_affected` closes a finding.
TRIVY_NOT_AFFECTED = "not_affected"


def _trivy_results(results: list[Any], prefix: str) -> Iterator[Parsed]:
    for r_index, result in enumerate(results, start=1):
        result = as_object(result, f"Trivy Results[{r_index}]")
        target = text(result.get("Target"), 500)
        location = f"{prefix}{target}"
        for v_index, vuln in enumerate(
            as_list(result.get("Vulnerabilities"), f"Trivy Results[{r_index}].Vulnerabilities"),
            start=1,
        ):
            vuln = as_object(vuln, f"Trivy Results[{r_index}].Vulnerabilities[{v_index}]")
            where = f"Trivy Results[{r_index}].Vulnerabilities[{v_index}]"
            vuln_id = required(vuln.get("VulnerabilityID"), "VulnerabilityID", where)
            package = required(vuln.get("PkgName"), "PkgName", where)
            version = text(vuln.get("InstalledVersion"), 200)
            status = str(vuln.get("Status") or "")
            yield Parsed(
                key_fields=(location, vuln.get("PkgPath") or "", package, version, vuln_id),
                vulnerability_id=vuln_id,
                severity=_severity(vuln.get("Severity")),
                title=text(vuln.get("Title") or vuln.get("Description"), 500),
                package_name=package,
                package_version=version,
                fixed_version=text(vuln.get("FixedVersion"), 200),
                location=location,
                status=(
                    FindingStatus.NOT_AFFECTED
                    if status == TRIVY_NOT_AFFECTED
                    else FindingStatus.OPEN
                ),
                justification="Trivy: not_affected" if status == TRIVY_NOT_AFFECTED else "",
            )


def _trivy_resources(resources: list[Any]) -> Iterator[Parsed]:
    """`trivy k8s`: resources, each with its results."""
    for index, resource in enumerate(resources, start=1):
        resource = as_object(resource, f"Trivy Vulnerabilities[{index}]")
        prefix = "/".join(text(resource.get(part), 200) for part in ("Namespace", "Kind", "Name"))
        yield from _trivy_results(as_list(resource.get("Results"), "Results"), f"{prefix}: ")


def trivy_report(document: Any) -> Report:
    if isinstance(document, list):  # the legacy format: a bare list of results
        findings = _trivy_results(document, "")
    elif "ClusterName" in document:
        findings = _trivy_resources(as_list(document.get("Vulnerabilities"), "Vulnerabilities"))
    else:
        findings = _trivy_results(as_list(document.get("Results"), "Results"), "")
    return Report(ReportFormat.TRIVY, "Trivy", findings)
