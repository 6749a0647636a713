"""Legal reporting deadlines (issue 16 item 6, ADR 0820): CERT-SE (MSBFS 2020:8), NIS2 and GDPR
art. 33, computed from data (``data/legal_deadlines.json``), never hard-coded.

A pure function: the moment the provider became aware, the moments reports were made (the
met-records) and *now* in, one ``Deadline`` per rule out. Legal deadlines run in calendar time
(not agreed hours). A deadline measured from an earlier report (NIS2's final report, one month
after the notification) is only due once that report is made. A processor notice ("without undue
delay", for which the law names no hours) is due after the provider's own target in the data
(24 h, ADR 0844), one per customer agency.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "legal_deadlines.json"


@dataclass(frozen=True)
class ChecklistItem:
    """One piece of content the report must hold; `key` names it in the stored report."""

    key: str
    sv: str
    en: str

    def text(self, language: str) -> str:
        return self.sv if language == "sv" else self.en


@dataclass(frozen=True)
class Deadline:
    regime: str
    code: str
    law: str
    customer_id: int | None
    due_at: dt.datetime | None  # None: the report it is measured from is not made yet
    met_at: dt.datetime | None
    status: str  # "waiting", "open", "overdue", "met", "late"
    checklist: tuple[ChecklistItem, ...]
    sv: str = ""
    en: str = ""

    @property
    def key(self) -> str:
        return deadline_key(self.regime, self.code, self.customer_id)

    def label(self, language: str) -> str:
        return self.sv if language == "sv" else self.en


def deadline_key(regime: str, code: str, customer_id: int | None = None) -> str:
    suffix = f":{customer_id}" if customer_id is not None else ""
    return f"{regime}/{code}{suffix}"


@cache
def rules() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(DATA.read_text(encoding="utf-8"))["regimes"])


def regime_codes() -> tuple[str, ...]:
    return tuple(regime["code"] for regime in rules())


def regime_label(code: str, language: str) -> str:
    for regime in rules():
        if regime["code"] == code:
            return str(regime["sv"] if language == "sv" else regime["en"])
    return code


def rule_of(regime_code: str, code: str) -> dict[str, Any] | None:
    """The deadline rule *code* of *regime_code*, or None."""
    for regime in rules():
        if regime["code"] == regime_code:
            return next((r for r in regime["deadlines"] if r["code"] == code), None)
    return None


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day *months* later, the month's last day when it has fewer days."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _due(start: dt.datetime, rule: Mapping[str, Any]) -> dt.datetime:
    due = start + dt.timedelta(hours=rule.get("hours", 0), days=rule.get("days", 0))
    return add_months(due, rule["months"]) if "months" in rule else due


def _status(due_at: dt.datetime | None, met_at: dt.datetime | None, now: dt.datetime) -> str:
    if due_at is None:
        return "met" if met_at is not None else "waiting"
    if met_at is not None:
        return "met" if met_at <= due_at else "late"
    return "open" if now <= due_at else "overdue"


def compute(
    *,
    aware_at: dt.datetime,
    now: dt.datetime,
    regimes: Iterable[str],
    met: Mapping[str, dt.datetime] | None = None,
    customers: Iterable[int] = (),
) -> list[Deadline]:
    """Every deadline of the applicable *regimes*; *met* maps ``Deadline.key`` to when it was met."""
    if aware_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("aware datetimes required / tidpunkter med tidszon krävs")
    met = dict(met or {})
    wanted = set(regimes)
    unknown = wanted - set(regime_codes())
    if unknown:
        raise ValueError(f"unknown regime / okänd regim: {', '.join(sorted(unknown))}")
    customer_ids = sorted(set(customers))
    out: list[Deadline] = []
    for regime in rules():
        if regime["code"] not in wanted:
            continue
        for rule in regime["deadlines"]:
            targets: list[int | None] = list(customer_ids) if rule.get("per_customer") else [None]
            for customer in targets:
                if rule["after"] == "aware":
                    start: dt.datetime | None = aware_at
                else:
                    start = met.get(f"{regime['code']}/{rule['after']}")
                due_at = _due(start, rule) if start is not None else None
                key = deadline_key(regime["code"], rule["code"], customer)
                met_at = met.get(key)
                out.append(
                    Deadline(
                        regime=regime["code"],
                        code=rule["code"],
                        law=regime["law"],
                        customer_id=customer,
                        due_at=due_at,
                        met_at=met_at,
                        status=_status(due_at, met_at, now),
                        checklist=tuple(ChecklistItem(**item) for item in rule["checklist"]),
                        sv=rule["sv"],
                        en=rule["en"],
                    )
                )
    return out
