"""Reading Greenbone/OpenVAS reports (GMP `<report>` XML, ADR 0957).

One finding per result: a network vulnerability test (NVT, named by its OID) on a host and port.
The NVT's OID is the vulnerability id (one NVT covers many CVEs, which become its aliases); the
severity comes from the result's CVSS score; the location is the host (and host name) and port.
Deduplication key: host, port, OID.

The XML is parsed with defusedxml: a document type declaration, external entities or entity
expansion (billion laughs) are refused before anything is read. A large report is read from its
file as its results are iterated (`streamed_greenbone_report`), holding one result at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import iterparse
from django.utils.translation import gettext_lazy as _

from .choices import ReportFormat, Severity
from .parsed import Parsed, Report, _score_severity
from .refusal import refuse, text
from .safexml import safe_xml, xml_refusals, xml_root_tag


def _score(value: str | None) -> float | None:
    try:
        return float(value or "")
    except ValueError:
        return None


def _severity(score: float | None) -> str:
    return Severity.UNKNOWN if score is None else _score_severity(score)


def read_greenbone(data: bytes) -> Report:
    return greenbone_report(safe_xml(data))


def greenbone_report(root: Element) -> Report:
    if root.tag != "report":
        raise _neither()
    report = Report(ReportFormat.GREENBONE, "Greenbone")
    report.findings = [
        _finding(result, number) for number, result in enumerate(_results(root), start=1)
    ]
    return report


def _neither() -> Exception:
    return refuse(
        _(
            "The XML file is neither a Greenbone/OpenVAS report (<report>) nor a CycloneDX "
            "document (<bom>)."
        )
    )


def _finding(result: Element, number: int) -> Parsed:
    where = f"Greenbone results[{number}]"
    nvt = result.find("nvt")
    oid = text(nvt.get("oid") if nvt is not None else "", 200)
    if not oid:
        raise refuse(_("%(where)s has no %(what)s."), where=where, what="nvt oid")
    host_element = result.find("host")
    host = text(host_element.text if host_element is not None else "", 200)
    hostname = text(host_element.findtext("hostname") if host_element is not None else "", 200)
    port = text(result.findtext("port"), 100)
    score = _score(result.findtext("severity"))
    refs = nvt.find("refs") if nvt is not None else None
    cves = sorted({
        text(ref.get("id"), 200) for ref in (refs if refs is not None else [])
        if ref.get("type") == "cve" and ref.get("id")
    })  # fmt: skip
    location = " ".join(p for p in (host, f"({hostname})" if hostname else "", port) if p)
    name = result.findtext("name") or (nvt.findtext("name") if nvt is not None else "")
    solution = nvt.find("solution") if nvt is not None else None
    return Parsed(
        key_fields=(host, port, oid),
        vulnerability_id=oid,
        severity=_severity(score),
        title=text(name, 500),
        # Greenbone names no fixed version, only how to fix: VendorFix, Workaround, …
        fixed_version=text(solution.get("type") if solution is not None else "", 200),
        location=location[:1000],
        aliases=tuple(cves),
    )


def _results(root: Element) -> list[Element]:
    """The report's results: `report/results/result` or, in a GMP envelope, one level down."""
    found = []
    for results in root.iter("results"):
        found.extend(results.findall("result"))
    return found


# --- a report too large to hold: read from its file, one result at a time ------------------------


def streamed_greenbone_report(path: Path) -> Report:
    """A Greenbone report whose results are read from the file each time they are iterated.

    The whole file is checked as XML (no DTD, no entities) before this returns, as a JSON report
    is (ADR 0971); a result with a missing field is refused as it is reached. Any other XML
    file is refused once checked, as `greenbone_report` refuses it read whole."""
    for _result in _results_in_file(path, keep=False):
        pass
    if xml_root_tag(path) != "report":
        raise _neither()
    report = Report(ReportFormat.GREENBONE, "Greenbone")
    report.findings = _ReadFromFile(path)
    return report


class _ReadFromFile:
    """The report's findings, read from the file again on each iteration."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def __iter__(self) -> Iterator[Parsed]:
        for number, result in enumerate(_results_in_file(self._path, keep=True), start=1):
            yield _finding(result, number)


def _results_in_file(path: Path, *, keep: bool) -> Iterator[Element]:
    """Each `results/result` element of the file, complete, in document order. Everything else is
    dropped from the tree as soon as it ends, and each result once the caller has read it, so
    memory holds the path from the root and one result."""
    stack: list[Element] = []
    in_result = 0  # depth of the result being built, 0 outside one
    with xml_refusals(), path.open("rb") as file:
        for event, element in iterparse(file, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                stack.append(element)
                if not in_result and _is_result(stack):
                    in_result = len(stack)
                continue
            depth = len(stack)
            stack.pop()
            if in_result and depth > in_result:
                continue  # part of the result: kept until the result ends
            if in_result == depth:
                in_result = 0
                if keep:
                    yield element
            if stack:
                stack[-1].remove(element)


def _is_result(stack: list[Element]) -> bool:
    return len(stack) >= 2 and stack[-1].tag == "result" and stack[-2].tag == "results"
