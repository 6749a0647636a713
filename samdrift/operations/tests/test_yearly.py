"""The report's service operations section (issue 16 item 7, ADR 0847): incidents per priority
with the agencies' clocks, availability per published service, and capacity peaks against the
year before — counts and service figures, never an agency or an incident's text."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from samdrift.operations import services
from samdrift.operations.yearly import operations_year
from samdrift.reporting.documents import render_document_html
from samdrift.reporting.selectors import government_report


def test_the_year_in_numbers_and_in_the_report(ops):
    operator = ops.actor("operator")
    # A Wednesday afternoon of this year: 30 hours back is Tuesday morning, so every clock has run
    # past a P1's target whatever its service hours (with "now" the count hung on the hour).
    today = timezone.localdate()
    wednesday = today - dt.timedelta(days=(today.weekday() - 2) % 7 or 7)
    if wednesday.year != today.year:  # the first days of January: the coming one
        wednesday += dt.timedelta(days=7)
    now = timezone.make_aware(dt.datetime.combine(wednesday, dt.time(14)))
    year = today.year
    # Two incidents this year: a major P1 reaching A and B (both clocks run), a P3.
    major = services.incident_open(
        actor=operator, service_code="BASE", title="Hemlig rubrik", impact=1, urgency=1,
        major=True, now=now - dt.timedelta(hours=30),
    )  # fmt: skip
    services.incident_open(
        actor=operator, service_code="APP", title="Liten", impact=2, urgency=2, now=now
    )
    services.incident_classify(actor=operator, incident_id=major.pk, regimes=["cert-se"])
    services.recompute_clocks(major, now=now)
    # Capacity: 2 000 users at last year's peak, 4 100 this year (the pandemic question).
    services.capacity_import(
        actor=operator,
        text=f"BASE;users;{year - 1}-03-02 09:00;2000\nBASE;users;{year}-01-02 09:00;4100",
    )
    got = operations_year(actor=operator, year=year, language="en")
    p1 = next(r for r in got.incidents if r.priority == 1)
    assert (p1.opened, p1.major, p1.clocks) == (1, 1, 2)
    assert p1.breached == 2  # 30 hours on a P1: past every target
    assert got.opened == 2 and got.reportable == {"cert-se": 1}
    assert [c.growth for c in got.capacity] == [2.05]
    report = government_report(actor=operator, year=year, language="en")
    html = render_document_html(report)
    assert "Table 13." in html and "Table 15." in html and "2.05×" in html
    assert "Hemlig rubrik" not in html and "Myndighet A" not in html
    # A year with nothing: said so.
    empty = government_report(actor=operator, year=year - 3, language="en")
    assert "No data: no incident, outage or capacity figure" in render_document_html(empty)
    # Another provider's staff count nothing of FK's.
    other = operations_year(actor=ops.actor("second_admin"), year=year)
    assert other.opened == 0 and other.capacity == []
