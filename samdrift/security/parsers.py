"""Reading scanner reports (ADR 0951): the format is recognised from the content, never from the
file name, and each format is read into the same `Parsed` findings with a documented
deduplication key. Nothing here touches the database; a report that cannot be read raises
`ReportRefused` with a message naming the problem in Swedish and English.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from . import cyclonedx_xml
from .choices import FindingStatus, ReportFormat, Severity
from .csaf import is_csaf, read_csaf
from .greenbone import greenbone_report, safe_xml
from .parsed import Parsed as Parsed
from .parsed import Report as Report
from .parsed import _score_severity, _severity
from .refusal import ReportRefused as ReportRefused
from .refusal import refuse as _refuse
from .refusal import text as _text
from .streamed import ReportStream
from .vex import VexDocument, is_openvex, read_openvex

#: A report given as bytes, or an XML file, beyond this is refused before parsing.
MAX_BYTES = 50 * 1024 * 1024
#: A JSON file up to this size is read whole (`json.loads`: quicker, and its errors name line and
#: column); a larger one is streamed from the file (ADR 0971), up to MAX_STREAMED_BYTES.
READ_WHOLE_UP_TO = 4 * 1024 * 1024
MAX_STREAMED_BYTES = 4 * 1024 * 1024 * 1024


def _required(value: Any, what: str, where: str) -> str:
    text = _text(value, 200)
    if not text:
        raise _refuse(_("%(where)s has no %(what)s."), where=where, what=what)
    return text


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _refuse(_("%(what)s must be a list."), what=what)
    return value


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _refuse(_("%(what)s must be an object."), what=what)
    return value


# --- Trivy -------------------------------------------------------------------------------------

#: Trivy's own statuses (all_statuses.json); only `not_affected` closes a finding.
TRIVY_NOT_AFFECTED = "not_affected"


def _trivy_results(results: list[Any], prefix: str) -> Iterator[Parsed]:
    for r_index, result in enumerate(results, start=1):
        result = _object(result, f"Trivy Results[{r_index}]")
        target = _text(result.get("Target"), 500)
        location = f"{prefix}{target}"
        for v_index, vuln in enumerate(
            _list(result.get("Vulnerabilities"), f"Trivy Results[{r_index}].Vulnerabilities"),
            start=1,
        ):
            vuln = _object(vuln, f"Trivy Results[{r_index}].Vulnerabilities[{v_index}]")
            where = f"Trivy Results[{r_index}].Vulnerabilities[{v_index}]"
            vuln_id = _required(vuln.get("VulnerabilityID"), "VulnerabilityID", where)
            package = _required(vuln.get("PkgName"), "PkgName", where)
            version = _text(vuln.get("InstalledVersion"), 200)
            status = str(vuln.get("Status") or "")
            yield Parsed(
                key_fields=(location, vuln.get("PkgPath") or "", package, version, vuln_id),
                vulnerability_id=vuln_id,
                severity=_severity(vuln.get("Severity")),
                title=_text(vuln.get("Title") or vuln.get("Description"), 500),
                package_name=package,
                package_version=version,
                fixed_version=_text(vuln.get("FixedVersion"), 200),
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
        resource = _object(resource, f"Trivy Vulnerabilities[{index}]")
        prefix = "/".join(_text(resource.get(part), 200) for part in ("Namespace", "Kind", "Name"))
        yield from _trivy_results(_list(resource.get("Results"), "Results"), f"{prefix}: ")


def _trivy(document: Any) -> Report:
    if isinstance(document, list):  # the legacy format: a bare list of results
        findings = _trivy_results(document, "")
    elif "ClusterName" in document:
        findings = _trivy_resources(_list(document.get("Vulnerabilities"), "Vulnerabilities"))
    else:
        findings = _trivy_results(_list(document.get("Results"), "Results"), "")
    return Report(ReportFormat.TRIVY, "Trivy", findings)


# --- Anchore Grype -----------------------------------------------------------------------------


def _grype(document: Any) -> Report:
    return Report(
        ReportFormat.GRYPE, "Grype", _grype_matches(_list(document.get("matches"), "matches"))
    )


def _grype_matches(matches: list[Any]) -> Iterator[Parsed]:
    for index, match in enumerate(matches, start=1):
        where = f"Grype matches[{index}]"
        match = _object(match, where)
        vuln = _object(match.get("vulnerability"), f"{where}.vulnerability")
        artifact = _object(match.get("artifact"), f"{where}.artifact")
        vuln_id = _required(vuln.get("id"), "vulnerability.id", where)
        package = _required(artifact.get("name"), "artifact.name", where)
        version = _text(artifact.get("version"), 200)
        fix: dict[str, Any] = vuln["fix"] if isinstance(vuln.get("fix"), dict) else {}
        related = [
            _text(item.get("id"), 200)
            for item in match.get("relatedVulnerabilities") or []
            if isinstance(item, dict) and item.get("id") and item.get("id") != vuln_id
        ]
        locations = [
            _text(item.get("path"), 500)
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
            title=_text(vuln.get("description"), 500),
            package_name=package,
            package_version=version,
            fixed_version=", ".join(str(v) for v in fix.get("versions") or [])[:200],
            location=", ".join(locations)[:1000],
            aliases=tuple(sorted(set(related))),
        )


# --- SARIF 2.1 ---------------------------------------------------------------------------------

SARIF_LEVELS = {"error": Severity.HIGH, "warning": Severity.MEDIUM, "note": Severity.LOW}


def _sarif_severity(result: dict[str, Any], rule: dict[str, Any]) -> str:
    for properties in (result.get("properties"), rule.get("properties")):
        if not isinstance(properties, dict):
            continue
        score = properties.get("security-severity")
        if score is not None:
            try:
                return _score_severity(float(score))
            except (TypeError, ValueError):
                pass
        if properties.get("severity"):
            return _severity(properties["severity"])
    level = result.get("level") or (rule.get("defaultConfiguration") or {}).get("level")
    return SARIF_LEVELS.get(str(level), Severity.INFO if level == "none" else Severity.MEDIUM)


def _sarif_location(result: dict[str, Any]) -> str:
    for location in result.get("locations") or []:
        physical = (location or {}).get("physicalLocation") or {}
        uri = (physical.get("artifactLocation") or {}).get("uri") or ""
        line = (physical.get("region") or {}).get("startLine")
        return f"{uri}:{line}" if line else str(uri)
    return ""


def _sarif(document: Any) -> Report:
    runs = _list(document.get("runs"), "SARIF runs")
    if not runs:
        raise _refuse(_("The SARIF file has no runs: there is nothing to import."))
    tools = []
    for r_index, run in enumerate(runs, start=1):
        run = _object(run, f"SARIF runs[{r_index}]")
        driver = ((run.get("tool") or {}).get("driver")) or {}
        tools.append(_required(driver.get("name"), "tool.driver.name", f"SARIF runs[{r_index}]"))
    tool = ", ".join(dict.fromkeys(tools))[:100]
    return Report(ReportFormat.SARIF, tool, _sarif_runs(runs, tools))


def _sarif_runs(runs: list[Any], tools: list[str]) -> Iterator[Parsed]:
    for r_index, (run, tool) in enumerate(zip(runs, tools, strict=True), start=1):
        driver = ((run.get("tool") or {}).get("driver")) or {}
        rules = {
            rule.get("id"): rule
            for rule in driver.get("rules") or []
            if isinstance(rule, dict) and rule.get("id")
        }
        for index, result in enumerate(_list(run.get("results"), "results"), start=1):
            result = _object(result, f"SARIF runs[{r_index}].results[{index}]")
            yield _sarif_result(result, rules, tool, f"SARIF runs[{r_index}].results[{index}]")


def _sarif_result(result: dict[str, Any], rules: dict[Any, Any], tool: str, where: str) -> Parsed:
    rule_id = _text(result.get("ruleId"), 200)
    rule = rules.get(rule_id) or {}
    message = result.get("message") or {}
    title = _text(message.get("text") or message.get("id") or rule_id, 500)
    vuln_id = rule_id or title[:200]
    if not vuln_id:
        raise _refuse(_("%(where)s has neither a ruleId nor a message."), where=where)
    location = _sarif_location(result)
    fingerprints = result.get("partialFingerprints") or result.get("fingerprints") or {}
    identity = json.dumps(fingerprints, sort_keys=True) if fingerprints else location
    suppressions = [s for s in result.get("suppressions") or [] if isinstance(s, dict)]
    suppressed = any(s.get("state", "accepted") == "accepted" for s in suppressions)
    reason = next((s.get("justification") for s in suppressions if s.get("justification")), "")
    return Parsed(
        key_fields=(tool, vuln_id, identity, title if not fingerprints else ""),
        vulnerability_id=vuln_id,
        severity=_sarif_severity(result, rule),
        title=title,
        location=location[:1000],
        status=FindingStatus.NOT_AFFECTED if suppressed else FindingStatus.OPEN,
        justification=(
            _text(reason or f"SARIF suppression: {suppressions[0].get('kind', '')}", 500)
            if suppressed
            else ""
        ),
    )


# --- CycloneDX JSON with vulnerabilities (and VEX analysis) ------------------------------------

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


def _cyclonedx(document: Any) -> Report:
    metadata = document.get("metadata") or {}
    refs = {
        c.get("bom-ref"): c
        for c in _cdx_components(
            [metadata.get("component"), *(_list(document.get("components"), "components"))]
        )
        if c.get("bom-ref")
    }
    vulnerabilities = _list(document.get("vulnerabilities"), "vulnerabilities")
    return Report(ReportFormat.CYCLONEDX, "CycloneDX", _cdx_findings(vulnerabilities, refs))


def _cdx_findings(vulnerabilities: list[Any], refs: dict[Any, Any]) -> Iterator[Parsed]:
    for index, vuln in enumerate(vulnerabilities, start=1):
        where = f"CycloneDX vulnerabilities[{index}]"
        vuln = _object(vuln, where)
        vuln_id = _required(vuln.get("id"), "id", where)
        analysis: dict[str, Any] = (
            vuln["analysis"] if isinstance(vuln.get("analysis"), dict) else {}
        )
        state = str(analysis.get("state") or "")
        aliases = tuple(
            sorted(
                {
                    _text(ref.get("id"), 200)
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
            package = _text(target.get("name") or ref, 300)
            version = _text(target.get("version"), 200)
            yield Parsed(
                key_fields=(target.get("purl") or ref, package, version, vuln_id),
                vulnerability_id=vuln_id,
                severity=_cdx_severity(vuln),
                title=_text(vuln.get("description") or vuln.get("detail"), 500),
                package_name=package,
                package_version=version,
                fixed_version=_text(vuln.get("recommendation"), 200),
                aliases=aliases,
                status=(
                    FindingStatus.NOT_AFFECTED
                    if state in CDX_NOT_AFFECTED
                    else FindingStatus.FIXED
                    if state == "resolved"
                    else FindingStatus.OPEN
                ),
                justification=_text(analysis.get("justification") or analysis.get("detail"), 500)
                if state in CDX_NOT_AFFECTED
                else "",
            )


# --- recognising the format --------------------------------------------------------------------


def _recognise(document: Any) -> Callable[[Any], Report | VexDocument]:
    if isinstance(document, list):
        if document and all(isinstance(item, dict) and "Target" in item for item in document):
            return _trivy
    elif isinstance(document, dict):
        if "SchemaVersion" in document and "Results" in document:
            return _trivy
        if "ClusterName" in document:
            return _trivy
        descriptor = document.get("descriptor")
        if "matches" in document and (
            (isinstance(descriptor, dict) and descriptor.get("name") == "grype")
            or "source" in document
        ):
            return _grype
        if "runs" in document and str(document.get("version", "")).startswith("2.1"):
            return _sarif
        if "runs" in document and "sarif" in str(document.get("$schema", "")).lower():
            raise _refuse(
                _("SARIF version %(version)s is not supported: only SARIF 2.1."),
                version=str(document.get("version", "?")),
            )
        if document.get("bomFormat") == "CycloneDX":
            return _cyclonedx
        if is_openvex(document):
            return read_openvex
        if is_csaf(document):
            return read_csaf
    raise _refuse(
        _(
            "The file is not a report samdrift recognises: expected Trivy JSON, Anchore Grype "
            "JSON, SARIF 2.1, CycloneDX JSON, OpenVEX or CSAF 2.0."
        )
    )


def parse(data: bytes) -> Report | VexDocument:
    """Read a report from its bytes: JSON formats by their content, XML as a Greenbone/OpenVAS
    report (ADR 0957). Refused with a message naming the problem: an empty file, a file too
    large, text that is not UTF-8 JSON (with the line and column), dangerous or broken XML, an
    unknown document, or a recognised document with a missing or malformed field."""
    if not data or not data.strip():
        raise _refuse(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise _refuse(_("The file is larger than %(limit)s MB."), limit=MAX_BYTES // 1024 // 1024)
    if data.lstrip()[:1] == b"<":
        root = safe_xml(data)
        if cyclonedx_xml.is_bom(root):  # CycloneDX XML: read as its JSON encoding (ADR 0969)
            return _cyclonedx(cyclonedx_xml.as_json(root))
        return greenbone_report(root)
    try:
        document = json.loads(data)
    except UnicodeDecodeError:
        raise _refuse(_("The file is not UTF-8 text.")) from None
    except json.JSONDecodeError as error:
        raise _refuse(
            _("The file is not valid JSON: %(problem)s at line %(line)s, column %(column)s."),
            problem=error.msg,
            line=error.lineno,
            column=error.colno,
        ) from None
    return _recognise(document)(document)


@contextmanager
def read_report(path: Path) -> Iterator[Report | VexDocument]:
    """Read a report from a file, as `parse` does, without holding a large JSON report in memory:
    its findings are read from the file as they are iterated, inside this block (ADR 0971). The
    whole file is checked as JSON before anything is yielded."""
    size = path.stat().st_size
    if size <= READ_WHOLE_UP_TO:
        yield parse(path.read_bytes())
        return
    with path.open("rb") as file:
        xml = file.read(4096).lstrip()[:1] == b"<"
    limit = MAX_BYTES if xml else MAX_STREAMED_BYTES
    if size > limit:
        raise _refuse(_("The file is larger than %(limit)s MB."), limit=limit // 1024 // 1024)
    if xml:  # Greenbone and CycloneDX XML are read whole (defusedxml)
        yield parse(path.read_bytes())
        return
    with ReportStream(path) as stream:
        yield _recognise(stream.document)(stream.document)
