"""Billing periods are calendar months, written YYYY-MM and stored as the month's first day."""

from __future__ import annotations

import calendar
import datetime
import re

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(text: str) -> datetime.date:
    """'2024-01' → 2024-01-01; raises ValueError for anything else."""
    match = _PERIOD.match(str(text).strip())
    if not match:
        raise ValueError(text)
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise ValueError(text)
    return datetime.date(year, month, 1)


def period_end(period: datetime.date) -> datetime.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def next_period(period: datetime.date) -> datetime.date:
    return datetime.date(period.year + (period.month == 12), period.month % 12 + 1, 1)


def label(period: datetime.date) -> str:
    return period.strftime("%Y-%m")


def months_of(year: int) -> list[datetime.date]:
    return [datetime.date(year, month, 1) for month in range(1, 13)]
