"""Capacity figures of a service (issue 16 item 4, ADR 0846): trend and headroom from samples.
Pure: samples in, figures out; no database.

* **Peak**: capacity is sized for the highest load, so the figures are peaks — of the last 30
  days, per month, and per year (the report's "demand doubled" is this year's peak over last
  year's).
* **Trend**: the least-squares slope of the daily peaks of the last 90 days, per 30 days.
* **Headroom**: capacity − the 30-day peak, and its share of the capacity; with a rising trend,
  the day the trend reaches the capacity.

Also the CSV the provider imports figures from: ``service;figure;time;value`` per line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .choices import CapacityKind

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Figures:
    latest: Decimal | None
    latest_at: dt.datetime | None
    peak_30d: Decimal | None
    monthly_peaks: list[tuple[str, Decimal]]  # ("2026-03", peak), oldest first
    yearly_peaks: dict[int, Decimal]
    capacity: Decimal | None
    headroom: Decimal | None  # capacity − peak_30d
    headroom_share: float | None  # headroom ÷ capacity
    trend_per_30d: float | None  # change of the daily peak per 30 days
    full_on: dt.date | None  # when the trend reaches the capacity (rising trend only)

    def growth(self, year: int) -> float | None:
        """This year's peak ÷ last year's: 2.0 is demand doubled."""
        now, before = self.yearly_peaks.get(year), self.yearly_peaks.get(year - 1)
        if now is None or not before:
            return None
        return float(now / before)


def _daily_peaks(samples: Iterable[tuple[dt.datetime, Decimal]]) -> dict[dt.date, Decimal]:
    peaks: dict[dt.date, Decimal] = {}
    for at, value in samples:
        day = at.date()
        if day not in peaks or value > peaks[day]:
            peaks[day] = value
    return peaks


def _slope(points: Sequence[tuple[float, float]]) -> float | None:
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _y in points) / n
    mean_y = sum(y for _x, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _y in points)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def figures(
    samples: Sequence[tuple[dt.datetime, Decimal]], *, capacity: Decimal | None, today: dt.date
) -> Figures:
    """*samples* (moment in local time, value) in any order."""
    ordered = sorted(samples)
    latest_at, latest = ordered[-1] if ordered else (None, None)
    daily = _daily_peaks(ordered)
    recent = [v for day, v in daily.items() if today - 30 * DAY < day <= today]
    peak_30d = max(recent) if recent else None
    monthly: dict[str, Decimal] = {}
    yearly: dict[int, Decimal] = {}
    for day, value in daily.items():
        month = day.strftime("%Y-%m")
        monthly[month] = max(monthly.get(month, value), value)
        yearly[day.year] = max(yearly.get(day.year, value), value)
    window = [
        ((day - today).days, float(value))
        for day, value in daily.items()
        if today - 90 * DAY < day <= today
    ]
    slope = _slope(window)
    trend = slope * 30 if slope is not None else None
    headroom = share = None
    full_on = None
    if capacity is not None and peak_30d is not None:
        headroom = capacity - peak_30d
        share = float(headroom / capacity)
        if slope and slope > 0 and headroom > 0:
            full_on = today + dt.timedelta(days=int(float(headroom) / slope))
    return Figures(
        latest=latest,
        latest_at=latest_at,
        peak_30d=peak_30d,
        monthly_peaks=sorted(monthly.items()),
        yearly_peaks=yearly,
        capacity=capacity,
        headroom=headroom,
        headroom_share=share,
        trend_per_30d=trend,
        full_on=full_on,
    )


@dataclass(frozen=True)
class Row:
    line: int
    service: str
    kind: str
    at: dt.datetime
    value: Decimal


def parse_csv(
    text: str, *, tz: dt.tzinfo, now: dt.datetime
) -> tuple[list[Row], list[tuple[str, str]]]:
    """Rows of ``service;figure;time;value`` (a header line is skipped; a comma may separate
    when there is no semicolon; a time without offset is *tz*). Returns the rows and every
    refused line as (Swedish, English) reasons; nothing is partial: callers store all or none."""
    rows: list[Row] = []
    errors: list[tuple[str, str]] = []
    kinds = set(CapacityKind.values)
    seen: set[tuple[str, str, dt.datetime]] = set()
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split(";" if ";" in line else ",")]
        if number == 1 and parts and parts[0].lower() in ("service", "tjänst", "tjanst"):
            continue
        if len(parts) != 4:
            errors.append(
                (
                    f"Rad {number}: skriv tjänst;mått;tid;värde.",
                    f"Line {number}: write service;figure;time;value.",
                )
            )
            continue
        code, kind, when, amount = parts
        if kind not in kinds:
            errors.append(
                (
                    f"Rad {number}: måttet ska vara ett av {', '.join(sorted(kinds))}, inte {kind}.",
                    f"Line {number}: the figure must be one of {', '.join(sorted(kinds))}, not {kind}.",
                )
            )
            continue
        try:
            at = dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
        except ValueError:
            errors.append(
                (
                    f"Rad {number}: tiden {when} ska skrivas som 2026-03-02 08:30.",
                    f"Line {number}: write the time {when} as 2026-03-02 08:30.",
                )
            )
            continue
        at = at if at.tzinfo else at.replace(tzinfo=tz)
        try:
            value = Decimal(amount.replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            value = Decimal(-1)
        if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
            errors.append(
                (
                    f"Rad {number}: värdet {amount} ska vara ett tal från 0.",
                    f"Line {number}: the value {amount} must be a number from 0.",
                )
            )
            continue
        if at > now:
            errors.append(
                (
                    f"Rad {number}: tiden {when} ligger i framtiden.",
                    f"Line {number}: the time {when} is in the future.",
                )
            )
            continue
        key = (code.upper(), kind, at)
        if key in seen:
            errors.append(
                (
                    f"Rad {number}: samma tjänst, mått och tid som en tidigare rad.",
                    f"Line {number}: the same service, figure and time as an earlier line.",
                )
            )
            continue
        seen.add(key)
        rows.append(Row(number, code.upper(), kind, at, value.quantize(Decimal("0.01"))))
    return rows, errors
