"""Availability against agreed hours less approved maintenance (issue 16 item 3)."""

from __future__ import annotations

import datetime as dt

from samdrift.operations.availability import measure, merge, subtract
from samdrift.operations.calendars import STOCKHOLM, calendar_for


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    # 2026-03-02 is a Monday; no holidays that week.
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=STOCKHOLM)


WEEK = (at(2, 0), at(9, 0))


def test_merge_and_subtract() -> None:
    a, b, c = at(2, 8), at(2, 10), at(2, 12)
    assert merge([(b, c), (a, b), (a, a)]) == [(a, c)]
    assert subtract([(a, c)], [(b, b.replace(hour=11))]) == [(a, b), (b.replace(hour=11), c)]
    assert subtract([(a, b)], [(a, c)]) == []


def test_no_outage_is_full_availability() -> None:
    result = measure(calendar_for("24x7"), *WEEK)
    assert result.agreed_seconds == 7 * 86400
    assert result.percent == 100.0


def test_office_hours_count_only_agreed_time() -> None:
    office = calendar_for("office")
    night = measure(office, *WEEK, outages=[(at(3, 20), at(4, 6))])
    assert night.agreed_seconds == 5 * 9 * 3600
    assert night.down_seconds == 0
    # 07:00-09:00 on Tuesday: one agreed hour lost.
    morning = measure(office, *WEEK, outages=[(at(3, 7), at(3, 9))])
    assert morning.down_seconds == 3600
    assert round(morning.percent or 0, 4) == round(100 * (45 - 1) / 45, 4)


def test_overlapping_outages_count_once_and_are_clipped() -> None:
    result = measure(
        calendar_for("24x7"),
        *WEEK,
        outages=[(at(2, 10), at(2, 12)), (at(2, 11), at(2, 13)), (at(1, 23), at(2, 1))],
    )
    assert result.down_seconds == 4 * 3600


def test_approved_maintenance_is_neither_agreed_nor_down() -> None:
    result = measure(
        calendar_for("24x7"),
        *WEEK,
        outages=[(at(4, 1), at(4, 5))],
        maintenance=[(at(4, 0), at(4, 3))],
    )
    assert result.maintenance_seconds == 3 * 3600
    assert result.agreed_seconds == 7 * 86400 - 3 * 3600
    assert result.down_seconds == 2 * 3600
    assert result.meets(98.5) is True
    assert result.meets(99.0) is False


def test_no_agreed_hours_has_no_figure() -> None:
    weekend = (at(7, 0), at(9, 0))
    result = measure(calendar_for("office"), *weekend, outages=[weekend])
    assert result.agreed_seconds == 0
    assert result.percent is None
    assert result.meets(99.0) is None


def test_only_approved_changes_are_maintenance(ops) -> None:
    from samdrift.operations import selectors, services

    operator = ops.actor("operator")
    start = dt.datetime(2026, 12, 7, 18, 0, tzinfo=STOCKHOLM)
    approved = services.change_create(
        actor=operator,
        service_code="BASE",
        kind="standard",
        title="Patch",
        window_start=start,
        window_end=start + dt.timedelta(hours=2),
    )
    services.change_create(  # a draft: not approved maintenance
        actor=operator,
        service_code="BASE",
        kind="normal",
        title="Uppgradering",
        window_start=start + dt.timedelta(hours=3),
        window_end=start + dt.timedelta(hours=5),
    )
    week = (start - dt.timedelta(days=1), start + dt.timedelta(days=1))
    windows = selectors.maintenance_windows(
        service_id=approved.service_id, start=week[0], end=week[1]
    )
    assert windows == [(approved.window_start, approved.window_end)]
    result = measure(
        calendar_for("24x7"),
        *week,
        outages=[(start, start + dt.timedelta(hours=5))],
        maintenance=windows,
    )
    assert result.maintenance_seconds == 2 * 3600
    assert result.down_seconds == 3 * 3600


def test_a_given_agreed_total_is_the_calendars_and_is_cached_per_period() -> None:
    from samdrift.operations.selectors import agreed_seconds

    office = calendar_for("office")
    outages = [(at(3, 7), at(3, 9))]
    total = agreed_seconds("office", *WEEK)
    assert total == office.business_seconds(*WEEK) == 5 * 9 * 3600
    assert measure(office, *WEEK, outages=outages, agreed_total=total) == measure(
        office, *WEEK, outages=outages
    )
    hits = agreed_seconds.cache_info().hits
    agreed_seconds("office", *WEEK)
    assert agreed_seconds.cache_info().hits == hits + 1
