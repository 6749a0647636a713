"""Plans are tracked (issue 10 item 5, ADR 0096): a request's planned connection date against
its outcome, and a completion forecast per case from the measured median phase lead times."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.models import AuditEvent
from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import NotFound, PermissionDenied
from samdrift.onboarding import selectors, services
from samdrift.onboarding.models import ConnectionCase, PhasePeriod, ServiceRequest
from samdrift.tests.factories import OrganisationFactory, ServiceFactory, ServiceRequestFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 12, 4)


@pytest.mark.parametrize(
    ("status", "planned", "connected", "expected"),
    [
        ("connected", D(2022, 6, 30), D(2022, 6, 30), "on_time"),
        ("connected", D(2022, 6, 30), D(2022, 3, 1), "on_time"),
        ("connected", D(2022, 6, 30), D(2022, 7, 1), "late"),
        ("requested", D(2022, 6, 30), None, "late"),  # overdue and still pending
        ("requested", D(2027, 1, 1), None, "planned"),
        ("requested", TODAY, None, "planned"),  # due today: not late yet
        ("withdrawn", D(2022, 6, 30), None, "dropped"),
        ("declined", D(2027, 1, 1), None, "dropped"),
        ("connected", None, D(2022, 1, 1), None),  # no plan, no verdict
    ],
)
def test_plan_outcome(status: str, planned: Any, connected: Any, expected: Any) -> None:
    request = ServiceRequest(status=status, planned_on=planned, connected_on=connected)
    assert selectors.plan_outcome(request, TODAY) == expected


def _finished(phase: str, days: float, n: int = 1) -> None:
    start = timezone.now() - datetime.timedelta(days=400)
    for _ in range(n):
        case = ConnectionCase.objects.create(
            organisation=OrganisationFactory(), scope="total", phase="run", state="completed",
            opened_on=start.date(), closed_on=start.date(),
        )  # fmt: skip
        PhasePeriod.objects.create(
            case=case, phase=phase, entered_at=start, left_at=start + datetime.timedelta(days=days)
        )


def test_medians_need_three_finished_periods_and_are_medians() -> None:
    _finished("initiate", 10)
    _finished("initiate", 20)
    assert "initiate" not in selectors.phase_medians()
    _finished("initiate", 90)  # an outlier moves a mean, not the median
    _finished("plan", 4, n=3)
    assert selectors.phase_medians() == {"initiate": 20.0, "plan": 4.0}


def test_forecast_is_the_rest_of_this_phase_plus_the_later_medians() -> None:
    now = timezone.now()
    medians = {"initiate": 10.0, "plan": 20.0, "package": 30.0, "run": 5.0}
    case = ConnectionCase.objects.create(
        organisation=OrganisationFactory(), scope="total", phase="plan", state="open",
        opened_on=now.date(),
    )  # fmt: skip
    PhasePeriod.objects.create(case=case, phase="plan", entered_at=now - datetime.timedelta(days=8))
    case = ConnectionCase.objects.prefetch_related("phase_periods").get(id=case.id)
    # 12 days left of plan, then package 30 and run 5.
    assert selectors.case_forecast(case, medians, now) == (now + datetime.timedelta(days=47)).date()
    # A phase that overran counts as done now: only the later phases are left.
    PhasePeriod.objects.filter(case=case).update(entered_at=now - datetime.timedelta(days=60))
    case = ConnectionCase.objects.prefetch_related("phase_periods").get(id=case.id)
    assert selectors.case_forecast(case, medians, now) == (now + datetime.timedelta(days=35)).date()
    # A phase left without measurements: no forecast rather than a guess.
    assert selectors.case_forecast(case, {"plan": 1.0, "package": 1.0}, now) is None
    case.state = "cancelled"
    assert selectors.case_forecast(case, medians, now) is None
    case.state, case.closed_on = "completed", D(2026, 1, 2)
    assert selectors.case_forecast(case, medians, now) == D(2026, 1, 2)


def test_the_provider_plans_audited_and_a_customer_cannot(
    agency: Any, account_manager: Any, agency_contact: Any, other_agency: Any
) -> None:
    request = ServiceRequestFactory(organisation=agency, service=ServiceFactory())
    manager = actor_for_user(account_manager)
    services.request_plan_set(actor=manager, request_id=request.id, planned_on=D(2027, 3, 31))
    request.refresh_from_db()
    assert request.planned_on == D(2027, 3, 31)
    event = AuditEvent.objects.get(action="onboarding.request_planned")
    assert event.after == {"planned_on": "2027-03-31"}
    with pytest.raises(PermissionDenied):
        services.request_plan_set(
            actor=actor_for_user(agency_contact), request_id=request.id, planned_on=None
        )
    foreign = ServiceRequestFactory(organisation=other_agency, service=ServiceFactory())
    with pytest.raises(NotFound):
        services.request_plan_set(
            actor=actor_for_user(agency_contact), request_id=foreign.id, planned_on=None
        )
    with pytest.raises(NotFound):
        services.request_plan_set(actor=manager, request_id=10**9, planned_on=None)
    request.refresh_from_db()
    foreign.refresh_from_db()
    assert (request.planned_on, foreign.planned_on) == (D(2027, 3, 31), None)
    assert AuditEvent.objects.filter(action="onboarding.request_planned").count() == 1


def test_connecting_records_the_day_and_the_outcome(agency: Any) -> None:
    service = ServiceFactory()
    on_time = ServiceRequestFactory(organisation=agency, service=service, planned_on=D(2030, 1, 1))
    case = services.case_open(
        actor=SYSTEM, organisation_id=agency.id, scope="single", service_codes=[service.code]
    )
    services.connect_case_services(actor=SYSTEM, case=case, start_date=D(2029, 12, 31))
    on_time.refresh_from_db()
    assert (on_time.status, on_time.connected_on) == ("connected", D(2029, 12, 31))
    assert selectors.plan_outcome(on_time, TODAY) == "on_time"


def test_plan_summary_counts_per_service_for_the_year(agency: Any, account_manager: Any) -> None:
    efos, other = ServiceFactory(code="EFOS"), ServiceFactory(code="ANNAN")
    planned = D(2022, 6, 30)
    ServiceRequestFactory(organisation=agency, service=efos, planned_on=planned,
                          status="connected", connected_on=D(2022, 5, 1))  # fmt: skip
    ServiceRequestFactory(organisation=agency, service=efos, planned_on=planned,
                          status="connected", connected_on=D(2023, 2, 1))  # fmt: skip
    ServiceRequestFactory(organisation=agency, service=efos, planned_on=planned, status="withdrawn")
    ServiceRequestFactory(organisation=agency, service=efos, planned_on=planned)
    ServiceRequestFactory(organisation=agency, service=other, planned_on=D(2023, 1, 1))
    ServiceRequestFactory(organisation=agency, service=other)
    rows = selectors.plan_summary(actor=actor_for_user(account_manager), year=2022, today=TODAY)
    assert rows == [
        selectors.PlanRow("EFOS", planned=4, on_time=1, late=2, dropped=1, pending=0),
    ]


def test_api_plans_and_shows_outcome_and_forecast(
    client_for: Any, agency: Any, account_manager: Any, agency_contact: Any
) -> None:
    request = ServiceRequestFactory(organisation=agency, service=ServiceFactory())
    client = client_for(account_manager)
    url = f"/api/v1/requests/{request.id}/plan"
    response = client.put(url, data={"planned_on": "2020-01-31"}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert (body["planned_on"], body["plan_outcome"], body["abilities"]["plan"]) == (
        "2020-01-31", "late", True,
    )  # fmt: skip
    bad = client.put(url, data={"planned_on": "2020-02-31"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    refused = client_for(agency_contact).put(url, data={"planned_on": None},
                                             content_type="application/json")  # fmt: skip
    assert refused.status_code == 403
    request.refresh_from_db()
    assert request.planned_on == D(2020, 1, 31)


def test_case_page_and_api_show_the_forecast(
    client_for: Any, agency: Any, account_manager: Any
) -> None:
    for phase in ("initiate", "plan", "package", "run"):
        _finished(phase, 10, n=3)
    case = services.case_open(
        actor=SYSTEM, organisation_id=agency.id, scope="single",
        service_codes=[ServiceFactory().code],
    )  # fmt: skip
    client = client_for(account_manager)
    expected = (timezone.now() + datetime.timedelta(days=40)).date()
    body = client.get(f"/api/v1/cases/{case.id}").json()
    assert body["forecast_completion"] in {expected.isoformat(),
                                           (expected - datetime.timedelta(days=1)).isoformat()}  # fmt: skip
    page = client.get(f"/connections/{case.id}/").content.decode()
    assert "Prognos för slutförande:" in page
    assert any(d.isoformat() in page for d in (expected, expected - datetime.timedelta(days=1)))


@pytest.mark.parametrize("language", ["sv", "en"])
def test_request_list_shows_plan_against_outcome(
    client_for: Any, agency: Any, account_manager: Any, language: str
) -> None:
    ServiceRequestFactory(organisation=agency, service=ServiceFactory(), planned_on=D(2020, 1, 1))
    client = client_for(account_manager)
    client.cookies["django_language"] = language
    html = client.get("/connections/requests/").content.decode()
    # Swedish formats in Swedish, English in English (ADR 0709).
    assert ("2020-01-01" if language == "sv" else "1 Jan 2020") in html
    assert ("Försenad" if language == "sv" else "Late") in html


def test_the_request_form_takes_a_planned_date_and_refuses_a_bad_one(
    agency: Any, agency_orderer: Any, client_for: Any
) -> None:
    ServiceFactory(code="EFOS", lifecycle="active")
    client = client_for(agency_orderer)
    url = "/connections/requests/new/"
    bad = client.post(
        url, {"organisation": agency.id, "service": "EFOS", "planned_on": "2027-02-30"}
    )
    assert bad.status_code == 200
    assert not ServiceRequest.objects.exists()
    ok = client.post(
        url, {"organisation": agency.id, "service": "EFOS", "planned_on": "2027-06-30"}
    )
    assert ok.status_code == 302
    assert ServiceRequest.objects.get().planned_on == D(2027, 6, 30)
