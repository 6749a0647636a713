"""The economic outcome, from the billing app when it has one for the year.

Billing is built in parallel by another team; the report must work before and after it lands.
So this module looks the billing function up at run time (ADR 0503) and turns whatever it returns
into the report's own small shape. With no function, or no data for the year, the report leaves
the section out and says so in one sentence.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from samdrift.accounts.actor import Actor

# (module, function) pairs tried in order; the first that exists and returns data wins.
BILLING_SOURCES: tuple[tuple[str, str], ...] = (
    ("samdrift.billing.selectors", "economic_outcome"),
    ("samdrift.billing.selectors", "cost_recovery_report"),
)


@dataclass(frozen=True)
class OutcomeLine:
    label: str
    revenue_sek: Decimal | None
    cost_sek: Decimal | None

    @property
    def result_sek(self) -> Decimal | None:
        if self.revenue_sek is None or self.cost_sek is None:
            return None
        return self.revenue_sek - self.cost_sek


@dataclass(frozen=True)
class UnitFigure:
    service: str
    units: Decimal | None
    unit: str
    cost_per_unit_sek: Decimal | None
    fee_change_pct: Decimal | None


@dataclass(frozen=True)
class Outcome:
    year: int
    lines: list[OutcomeLine]
    accumulated_sek: Decimal | None = None
    units: list[UnitFigure] = field(default_factory=list)

    def totals(self) -> OutcomeLine:
        revenue = sum((line.revenue_sek or Decimal(0) for line in self.lines), Decimal(0))
        cost = sum((line.cost_sek or Decimal(0) for line in self.lines), Decimal(0))
        return OutcomeLine("", revenue, cost)

    def units_text(self) -> str | None:
        parts = [
            f"{u.service}: {_num(u.units)} {u.unit}" for u in self.units if u.units is not None
        ]
        return "; ".join(parts) or None

    def unit_cost_text(self) -> str | None:
        parts = [
            f"{u.service}: {_num(u.cost_per_unit_sek)} kr/{u.unit}"
            for u in self.units
            if u.cost_per_unit_sek is not None
        ]
        return "; ".join(parts) or None

    def fee_change_text(self) -> str | None:
        parts = [
            f"{u.service}: {_num(u.fee_change_pct)} %"
            for u in self.units
            if u.fee_change_pct is not None
        ]
        return "; ".join(parts) or None


def _num(value: Decimal | None) -> str:
    if value is None:
        return ""
    return str(value.quantize(Decimal("0.01"), ROUND_HALF_UP)).replace(".", ",")


def _billing_function() -> Callable[..., Any] | None:
    for module_name, function_name in BILLING_SOURCES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        function = getattr(module, function_name, None)
        if callable(function):
            return function
    return None


def outcome_for(*, actor: Actor, year: int) -> Outcome | None:
    """The year's outcome, or None when billing has no function or no data for it."""
    function = _billing_function()
    if function is None:
        return None
    raw = function(actor=actor, year=year)
    return adapt(raw, year)


def adapt(raw: Any, year: int) -> Outcome | None:
    """Turn billing's answer into an `Outcome`. Accepts an `Outcome`, or an object/dict with
    `lines` (label, revenue, cost in öre or kronor) — whatever billing settles on is mapped here,
    in one place."""
    if raw is None:
        return None
    if isinstance(raw, Outcome):
        return raw if raw.lines else None
    lines_raw = _get(raw, "lines") or _get(raw, "rows") or []
    lines = [
        OutcomeLine(
            label=str(_get(item, "label") or _get(item, "service") or ""),
            revenue_sek=_sek(item, "revenue"),
            cost_sek=_sek(item, "cost"),
        )
        for item in lines_raw
    ]
    if not lines:
        return None
    return Outcome(year=year, lines=lines, accumulated_sek=_sek(raw, "accumulated"))


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _sek(obj: Any, stem: str) -> Decimal | None:
    """Money as kronor: `<stem>_ore` (integer öre, the project's unit) or `<stem>_sek`/`<stem>`."""
    ore = _get(obj, f"{stem}_ore")
    if ore is not None:
        return Decimal(int(ore)) / 100
    value = _get(obj, f"{stem}_sek")
    if value is None:
        value = _get(obj, stem)
    return None if value is None else Decimal(str(value))
