"""Reading Greenbone/OpenVAS reports (GMP `<report>` XML, ADR 0957).

One finding per result: a network vulnerability test (NVT, named by its OID) on a host and port.
The NVT's OID is the vulnerability id (one NVT covers many CVEs, which become its aliases); the
severity comes from the result's CVSS score; the location is the host (and host name) and port.
Deduplication key: host, port, OID.

The XML is parsed with defusedxml: a document type declaration, external entities or entity
expansion (billion laughs) are refused before anything is read.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.utils.translation import gettext_lazy as _

from .choices import ReportFormat, Severity
from .parsed import Parsed, Report, _score_severity
from .refusal import refuse, text


def _score(value: str | None) -> float | None:
    try:
        return float(value or "")
    except ValueError:
        return None


def _severity(score: float | None) -> str:
    return Severity.UNKNOWN if score is None else _score_severity(score)


def safe_xml(data: bytes) -> Element:
    """The document's root, or a refusal: no DTD, no entities (XXE, billion laughs)."""
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise refuse(
            _("The XML file declares a document type or entities, which samdrift does not read.")
        ) from None
    except ParseError as error:
        raise refuse(_("The file is not valid XML: %(problem)s."), problem=str(error)) from None


def read_greenbone(data: bytes) -> Report:
    return greenbone_report(safe_xml(data))


def greenbone_report(root: Element) -> Report:
    if root.tag != "report":
        raise refuse(
            _(
                "The XML file is neither a Greenbone/OpenVAS report (<report>) nor a CycloneDX "
                "document (<bom>)."
            )
        )
    report = Report(ReportFormat.GREENBONE, "Greenbone")
    findings: list[Parsed] = []
    for number, result in enumerate(_results(root), start=1):
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
        findings.append(
            Parsed(
                key_fields=(host, port, oid),
                vulnerability_id=oid,
                severity=_severity(score),
                title=text(name, 500),
                # Greenbone names no fixed version, only how to fix: VendorFix, Workaround, …
                fixed_version=text(solution.get("type") if solution is not None else "", 200),
                location=location[:1000],
                aliases=tuple(cves),
            )
        )
    report.findings = findings
    return report


def _results(root: Element) -> list[Element]:
    """The report's results: `report/results/result` or, in a GMP envelope, one level down."""
    found = []
    for results in root.iter("results"):
        found.extend(results.findall("result"))
    return found
