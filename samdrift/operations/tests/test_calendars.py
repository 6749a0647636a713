"""Swedish public holidays and agreed hours (ADR 0805): checked against the published calendar
(Almanacka / Kungliga Vetenskapsakademien) for three years with different Easter dates."""

from __future__ import annotations

import datetime as dt

import pytest

from samdrift.operations.calendars import (
    CALENDARS,
    STOCKHOLM,
    easter_sunday,
    swedish_holidays,
    widest,
)

D = dt.date


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, D(2024, 3, 31)),
        (2025, D(2025, 4, 20)),
        (2026, D(2026, 4, 5)),
        (2038, D(2038, 4, 25)),
        (2008, D(2008, 3, 23)),
    ],
)
def test_easter(year, easter):
    assert easter_sunday(year) == easter


def test_holidays_of_2026():
    days = swedish_holidays(2026)
    assert {
        D(2026, 1, 1),
        D(2026, 1, 6),
        D(2026, 4, 3),
        D(2026, 4, 5),
        D(2026, 4, 6),
        D(2026, 5, 1),
        D(2026, 5, 14),
        D(2026, 5, 24),
        D(2026, 6, 6),
        D(2026, 6, 19),
        D(2026, 6, 20),
        D(2026, 10, 31),
        D(2026, 12, 24),
        D(2026, 12, 25),
        D(2026, 12, 26),
        D(2026, 12, 31),
    } == set(days)
    assert days[D(2026, 6, 19)] == "Midsommarafton"


def test_midsummer_and_all_saints_move_with_the_week():
    assert swedish_holidays(2025)[D(2025, 6, 20)] == "Midsommarafton"
    assert swedish_holidays(2025)[D(2025, 11, 1)] == "Alla helgons dag"
    assert swedish_holidays(2024)[D(2024, 6, 21)] == "Midsommarafton"
    assert swedish_holidays(2024)[D(2024, 11, 2)] == "Alla helgons dag"


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=STOCKHOLM)


def test_office_hours_count_only_weekdays_8_to_17():
    office = CALENDARS["office"]
    # Friday 16:00 → Monday 09:00: one hour on Friday, one on Monday.
    assert office.business_seconds(at(2026, 12, 4, 16), at(2026, 12, 7, 9)) == 2 * 3600
    # A whole week: five days of nine hours.
    assert office.business_seconds(at(2026, 11, 30), at(2026, 12, 7)) == 45 * 3600


def test_holidays_count_nothing_in_office_hours_but_do_around_the_clock():
    start, end = at(2026, 6, 19, 0), at(2026, 6, 20, 0)  # midsommarafton, a Friday
    assert CALENDARS["office"].business_seconds(start, end) == 0
    assert CALENDARS["24x7"].business_seconds(start, end) == 24 * 3600


def test_daylight_saving_day_keeps_wall_clock_hours():
    # 2026-03-29 is the spring change (a Sunday); Monday 30 March 08–17 is nine hours.
    office = CALENDARS["office"]
    assert office.business_seconds(at(2026, 3, 28), at(2026, 3, 31)) == 9 * 3600
    # Around the clock the Sunday has 23 real hours.
    assert CALENDARS["24x7"].business_seconds(at(2026, 3, 29), at(2026, 3, 30)) == 23 * 3600


def test_adding_business_time_skips_the_night_weekend_and_holiday():
    office = CALENDARS["office"]
    # Tuesday 23 Dec 2025 16:00 + 2 h: one hour that day; 24–26 Dec are closed, 27–28 weekend.
    due = office.add_business_seconds(at(2025, 12, 23, 16), 2 * 3600)
    assert due == at(2025, 12, 29, 9).astimezone(dt.UTC)
    assert office.business_seconds(at(2025, 12, 23, 16), due) == 2 * 3600


def test_the_widest_agreement_counts():
    assert widest(["office", "24x7", "extended"]) == "24x7"
    assert widest(["office"]) == "office"
