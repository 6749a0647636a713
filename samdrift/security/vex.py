"""Reading OpenVEX documents (ADR 0955): statements that a vulnerability does or does not affect
a product, named by its package URL. A VEX document is not a scan: it reports no findings, it
states what is true of findings that scans report, now and in later imports.

Checked whole before anything is stored, like a scan report: a statement without a vulnerability
or products, an unknown status, or "not affected" without a justification or impact statement is
refused with the statement's number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from django.utils.translation import gettext_lazy as _

from .choices import VexStatus
from .refusal import refuse as _refuse
from .refusal import text as _text

#: The justifications OpenVEX defines for "not affected" (spec v0.2.0 §4.3).
JUSTIFICATIONS = frozenset({
    "component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist",
})  # fmt: skip


@dataclass(frozen=True)
class Product:
    """A package URL, with the name and version it names ("" when the purl has no version)."""

    purl: str
    name: str
    version: str

    @classmethod
    def from_purl(cls, purl: str) -> Product | None:
        """`pkg:type/namespace/name@version?qualifiers#subpath` (purl spec); None if not a purl."""
        if not purl.startswith("pkg:"):
            return None
        core = purl[4:].split("#", 1)[0].split("?", 1)[0].strip("/")
        path, _at, version = core.partition("@")
        parts = path.split("/")
        if len(parts) < 2 or not parts[-1]:
            return None
        return cls(purl, unquote(parts[-1]), unquote(version))

    def names(self, package_name: str, package_version: str) -> bool:
        """Whether this product is that package (any version when the purl gives none)."""
        return self.name == package_name and (not self.version or self.version == package_version)


@dataclass(frozen=True)
class Statement:
    number: int
    vulnerability_id: str
    aliases: tuple[str, ...]
    products: tuple[Product, ...]
    status: str
    justification: str  # OpenVEX's justification label, then its impact statement

    def concerns(self, vulnerability_id: str, aliases: list[str] | tuple[str, ...]) -> bool:
        ids = {self.vulnerability_id, *self.aliases}
        return vulnerability_id in ids or any(a in ids for a in aliases)


@dataclass(frozen=True)
class VexDocument:
    author: str
    statements: tuple[Statement, ...]
    tool: str = "OpenVEX"


def is_openvex(document: Any) -> bool:
    return isinstance(document, dict) and "openvex" in str(document.get("@context", "")).lower()


def read_openvex(document: dict[str, Any]) -> VexDocument:
    statements = document.get("statements")
    if not isinstance(statements, list) or not statements:
        raise _refuse(_("The OpenVEX document has no statements."))
    read = []
    for number, raw in enumerate(statements, start=1):
        where = f"OpenVEX statements[{number}]"
        if not isinstance(raw, dict):
            raise _refuse(_("%(where)s is not an object."), where=where)
        vulnerability = raw.get("vulnerability")
        if isinstance(vulnerability, str):  # the v0.0.x form
            vulnerability = {"name": vulnerability}
        if not isinstance(vulnerability, dict) or not _text(vulnerability.get("name"), 200):
            raise _refuse(_("%(where)s names no vulnerability."), where=where)
        name = _text(vulnerability.get("name"), 200)
        raw_aliases = vulnerability.get("aliases")
        aliases = tuple(
            _text(a, 200)
            for a in (raw_aliases if isinstance(raw_aliases, list) else [])
            if isinstance(a, str)
        )
        products = []
        for item in raw.get("products") or []:
            purl = item.get("@id") if isinstance(item, dict) else item
            product = Product.from_purl(str(purl or ""))
            if product is None:
                raise _refuse(
                    _("%(where)s names a product that is not a package URL: %(product)s"),
                    where=where, product=str(purl)[:200],
                )  # fmt: skip
            products.append(product)
        if not products:
            raise _refuse(_("%(where)s names no products."), where=where)
        status = str(raw.get("status") or "")
        if status not in VexStatus.values:
            raise _refuse(
                _("%(where)s has the status %(status)s; OpenVEX knows not_affected, affected, "
                  "fixed and under_investigation."),
                where=where, status=status[:50] or "–",
            )  # fmt: skip
        label = str(raw.get("justification") or "")
        impact = _text(raw.get("impact_statement"), 400)
        if label and label not in JUSTIFICATIONS:
            raise _refuse(
                _("%(where)s has the justification %(label)s, which OpenVEX does not define."),
                where=where, label=label[:80],
            )  # fmt: skip
        if status == VexStatus.NOT_AFFECTED and not (label or impact):
            raise _refuse(
                _("%(where)s says not affected without a justification or impact statement."),
                where=where,
            )
        justification = ": ".join(part for part in (label, impact) if part)[:500]
        read.append(Statement(number, name, aliases, tuple(products), status, justification))
    return VexDocument(_text(document.get("author"), 200), tuple(read))
