"""Legal reporting deadlines (issue 16 item 6, ADR 0820): CERT-SE (MSBFS 2020:8), NIS2 and GDPR
art. 33, computed from data (``data/legal_deadlines.json``), never hard-coded.

A pure function: the moment the provider became aware, the moments reports were made (the
met-records) and *now* in, one ``Deadline`` per rule out. Legal deadlines run in calendar time
(not agreed hours). A deadline measured from an earlier report (NIS2's final report, one month
after the notification) is only due once that report is made. A processor notice (``hours: 0``,
"without undue delay") is due at once, one per customer agency.
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
class Deadline:
    regime: str
    code: str
    law: str
    customer_id: int | None
    due_at: dt.datetime | None  # None: the report it is measured from is not made yet
    met_at: dt.datetime | None
    status: str  # "waiting", "open", "overdue", "met", "late"
    checklist: tuple[str, ...]

    @property
    def key(self) -> str:
        suffix = f":{self.customer_id}" if self.customer_id is not None else ""
        return f"{self.regime}/{self.code}{suffix}"


@cache
def rules() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(DATA.read_text(encoding="utf-8"))["regimes"])


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
    unknown = wanted - {regime["code"] for regime in rules()}
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
                key = f"{regime['code']}/{rule['code']}" + (
                    f":{customer}" if customer is not None else ""
                )
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
                        checklist=tuple(rule["checklist"]),
                    )
                )
    return out
