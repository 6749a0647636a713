"""The one rule registry: every rule, PDF/UA or Acrobat, is a `Rule` in `RULES`.

A PDF/UA rule is keyed by its veraPDF id (`<clause>-<testNumber>` in PDFUA-1.xml) and carries
our stable id. An Acrobat rule (the 32 of Acrobat's Full Check) is usually composed of PDF/UA
rules (`parts`) plus, where Acrobat checks more than PDF/UA does, a check of its own.

A check returns `None` when the rule does not apply to the document, otherwise the list of
findings: empty means passed. Manual and skipped Acrobat rules have no check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from samdrift.accessibility.engine.content import ContentFacts, scan
from samdrift.accessibility.engine.document import Document, Element
from samdrift.accessibility.engine.results import Finding, RuleResult, Status

Kind = Literal["pdfua", "acrobat", "heuristic", "manual", "optional"]
Check = Callable[["Context"], "list[Finding] | None"]
MAX_FINDINGS = 20


class Context:
    """What one check run shares: the document, the content scan, and rule outcomes."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.outcomes: dict[str, list[Finding] | None] = {}
        self.cache: dict[str, Any] = {}  # intermediate results shared by several rules

    @cached_property
    def content(self) -> ContentFacts:
        return scan(self.doc)

    def outcome(self, rule: Rule) -> list[Finding] | None:
        if rule.id not in self.outcomes:
            self.outcomes[rule.id] = rule.check(self) if rule.check is not None else None
        return self.outcomes[rule.id]


@dataclass(frozen=True)
class Rule:
    id: str
    kind: Kind
    label_en: str
    label_sv: str
    verapdf: str | None = None
    acrobat: str | None = None
    group: str | None = None  # Acrobat's group (Dokument, Sidinnehåll, …)
    wcag: tuple[str, ...] = ()
    en301549: tuple[str, ...] = ()
    matterhorn: tuple[str, ...] = ()
    check: Check | None = None
    parts: tuple[str, ...] = field(default=())  # veraPDF ids this Acrobat rule is made of
    description_sv: str = ""  # the rule's one-line description in the report (Acrobat's wording)
    description_en: str = ""

    def run(self, ctx: Context) -> RuleResult:
        if self.kind == "manual":
            return self._result("manual", [], "Needs a manual check.")
        if self.kind == "optional":
            return self._result("skipped", [], "Off by default, as in Acrobat.")
        findings: list[Finding] = []
        applicable = False
        for part in self.parts:
            outcome = ctx.outcome(BY_VERAPDF[part])
            if outcome is not None:
                applicable = True
                findings.extend(outcome)
        if self.check is not None and not self.parts:
            outcome = ctx.outcome(self)
            applicable = outcome is not None
            findings = list(outcome or [])
        elif self.check is not None:
            own = self.check(ctx)
            if own is not None:
                applicable = True
                findings.extend(own)
        if not applicable:
            return self._result("not_applicable", [], "Nothing in the document to check.")
        if not findings:
            return self._result("passed", [], "")
        if self.kind == "heuristic":
            return self._result("manual", findings, findings[0].message + " Check it manually.")
        first = findings[0].message
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        return self._result("failed", findings, first + more)

    def _result(self, status: Status, findings: list[Finding], message: str) -> RuleResult:
        return RuleResult(
            rule=self.id,
            verapdf=self.verapdf if self.verapdf else (",".join(self.parts) or None),
            acrobat=self.acrobat,
            status=status,
            count=len(findings),
            message=message,
            findings=findings[:MAX_FINDINGS],
        )


RULES: dict[str, Rule] = {}
BY_VERAPDF: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.id in RULES:
        raise ValueError(f"duplicate rule id {rule.id}")
    RULES[rule.id] = rule
    if rule.verapdf:
        if rule.verapdf in BY_VERAPDF:
            raise ValueError(f"duplicate veraPDF id {rule.verapdf}")
        BY_VERAPDF[rule.verapdf] = rule
    return rule


def pdfua(
    verapdf: str,
    rule_id: str,
    label_en: str,
    label_sv: str,
    *,
    wcag: tuple[str, ...] = ("1.3.1",),
    matterhorn: tuple[str, ...] = (),
) -> Callable[[Check], Check]:
    """Register a PDF/UA-1 rule; the decorated function is its check."""

    def wrap(check: Check) -> Check:
        register(
            Rule(
                id=rule_id,
                kind="pdfua",
                verapdf=verapdf,
                label_en=label_en,
                label_sv=label_sv,
                wcag=wcag,
                en301549=tuple(f"10.{c}" for c in wcag),
                matterhorn=matterhorn,
                check=check,
            )
        )
        return check

    return wrap


def findings(items: list[tuple[str, int | None, str | None]]) -> list[Finding]:
    return [Finding(message, page, obj) for message, page, obj in items]


def element_finding(doc: Document, element: Element, message: str) -> Finding:
    page = None
    if element.page is not None:
        try:
            page = doc.page_index.get(element.page.objgen)
        except (AttributeError, ValueError):
            page = None
    return Finding(message, page + 1 if page is not None else None, element.ref)
