"""A published advisory as a CSAF 2.0 document (ADR 0967): pure, no database.

One document per advisory and audience: the provider's SOC gets every product, each customer
agency only the components that reach it and the services through which they do. When every
product is "known not affected" the document is a VEX (`csaf_vex`), otherwise a security
advisory. Every document is validated against the OASIS CSAF 2.0 JSON schema copied into
`data/csaf-2.0` (the CVSS schemas it references are read from there, never fetched).
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs

SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "csaf-2.0"
CVE = re.compile(r"^CVE-[0-9]{4}-[0-9]{4,}$")

AFFECTED = "known_affected"
FIXED = "fixed"
NOT_AFFECTED = "known_not_affected"

#: CSAF's flag labels (§3.2.3.5); OpenVEX's justifications use the same words.
FLAG_LABELS = {
    "component_not_present",
    "inline_mitigations_already_exist",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_not_present",
}


@dataclass(frozen=True)
class Product:
    """One component as the audience sees it, with its status for the vulnerability."""

    product_id: str
    name: str
    status: str
    fixed_version: str = ""
    justification: str = ""
    remediate_by: datetime.date | None = None


@dataclass(frozen=True)
class Revision:
    number: int
    date: datetime.datetime
    summary: str


@dataclass(frozen=True)
class Advisory:
    tracking_id: str
    provider: str
    namespace: str
    title: str
    summary: str
    vulnerability_id: str
    aliases: tuple[str, ...]
    severity: str
    revisions: tuple[Revision, ...]
    audience: str  # the agency's name, or "" for the provider's own copy


def category(products: list[Product]) -> str:
    if products and all(p.status == NOT_AFFECTED for p in products):
        return "csaf_vex"
    return "csaf_security_advisory"


def csaf_document(advisory: Advisory, products: list[Product]) -> dict[str, Any]:
    current = advisory.revisions[-1]
    distribution_text = (
        f"Endast för {advisory.audience} och {advisory.provider}. "
        f"For {advisory.audience} and {advisory.provider} only."
        if advisory.audience
        else f"Endast för {advisory.provider}. For {advisory.provider} only."
    )
    return {
        "document": {
            "category": category(products),
            "csaf_version": "2.0",
            "lang": "sv",
            "title": advisory.title,
            "aggregate_severity": {"text": advisory.severity},
            "distribution": {"text": distribution_text, "tlp": {"label": "AMBER"}},
            "notes": [{"category": "summary", "title": "Sammanfattning", "text": advisory.summary}],
            "publisher": {
                "category": "vendor",
                "name": advisory.provider,
                "namespace": advisory.namespace,
            },
            "tracking": {
                "id": advisory.tracking_id,
                "status": "final",
                "version": str(current.number),
                "initial_release_date": _date(advisory.revisions[0].date),
                "current_release_date": _date(current.date),
                "revision_history": [
                    {"number": str(r.number), "date": _date(r.date), "summary": r.summary}
                    for r in advisory.revisions
                ],
                "generator": {"engine": {"name": "samdrift"}},
            },
        },
        "product_tree": {
            "full_product_names": [{"name": p.name, "product_id": p.product_id} for p in products]
        },
        "vulnerabilities": [_vulnerability(advisory, products)],
    }


def _vulnerability(advisory: Advisory, products: list[Product]) -> dict[str, Any]:
    names = [advisory.vulnerability_id, *advisory.aliases]
    cve = next((name for name in names if CVE.match(name)), None)
    others = [name for name in dict.fromkeys(names) if name != cve]
    vulnerability: dict[str, Any] = {}
    if cve:
        vulnerability["cve"] = cve
    if others:
        vulnerability["ids"] = [{"system_name": _system(name), "text": name} for name in others]
    vulnerability["notes"] = [
        {"category": "description", "title": "Beskrivning", "text": advisory.title}
    ]
    status: dict[str, list[str]] = {}
    for product in products:
        status.setdefault(product.status, []).append(product.product_id)
    vulnerability["product_status"] = status
    remediations = [_remediation(p) for p in products if p.status == AFFECTED]
    if remediations:
        vulnerability["remediations"] = remediations
    not_affected = [p for p in products if p.status == NOT_AFFECTED]
    flags = [p for p in not_affected if p.justification in FLAG_LABELS]
    if flags:
        vulnerability["flags"] = [
            {
                "label": label,
                "product_ids": [p.product_id for p in flags if p.justification == label],
            }
            for label in sorted({p.justification for p in flags})
        ]
    if not_affected:
        vulnerability["threats"] = [
            {
                "category": "impact",
                "details": p.justification.replace("_", " ") or "Inte påverkad / not affected",
                "product_ids": [p.product_id],
            }
            for p in not_affected
        ]
    return vulnerability


def _remediation(product: Product) -> dict[str, Any]:
    deadline = (
        f" Åtgärdas senast {product.remediate_by:%Y-%m-%d} / to be remediated by "
        f"{product.remediate_by:%Y-%m-%d}."
        if product.remediate_by
        else ""
    )
    if product.fixed_version:
        return {
            "category": "vendor_fix",
            "details": f"Uppdateras till {product.fixed_version} / updated to "
            f"{product.fixed_version}.{deadline}",
            "product_ids": [product.product_id],
        }
    return {
        "category": "none_available",
        "details": f"Ingen rättad version ännu / no fixed version yet.{deadline}",
        "product_ids": [product.product_id],
    }


def _system(name: str) -> str:
    prefix = name.split("-", 1)[0].upper()
    return {"GHSA": "GitHub Security Advisory", "OSV": "OSV", "RHSA": "Red Hat"}.get(
        prefix, "samdrift"
    )


def _date(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass(frozen=True)
class ProductRow:
    name: str
    status: str
    remedy: str


def csaf_products(document: dict[str, Any]) -> list[ProductRow]:
    """What a stored document says of each product, in the order of its product status."""
    vulnerability = document["vulnerabilities"][0]
    names = {p["product_id"]: p["name"] for p in document["product_tree"]["full_product_names"]}
    remedies = {
        pid: r["details"] for r in vulnerability.get("remediations", []) for pid in r["product_ids"]
    }
    return [
        ProductRow(names.get(pid, pid), status, remedies.get(pid, ""))
        for status, ids in vulnerability["product_status"].items()
        for pid in ids
    ]


def _local_schema(uri: str) -> Any:
    """The CVSS schemas CSAF references, from the copies beside it (nothing is fetched)."""
    name = uri.rsplit("/", 1)[-1]
    path = SCHEMA_DIR / "referenced" / name
    if uri.startswith("https://www.first.org/cvss/") and path.is_file():
        return json.loads(path.read_text())
    raise ValueError(f"unknown schema {uri}")


@functools.cache
def _validator() -> Any:
    schema = json.loads((SCHEMA_DIR / "csaf.json").read_text())
    return jsonschema_rs.validator_for(schema, retriever=_local_schema, validate_formats=True)


def schema_errors(document: dict[str, Any]) -> list[str]:
    """Where the document breaks the CSAF 2.0 schema (empty when it is valid)."""
    return [
        f"{'/'.join(str(p) for p in error.instance_path)}: {error.message}"
        for error in _validator().iter_errors(document)
    ]
