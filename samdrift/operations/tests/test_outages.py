"""Outages (by hand, from an incident) and availability per service and per agency read from
them (issue 16 item 3, ADR 0830); indicator 6 of the government report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.operations import selectors, services
from samdrift.operations.calendars import STOCKHOLM
from samdrift.operations.models import Outage
from samdrift.reporting.selectors import government_report

pytestmark = pytest.mark.django_db

YEAR = 2026
# Tuesday 3 March 2026, no holiday: 10:00-12:00 is two agreed hours for office and 24x7.
START = dt.datetime(YEAR, 3, 3, 10, 0, tzinfo=STOCKHOLM)
END = dt.datetime(YEAR, 3, 3, 12, 0, tzinfo=STOCKHOLM)
NOW = dt.datetime(YEAR, 12, 4, 12, 0, tzinfo=STOCKHOLM)


def _record(ops, **kwargs):
    values = {
        "service_code": "APP",
        "summary": "Inloggningen svarar inte",
        "started_at": START,
        "ended_at": END,
        "now": NOW,
    }
    return services.outage_record(actor=ops.actor("operator"), **{**values, **kwargs})


def test_recording_and_ending_are_audited(ops):
    outage = _record(ops, ended_at=None)
    assert outage.cause == "manual" and outage.ended_at is None
    services.outage_end(actor=ops.actor("operator"), outage_id=outage.pk, ended_at=END)
    outage.refresh_from_db()
    assert outage.ended_at == END
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "operations.outage_record" in actions and "operations.outage_end" in actions


@pytest.mark.parametrize(
    ("changes", "language", "text"),
    [
        ({"ended_at": START}, "en", "The outage must end after it starts (2026-03-03 10:00"),
        ({"ended_at": START}, "sv", "Avbrottet måste sluta efter att det börjat"),
        ({"service_code": "NOPE"}, "en", "There is no service with the code “NOPE”"),
        ({"service_code": "NOPE"}, "sv", "Det finns ingen tjänst med koden “NOPE”"),
        ({"service_code": "OWN"}, "en", "There is no service with the code “OWN”"),
        (
            {"started_at": NOW + dt.timedelta(days=1), "ended_at": None},
            "en",
            "cannot start in the future",
        ),
    ],
)
def test_bad_input_is_refused_in_both_languages_and_stores_nothing(ops, changes, language, text):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as caught, translation.override(language):
        _record(ops, **changes)
    with translation.override(language):
        assert text in str(caught.value)
    assert Outage.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_customers_may_not_record_and_may_not_end(ops):
    with pytest.raises(ValidationFailed):
        services.outage_record(
            actor=ops.actor("a_contact"),
            service_code="APP",
            summary="x",
            started_at=START,
            now=NOW,
        )
    outage = _record(ops, ended_at=None)
    for name in ("a_contact", "second_admin", "finance"):
        with pytest.raises(NotFound):
            services.outage_end(actor=ops.actor(name), outage_id=outage.pk)
    outage.refresh_from_db()
    assert outage.ended_at is None


def test_outage_from_incident_ends_when_the_incident_is_resolved(
    ops, django_capture_on_commit_callbacks
):
    operator = ops.actor("operator")
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.incident_open(
            actor=operator, service_code="BASE", title="Basen nere", impact=1, urgency=1
        )
    outage = services.outage_from_incident(actor=operator, incident_id=incident.pk)
    assert (outage.cause, outage.incident_id, outage.ended_at) == ("incident", incident.pk, None)
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_transition(actor=operator, incident_id=incident.pk, target="resolved")
    outage.refresh_from_db()
    assert outage.ended_at is not None


def test_availability_per_service_and_per_agency(ops):
    _record(ops)  # two office hours on APP
    _record(
        ops,
        service_code="APP",
        level="degraded",
        summary="Långsam",
        started_at=END,
        ended_at=END + dt.timedelta(hours=1),
    )  # degraded: not downtime
    rows = {
        r.code: r
        for r in selectors.availability_overview(actor=ops.actor("operator"), year=YEAR, now=NOW)
    }
    app = rows["APP"]
    assert app.result.down_seconds == 2 * 3600
    assert app.percent is not None and 99.8 < app.percent < 100.0
    assert rows["BASE"].percent == 100.0
    assert "OWN" not in rows  # the other provider's service
    _overall, per_agency = selectors.availability_service(
        actor=ops.actor("operator"), code="APP", year=YEAR, now=NOW
    )
    assert [r.name for r in per_agency] == ["Myndighet A"]
    assert per_agency[0].result.down_seconds == 2 * 3600
    _agency, own = selectors.availability_agency(
        actor=ops.actor("a_member"), agency_id=ops.a.pk, year=YEAR, now=NOW
    )
    assert [r.code for r in own] == ["APP"]


def test_agencies_see_only_their_own_services_and_figures(ops):
    _record(ops, service_code="BASE")
    a = ops.actor("a_member")
    assert list(selectors.outage_list(actor=a)) == []  # BASE is B's service, not A's
    assert [r.code for r in selectors.availability_overview(actor=a, year=YEAR, now=NOW)] == ["APP"]
    _overall, per_agency = selectors.availability_service(actor=a, code="APP", year=YEAR, now=NOW)
    assert per_agency == []  # no agency's own figure, not even A's, on the service page
    for code in ("BASE", "OWN"):
        with pytest.raises(NotFound):
            selectors.availability_service(actor=a, code=code, year=YEAR, now=NOW)
    with pytest.raises(NotFound):
        selectors.availability_agency(actor=a, agency_id=ops.b.pk, year=YEAR, now=NOW)
    with pytest.raises(NotFound):
        selectors.availability_agency(
            actor=ops.actor("second_admin"), agency_id=ops.a.pk, year=YEAR, now=NOW
        )


def test_indicator_6_from_outages_and_no_data_without(ops, settings):
    def indicator() -> object:
        report = government_report(actor=ops.actor("operator"), year=YEAR, language="en")
        return next(i for i in report.indicators if i.number == 6)

    with translation.override("en"):
        empty = indicator()
        assert empty.value is None
        assert empty.source == "No availability measurements are recorded."
        _record(ops)
        measured = indicator()
    assert measured.value is not None and measured.value.endswith(" %")
    assert 99.0 < float(measured.value.removesuffix(" %")) < 100.0
    assert "1 outages recorded" in measured.source
