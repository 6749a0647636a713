"""The assignment's targets against what happened (issue 18 item 5, ADR 0515).

The targets are data, `goals.json` beside this module, not code: each names a report year, a
measure, the least acceptable figure and its wording in Swedish and English. The outcome is read
through onboarding's selectors for the actor: connection cases completed in the year (new
customer agencies realised) and cases opened in the year and not cancelled, for other agencies
(started). The file is checked whole when read; a broken file is a bilingual error naming the
target, never a silently shorter list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samdrift.core.actor import Actor
from samdrift.core.exceptions import ValidationFailed
from samdrift.onboarding.choices import CaseState
from samdrift.onboarding.selectors import case_list

GOALS_FILE = Path(__file__).with_name("goals.json")
MEASURES = ("realised", "started")


@dataclass(frozen=True)
class Target:
    year: int
    measure: str
    at_least: int
    sv: str
    en: str


@dataclass(frozen=True)
class GoalRow:
    target: Target
    outcome: int
    agencies: list[str]

    @property
    def text(self) -> str:
        return self.target.en if (get_language() or "sv").startswith("en") else self.target.sv

    @property
    def met(self) -> bool:
        return self.outcome >= self.target.at_least


def load_targets(path: Path = GOALS_FILE) -> list[Target]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        items = raw["targets"]
        if not isinstance(items, list):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        raise ValidationFailed(
            _("The goals file %(file)s is not a JSON object with a list of targets."),
            file=path.name,
        ) from None
    targets, errors = [], []
    for number, item in enumerate(items, start=1):
        ok = (
            isinstance(item, dict)
            and isinstance(item.get("year"), int)
            and item.get("measure") in MEASURES
            and isinstance(item.get("at_least"), int)
            and item["at_least"] >= 0
            and all(isinstance(item.get(k), str) and item[k].strip() for k in ("sv", "en"))
        )
        if not ok:
            errors.append(str(number))
            continue
        targets.append(
            Target(item["year"], item["measure"], item["at_least"], item["sv"], item["en"])
        )
    if errors:
        raise ValidationFailed(
            _(
                "Target %(numbers)s in the goals file needs a year, a measure (realised or "
                "started), a whole number at least 0 and a Swedish and an English text."
            ),
            numbers=", ".join(errors),
        )
    return targets


def goals_for(*, actor: Actor, year: int, path: Path = GOALS_FILE) -> list[GoalRow]:
    targets = [t for t in load_targets(path) if t.year == year]
    if not targets:
        return []
    realised: dict[int, str] = {}
    started: dict[int, str] = {}
    for case in case_list(actor=actor):
        name = case.organisation.name
        if case.state == CaseState.COMPLETED and case.closed_on and case.closed_on.year == year:
            realised[case.organisation_id] = name
        elif case.opened_on.year == year and case.state != CaseState.CANCELLED:
            started[case.organisation_id] = name
    for org_id in realised:
        started.pop(org_id, None)
    found = {"realised": realised, "started": started}
    return [
        GoalRow(t, len(found[t.measure]), sorted(found[t.measure].values(), key=str.casefold))
        for t in targets
    ]
