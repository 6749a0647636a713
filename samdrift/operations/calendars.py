"""Agreed service hours as a calendar: weekly windows in Swedish local time, less Swedish public
holidays (ADR 0803, 0805). Pure: no database, no clock.

The catalogue stores a service's support hours as one of three levels (`office`, `extended`,
`24x7`); this module is their structured meaning. A 24/7 agreement counts holidays too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DAY = 86400


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _saturday_between(first: dt.date) -> dt.date:
    """The Saturday in the seven days from `first`."""
    return first + dt.timedelta(days=(5 - first.weekday()) % 7)


@lru_cache(maxsize=256)
def swedish_holidays(year: int) -> dict[dt.date, str]:
    """Public holidays (lag 1989:253 om allmänna helgdagar) and the eves that are non-working
    days in practice for state agencies (midsommarafton, julafton, nyårsafton), by date."""
    easter = easter_sunday(year)
    midsummer = _saturday_between(dt.date(year, 6, 20))
    return {
        dt.date(year, 1, 1): "Nyårsdagen",
        dt.date(year, 1, 6): "Trettondedag jul",
        easter - dt.timedelta(days=2): "Långfredagen",
        easter: "Påskdagen",
        easter + dt.timedelta(days=1): "Annandag påsk",
        dt.date(year, 5, 1): "Första maj",
        easter + dt.timedelta(days=39): "Kristi himmelsfärdsdag",
        easter + dt.timedelta(days=49): "Pingstdagen",
        dt.date(year, 6, 6): "Sveriges nationaldag",
        midsummer - dt.timedelta(days=1): "Midsommarafton",
        midsummer: "Midsommardagen",
        _saturday_between(dt.date(year, 10, 31)): "Alla helgons dag",
        dt.date(year, 12, 24): "Julafton",
        dt.date(year, 12, 25): "Juldagen",
        dt.date(year, 12, 26): "Annandag jul",
        dt.date(year, 12, 31): "Nyårsafton",
    }


def is_holiday(day: dt.date) -> bool:
    return day in swedish_holidays(day.year)


@dataclass(frozen=True)
class Calendar:
    """`windows[weekday]` = (start, end) seconds after local midnight (Monday = 0), or None."""

    code: str
    windows: tuple[tuple[int, int] | None, ...]
    holidays_closed: bool = True
    tz: ZoneInfo = STOCKHOLM

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        window = self.windows[day.weekday()]
        if window is None or (self.holidays_closed and is_holiday(day)):
            return None
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=self.tz)
        # Wall-clock hours: on the days clocks change, 08:00 is still 08:00.
        start = midnight + dt.timedelta(seconds=window[0])
        end = (
            dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=self.tz)
            if window[1] >= DAY
            else midnight + dt.timedelta(seconds=window[1])
        )
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    def business_seconds(self, start: dt.datetime, end: dt.datetime) -> int:
        """Seconds of agreed hours in [start, end)."""
        if end <= start:
            return 0
        total = 0
        day = start.astimezone(self.tz).date() - dt.timedelta(days=1)
        last = end.astimezone(self.tz).date()
        while day <= last:
            window = self._window(day)
            if window is not None:
                lo, hi = max(window[0], start), min(window[1], end)
                if hi > lo:
                    total += int((hi - lo).total_seconds())
            day += dt.timedelta(days=1)
        return total

    def add_business_seconds(self, start: dt.datetime, seconds: int) -> dt.datetime | None:
        """The moment `seconds` of agreed hours after `start` (None past two years: no hours)."""
        remaining = max(0, seconds)
        day = start.astimezone(self.tz).date() - dt.timedelta(days=1)
        for _ in range(732):
            window = self._window(day)
            day += dt.timedelta(days=1)
            if window is None or window[1] <= start:
                continue
            lo = max(window[0], start)
            available = int((window[1] - lo).total_seconds())
            if remaining <= available:
                return lo + dt.timedelta(seconds=remaining)
            remaining -= available
        return None


WEEKDAYS = 5

#: The catalogue's support-hours levels as calendars (ADR 0803).
CALENDARS: dict[str, Calendar] = {
    "office": Calendar("office", tuple([(8 * 3600, 17 * 3600)] * WEEKDAYS + [None, None])),
    "extended": Calendar("extended", tuple([(7 * 3600, 19 * 3600)] * WEEKDAYS + [None, None])),
    "24x7": Calendar("24x7", tuple([(0, DAY)] * 7), holidays_closed=False),
}

#: When one agency reaches an incident through several of its services, the widest agreement
#: counts (ADR 0803): the customer is promised the most hours it has bought.
WIDTH = {"office": 0, "extended": 1, "24x7": 2}


def calendar_for(support_hours: str) -> Calendar:
    return CALENDARS.get(support_hours, CALENDARS["office"])


def widest(levels: list[str]) -> str:
    return max(levels, key=lambda level: WIDTH.get(level, 0)) if levels else "office"
