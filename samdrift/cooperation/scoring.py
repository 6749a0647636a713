"""The first screening and the weighted score (ADR 0961): pure functions of the requirements
and the verdicts, so the page, the API, the CLI and the PDF report cannot disagree.

* Screening: a solution whose every `skall` requirement is *met* goes on; one with any `skall`
  requirement partly met, not met or not yet assessed is out, with those requirements listed.
* Score: over the `bör` and `önskvärd` requirements, Σ weight × factor / Σ weight, in per cent,
  with met = 1, partly = ½, not met or not assessed = 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .choices import FACTOR, Grade, Verdict


@dataclass(frozen=True)
class Req:
    id: int
    ref: str
    area: str
    grade: str
    weight: int


@dataclass
class Result:
    solution_id: int
    name: str
    failed: list[Req] = field(default_factory=list)  # skall not met (or not assessed)
    points: float = 0.0
    max_points: int = 0
    by_grade: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.failed

    @property
    def score(self) -> float | None:
        """Per cent of the weighted points, or None when nothing is weighted."""
        if not self.max_points:
            return None
        return round(100 * self.points / self.max_points, 1)


def evaluate(
    requirements: Sequence[Req],
    solutions: Sequence[tuple[int, str]],
    verdicts: Mapping[tuple[int, int], str],
) -> list[Result]:
    """One result per solution, ranked: those that pass the screening first, by score, then
    those that are out (fewest failed skall first); ties by name."""
    results = []
    for solution_id, name in solutions:
        result = Result(solution_id, name)
        for req in requirements:
            verdict = verdicts.get((solution_id, req.id))
            if req.grade == Grade.SKALL:
                if verdict != Verdict.MET:
                    result.failed.append(req)
                continue
            gained = req.weight * FACTOR.get(verdict, 0.0) if verdict else 0.0  # type: ignore[call-overload]
            result.points += gained
            result.max_points += req.weight
            result.by_grade[req.grade] = result.by_grade.get(req.grade, 0.0) + gained
        results.append(result)
    return sorted(
        results,
        key=lambda r: (not r.passed, len(r.failed), -(r.score or 0.0), r.name.casefold()),
    )
