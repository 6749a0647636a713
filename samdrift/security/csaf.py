"""Reading CSAF 2.0 advisories (ADR 0958): a vendor's statement of which of its products a
vulnerability affects, does not affect, or is fixed in. Imported for a component that runs the
vendor's product, each (product, vulnerability) pair is a finding: known affected (and first or
last affected) open, known not affected closed with the vendor's flag or threat text as the
justification, fixed fixed. The scope is the advisory (`CSAF <tracking id>`): a new revision of
the same advisory replaces the old, another advisory of the same vendor does not.
Deduplication key: advisory id, product id, vulnerability id.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from .choices import FindingStatus, ReportFormat
from .parsed import Parsed, Report, _score_severity, _severity
from .refusal import refuse, text

#: product_status groups (CSAF 2.0 §3.2.3.9) and the status each gives a finding.
STATUS_OF = {
    "known_affected": FindingStatus.OPEN,
    "first_affected": FindingStatus.OPEN,
    "last_affected": FindingStatus.OPEN,
    "known_not_affected": FindingStatus.NOT_AFFECTED,
    "fixed": FindingStatus.FIXED,
    "first_fixed": FindingStatus.FIXED,
}


def is_csaf(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and isinstance(document.get("document"), dict)
        and ("csaf_version" in document["document"])
    )


def _products(tree: Any) -> Iterator[dict[str, Any]]:
    """Every named product of a product tree: full names, branches (recursively), relationships."""
    if not isinstance(tree, dict):
        return
    for product in tree.get("full_product_names") or []:
        if isinstance(product, dict):
            yield product
    for branch in tree.get("branches") or []:
        if isinstance(branch, dict):
            if isinstance(branch.get("product"), dict):
                product = dict(branch["product"])
                if branch.get("category") == "product_version":
                    product.setdefault("version", str(branch.get("name") or ""))
                yield product
            yield from _products(branch)
    for relation in tree.get("relationships") or []:
        if isinstance(relation, dict) and isinstance(relation.get("full_product_name"), dict):
            yield relation["full_product_name"]


def read_csaf(document: dict[str, Any]) -> Report:
    head = document["document"]
    version = str(head.get("csaf_version"))
    if version != "2.0":
        raise refuse(
            _("CSAF version %(version)s is not supported: only CSAF 2.0."), version=version
        )
    tracking = head.get("tracking") if isinstance(head.get("tracking"), dict) else {}
    advisory = text(tracking.get("id"), 80)
    if not advisory:
        raise refuse(_("%(where)s has no %(what)s."), where="CSAF document", what="tracking.id")
    names = {
        str(p.get("product_id")): (text(p.get("name"), 300), text(p.get("version"), 200))
        for p in _products(document.get("product_tree"))
        if p.get("product_id")
    }
    report = Report(ReportFormat.CSAF, f"CSAF {advisory}")
    findings: list[Parsed] = []
    vulnerabilities = document.get("vulnerabilities") or []
    if not isinstance(vulnerabilities, list):
        raise refuse(_("%(what)s must be a list."), what="vulnerabilities")
    for number, vuln in enumerate(vulnerabilities, start=1):
        where = f"CSAF vulnerabilities[{number}]"
        if not isinstance(vuln, dict):
            raise refuse(_("%(where)s is not an object."), where=where)
        vuln_id = text(vuln.get("cve"), 200) or next(
            (text(i.get("text"), 200) for i in vuln.get("ids") or [] if isinstance(i, dict)), ""
        )
        if not vuln_id:
            raise refuse(_("%(where)s has no %(what)s."), where=where, what="cve")
        raw_status = vuln.get("product_status")
        statuses: dict[str, Any] = raw_status if isinstance(raw_status, dict) else {}
        threats = {
            pid: text(t.get("details"), 400)
            for t in vuln.get("threats") or [] if isinstance(t, dict)
            for pid in t.get("product_ids") or []
        }  # fmt: skip
        flags = {
            pid: text(f.get("label"), 100)
            for f in vuln.get("flags") or [] if isinstance(f, dict)
            for pid in f.get("product_ids") or []
        }  # fmt: skip
        fixes = {
            pid: text(r.get("details"), 200)
            for r in vuln.get("remediations") or []
            if isinstance(r, dict) and r.get("category") == "vendor_fix"
            for pid in r.get("product_ids") or []
        }  # fmt: skip
        for group, status in STATUS_OF.items():
            for product_id in statuses.get(group) or []:
                product_id = str(product_id)
                if product_id not in names:
                    raise refuse(
                        _("%(where)s names the product %(product)s, which its product tree "
                          "does not define."),
                        where=where, product=product_id[:80],
                    )  # fmt: skip
                name, version = names[product_id]
                why = flags.get(product_id) or threats.get(product_id, "")
                if status == FindingStatus.NOT_AFFECTED and not why:
                    raise refuse(
                        _("%(where)s says %(product)s is not affected without a flag or "
                          "threat saying why."),
                        where=where, product=product_id[:80],
                    )  # fmt: skip
                findings.append(
                    Parsed(
                        key_fields=(advisory, product_id, vuln_id),
                        vulnerability_id=vuln_id,
                        severity=_csaf_severity(vuln, product_id),
                        title=text(vuln.get("title") or head.get("title"), 500),
                        package_name=name,
                        package_version=version,
                        fixed_version=fixes.get(product_id, ""),
                        aliases=(advisory,),
                        status=status,
                        justification=why if status == FindingStatus.NOT_AFFECTED else "",
                    )
                )
    report.findings = findings
    return report


def _csaf_severity(vuln: dict[str, Any], product_id: str) -> str:
    for score in vuln.get("scores") or []:
        if not isinstance(score, dict) or product_id not in (score.get("products") or []):
            continue
        cvss = score.get("cvss_v3") or score.get("cvss_v2") or {}
        if isinstance(cvss, dict) and cvss.get("baseSeverity"):
            return _severity(cvss["baseSeverity"])
        if isinstance(cvss, dict) and isinstance(cvss.get("baseScore"), (int, float)):
            return _score_severity(float(cvss["baseScore"]))
    return _severity("")
