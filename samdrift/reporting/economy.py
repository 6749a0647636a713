"""The economic outcome and the billing-based indicators, read through billing's selectors.

Billing owns the fee model; the report only reads it, with the viewer's own rights (billing's
rule: finance, administrators and account managers read their own provider's fee model, the
first of theirs when they work for two; ADR 0664). When billing has no
closed year up to the report year, or the viewer may not read billing, the report leaves the
section out and says why in one sentence (ADR 0503).

Money is shown as the source report shows it: million kronor (Mkr), one decimal, half up.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language

from samdrift.billing.selectors import cost_pools, outcome_report, price_list, usage_list
from samdrift.core.actor import Actor
from samdrift.core.exceptions import PermissionDenied

ORE_PER_MSEK = Decimal(100_000_000)
ONE_DECIMAL = Decimal("0.1")
TWO_DECIMALS = Decimal("0.01")


def msek(ore: int) -> Decimal:
    return (Decimal(ore) / ORE_PER_MSEK).quantize(ONE_DECIMAL, ROUND_HALF_UP)


@dataclass(frozen=True)
class OutcomeLine:
    year: int
    fee_area: str
    fee_area_sv: str
    fee_area_en: str
    grant_msek: Decimal  # the build-up grant (bidrag), until the fees replaced it (ADR 0510)
    revenue_msek: Decimal  # fees
    cost_msek: Decimal  # every cost of the area, the grant-financed included
    result_msek: Decimal
    accumulated_msek: Decimal

    @property
    def fee_area_name(self) -> str:
        name = self.fee_area_en if (get_language() or "sv").startswith("en") else self.fee_area_sv
        return name or self.fee_area


@dataclass(frozen=True)
class UnitFigure:
    """Indicators 3–5 for one service; None where billing has no figure."""

    service: str
    units: Decimal | None = None
    cost_per_unit_sek: Decimal | None = None
    fee_change_pct: Decimal | None = None


@dataclass(frozen=True)
class Outcome:
    """`available` False: the viewer may not read billing (the section says so)."""

    year: int
    available: bool
    lines: list[OutcomeLine] = field(default_factory=list)
    units: list[UnitFigure] = field(default_factory=list)

    @property
    def has_lines(self) -> bool:
        return bool(self.lines)

    @property
    def accumulated_msek(self) -> Decimal | None:
        last = [line.accumulated_msek for line in self.lines if line.year == self.year]
        return sum(last, Decimal(0)) if last else None

    def units_text(self) -> str | None:
        parts = [f"{u.service}: {_num(u.units)}" for u in self.units if u.units is not None]
        return "; ".join(parts) or None

    def unit_cost_text(self) -> str | None:
        parts = [
            f"{u.service}: {_num(u.cost_per_unit_sek)} kr"
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
    # Swedish number format (decimal comma): the document is Swedish first.
    return (
        "" if value is None else str(value.quantize(TWO_DECIMALS, ROUND_HALF_UP)).replace(".", ",")
    )


def outcome_for(*, actor: Actor, year: int) -> Outcome:
    try:
        rows = outcome_report(actor=actor, year=year)
        units = _unit_figures(actor, year)
    except PermissionDenied:
        return Outcome(year=year, available=False)
    lines = [
        OutcomeLine(
            year=row.year,
            fee_area=row.fee_area,
            fee_area_sv=row.fee_area_sv,
            fee_area_en=row.fee_area_en,
            grant_msek=msek(row.grant_ore),
            revenue_msek=msek(row.revenue_ore),
            cost_msek=msek(row.cost_ore + row.grant_ore),
            result_msek=msek(row.result_ore),
            accumulated_msek=msek(row.accumulated_ore),
        )
        for row in rows
    ]
    return Outcome(year=year, available=True, lines=lines, units=units)


def _unit_figures(actor: Actor, year: int) -> list[UnitFigure]:
    """Units measured in the year (indicator 3), cost in the fee base per unit (4), and the
    change of the unit price between the prices in force on 1 July of the year before and of the
    year (5)."""
    units: dict[str, Decimal] = defaultdict(Decimal)
    for usage in usage_list(actor=actor, year=year):
        units[usage.service.code] += usage.quantity
    cost: dict[str, int] = defaultdict(int)
    for pool in cost_pools(actor=actor, year=year):
        if pool["in_fee_base"] and pool["service__code"]:
            cost[pool["service__code"]] += int(pool["total"] or 0)
    now, before = datetime.date(year, 7, 1), datetime.date(year - 1, 7, 1)
    price_now: dict[str, Decimal] = {}
    price_before: dict[str, Decimal] = {}
    for price in price_list(actor=actor):
        for day, target in ((now, price_now), (before, price_before)):
            if price.valid_from <= day and (price.valid_to is None or price.valid_to >= day):
                target[price.service.code] = price.unit_price  # later versions come last
    figures = []
    for code in sorted(set(units) | set(cost) | set(price_now)):
        quantity = units.get(code)
        per_unit = None
        if quantity and code in cost:
            per_unit = (Decimal(cost[code]) / 100 / quantity).quantize(TWO_DECIMALS, ROUND_HALF_UP)
        change = None
        if price_before.get(code) and code in price_now:
            change = ((price_now[code] - price_before[code]) * 100 / price_before[code]).quantize(
                ONE_DECIMAL, ROUND_HALF_UP
            )
        figures.append(UnitFigure(code, quantity, per_unit, change))
    return figures
