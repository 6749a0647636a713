"""The rule registry and its two profiles.

    from samdrift.accessibility.rules import PROFILES, run_profile

`pdfua1` is every PDF/UA-1 rule implemented, in veraPDF id order; `acrobat` is Acrobat's 32-rule
Full Check in the order and groups of its report.
"""

from __future__ import annotations

from samdrift.accessibility.engine.document import Document
from samdrift.accessibility.engine.results import RuleResult

from . import (  # noqa: F401 (importing registers the rules)
    annots,
    content_rules,
    document_rules,
    font_programs,
    fonts,
    structure,
)
from .acrobat import ACROBAT_RULES, GROUPS
from .registry import BY_VERAPDF, RULES, Context, Rule

__all__ = ["BY_VERAPDF", "GROUPS", "PROFILES", "RULES", "Rule", "run_profile", "verapdf_sort_key"]


def verapdf_sort_key(verapdf: str) -> tuple[tuple[int, ...], int]:
    clause, _, test = verapdf.rpartition("-")
    return tuple(int(p) for p in clause.split(".")), int(test)


PDFUA1_RULES: list[Rule] = sorted(
    (r for r in RULES.values() if r.kind == "pdfua"),
    key=lambda r: verapdf_sort_key(r.verapdf or "0-0"),
)
PROFILES: dict[str, list[Rule]] = {"acrobat": ACROBAT_RULES, "pdfua1": PDFUA1_RULES}


def run_profile(doc: Document, profile: str) -> list[RuleResult]:
    ctx = Context(doc)
    results = [rule.run(ctx) for rule in PROFILES[profile]]
    if profile == "acrobat":
        # Acrobat reports a rule with nothing to check (no forms, no tables…) as passed.
        for result in results:
            if result.status == "not_applicable":
                result.status = "passed"
                result.message = ""
    return results
