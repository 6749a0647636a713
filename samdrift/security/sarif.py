"""SARIF 2.1 of any tool (ADR 0951): a finding per result; suppressions close it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from .choices import FindingStatus, ReportFormat, Severity
from .fields import as_list, as_object, required
from .parsed import Parsed, Report, _score_severity, _severity
from .refusal import refuse, text

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


def sarif_report(document: Any) -> Report:
    runs = as_list(document.get("runs"), "SARIF runs")
    if not runs:
        raise refuse(_("The SARIF file has no runs: there is nothing to import."))
    tools = []
    for r_index, run in enumerate(runs, start=1):
        run = as_object(run, f"SARIF runs[{r_index}]")
        driver = ((run.get("tool") or {}).get("driver")) or {}
        tools.append(required(driver.get("name"), "tool.driver.name", f"SARIF runs[{r_index}]"))
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
        for index, result in enumerate(as_list(run.get("results"), "results"), start=1):
            result = as_object(result, f"SARIF runs[{r_index}].results[{index}]")
            yield _sarif_result(result, rules, tool, f"SARIF runs[{r_index}].results[{index}]")


def _sarif_result(result: dict[str, Any], rules: dict[Any, Any], tool: str, where: str) -> Parsed:
    rule_id = text(result.get("ruleId"), 200)
    rule = rules.get(rule_id) or {}
    message = result.get("message") or {}
    title = text(message.get("text") or message.get("id") or rule_id, 500)
    vuln_id = rule_id or title[:200]
    if not vuln_id:
        raise refuse(_("%(where)s has neither a ruleId nor a message."), where=where)
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
            text(reason or f"SARIF suppression: {suppressions[0].get('kind', '')}", 500)
            if suppressed
            else ""
        ),
    )
