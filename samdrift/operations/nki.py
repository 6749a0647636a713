"""The customer satisfaction index (NKI, nöjd-kund-index) as SCB computes it: three questions
answered on 1–10, each answer moved to 0–100 by (x − 1) ÷ 9 × 100, the index the mean over the
questions and the answers (ADR 0843)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

#: The three NKI questions, in the order they are asked.
QUESTIONS = (
    ("overall", _("How satisfied are you, all in all, with the service?")),
    ("expectations", _("How well does the service meet your expectations?")),
    ("ideal", _("How close is the service to an ideal service of its kind?")),
)
SCALE = range(1, 11)


def scaled(value: int) -> float:
    return (value - 1) / 9 * 100


def index(answers: Iterable[tuple[int, int, int]]) -> float | None:
    """NKI of these answers (0–100), or None when there are none."""
    rows = [sum(scaled(v) for v in answer) / 3 for answer in answers]
    return sum(rows) / len(rows) if rows else None
