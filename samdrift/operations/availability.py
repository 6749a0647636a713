"""Availability of a service over a period (issue 16 item 3): agreed hours less approved
maintenance, and the part of that lost to outages. Pure: no database, no clock.

`measure(calendar, start, end, outages=…, maintenance=…)` merges overlapping outages (an hour
down twice is down once), clips everything to [start, end), removes maintenance windows from
both the agreed time and the outages, and counts only agreed hours (a night outage on an
office-hours service costs nothing). The figure is `None` when no hours were agreed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .calendars import Calendar

Interval = tuple[dt.datetime, dt.datetime]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of half-open intervals (empty ones dropped)."""
    result: list[Interval] = []
    for lo, hi in sorted(i for i in intervals if i[1] > i[0]):
        if result and lo <= result[-1][1]:
            if hi > result[-1][1]:
                result[-1] = (result[-1][0], hi)
        else:
            result.append((lo, hi))
    return result


def clip(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    return merge((max(lo, start), min(hi, end)) for lo, hi in intervals)


def subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    """`intervals` less `holes` (both merged)."""
    result: list[Interval] = []
    for lo, hi in intervals:
        cursor = lo
        for h_lo, h_hi in holes:
            if h_hi <= cursor or h_lo >= hi:
                continue
            if h_lo > cursor:
                result.append((cursor, h_lo))
            cursor = max(cursor, h_hi)
            if cursor >= hi:
                break
        if cursor < hi:
            result.append((cursor, hi))
    return result


@dataclass(frozen=True)
class Availability:
    agreed_seconds: int
    maintenance_seconds: int
    down_seconds: int

    @property
    def percent(self) -> float | None:
        if self.agreed_seconds <= 0:
            return None
        return 100.0 * (self.agreed_seconds - self.down_seconds) / self.agreed_seconds

    def meets(self, target_percent: float) -> bool | None:
        value = self.percent
        return None if value is None else value >= target_percent


def measure(
    calendar: Calendar,
    start: dt.datetime,
    end: dt.datetime,
    *,
    outages: Iterable[Interval] = (),
    maintenance: Iterable[Interval] = (),
    agreed_total: int | None = None,
) -> Availability:
    """`agreed_total`: `calendar.business_seconds(start, end)` when the caller already has it
    (the same for every service on the same hours and period)."""
    windows = clip(maintenance, start, end)
    down = subtract(clip(outages, start, end), windows)

    def hours(intervals: list[Interval]) -> int:
        return sum(calendar.business_seconds(lo, hi) for lo, hi in intervals)

    maintenance_seconds = hours(windows)
    return Availability(
        agreed_seconds=(
            calendar.business_seconds(start, end) if agreed_total is None else agreed_total
        )
        - maintenance_seconds,
        maintenance_seconds=maintenance_seconds,
        down_seconds=hours(down),
    )
