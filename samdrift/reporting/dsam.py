"""The report's DSAM section (issue 18 item 5, ADR 0965): the published evaluations of shared
solutions, from cooperation's selectors for the actor. Per evaluation: how many solutions were
assessed, which pass the first screening (every skall met) and the best weighted score among
those. "No data" when none is published (ADR 0506)."""

from __future__ import annotations

from dataclasses import dataclass

from samdrift.cooperation.selectors import published_comparisons
from samdrift.core.actor import Actor


@dataclass(frozen=True)
class EvaluationLine:
    code: str
    title: str
    catalogue: str
    solutions: int
    passed: list[str]  # solutions that meet every skall requirement
    best: str  # the passing solution with the highest score ("" when none passes)
    best_score: float | None


def dsam_section(*, actor: Actor, year: int) -> list[EvaluationLine]:
    lines = []
    for c in published_comparisons(actor=actor, until_year=year):
        passing = [r for r in c.results if r.passed]
        top = max(passing, key=lambda r: (r.score or 0.0, r.name), default=None)
        lines.append(
            EvaluationLine(
                c.evaluation.code,
                c.evaluation.title,
                c.evaluation.catalogue.code,
                len(c.solutions),
                [r.name for r in passing],
                top.name if top else "",
                top.score if top else None,
            )
        )
    return lines
