"""Customer satisfaction surveys (NKI, issue 16 item 7, ADR 0843): a provider's manager opens one
per service and year, the connected agencies answer, the provider sees the index, an agency only
its own answer, and the government report's indicator 7 comes from it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed
from samdrift.operations import nki, services, surveys
from samdrift.operations.models import SurveyAnswer
from samdrift.reporting.selectors import government_report

pytestmark = pytest.mark.django_db

CLOSES = timezone.localdate() + dt.timedelta(days=30)


def test_the_index_is_scbs_nki():
    assert nki.index([]) is None
    assert nki.index([(10, 10, 10)]) == 100
    assert nki.index([(1, 1, 1)]) == 0
    assert round(nki.index([(8, 7, 6), (10, 9, 9)]), 2) == round(
        ((7 + 6 + 5) / 27 * 100 + (9 + 8 + 8) / 27 * 100) / 2, 2
    )


def test_connected_agencies_answer_and_the_provider_sees_the_index(ops):
    survey = services.survey_create(
        actor=ops.actor("operator"), service_code="APP", year=2026, closes_on=CLOSES
    )
    with pytest.raises(BusinessRuleViolation):  # one per service and year
        services.survey_create(
            actor=ops.actor("operator"), service_code="APP", year=2026, closes_on=CLOSES
        )
    services.survey_answer(
        actor=ops.actor("a_member"), survey_id=survey.id, organisation_id=ops.a.id,
        overall=8, expectations=7, ideal=6,
    )  # fmt: skip
    services.survey_answer(  # a new answer replaces the agency's earlier one
        actor=ops.actor("a_contact"), survey_id=survey.id, organisation_id=ops.a.id,
        overall=9, expectations=9, ideal=8,
    )  # fmt: skip
    assert SurveyAnswer.objects.count() == 1
    staff = surveys.survey_get(actor=ops.actor("operator"), survey_id=survey.id)
    assert staff.result is not None and staff.result.answers == 1
    assert round(staff.result.index or 0, 1) == round((8 + 8 + 7) / 27 * 100, 1)
    customer = surveys.survey_get(actor=ops.actor("a_member"), survey_id=survey.id)
    assert customer.result is None and list(customer.own_answers) == [ops.a.id]
    for outsider in ("b_member", "c_member", "second_admin"):  # B uses BASE, not APP
        with pytest.raises(NotFound):
            surveys.survey_get(actor=ops.actor(outsider), survey_id=survey.id)


@pytest.mark.parametrize(
    ("scores", "error"),
    [
        ((0, 5, 5), ValidationFailed),
        ((5, 11, 5), ValidationFailed),
        (("x", 5, 5), ValidationFailed),
    ],
)
def test_bad_answers_are_refused_and_store_nothing(ops, scores, error):
    survey = services.survey_create(
        actor=ops.actor("operator"), service_code="APP", year=2026, closes_on=CLOSES
    )
    with pytest.raises(error):
        services.survey_answer(
            actor=ops.actor("a_member"), survey_id=survey.id, organisation_id=ops.a.id,
            overall=scores[0], expectations=scores[1], ideal=scores[2],
        )  # fmt: skip
    assert not SurveyAnswer.objects.exists()


def test_a_closed_survey_and_another_agency_are_refused(ops):
    closed = services.survey_create(
        actor=ops.actor("operator"), service_code="BASE", year=2025,
        closes_on=timezone.localdate() - dt.timedelta(days=1),
    )  # fmt: skip
    with pytest.raises(BusinessRuleViolation):
        services.survey_answer(
            actor=ops.actor("b_member"), survey_id=closed.id, organisation_id=ops.b.id,
            overall=5, expectations=5, ideal=5,
        )  # fmt: skip
    survey = services.survey_create(
        actor=ops.actor("operator"), service_code="BASE", year=2026, closes_on=CLOSES
    )
    with pytest.raises(ValidationFailed):  # B's member answering in A's name
        services.survey_answer(
            actor=ops.actor("b_member"), survey_id=survey.id, organisation_id=ops.a.id,
            overall=5, expectations=5, ideal=5,
        )  # fmt: skip
    with pytest.raises(NotFound):  # only a manager of the provider opens one
        services.survey_create(
            actor=ops.actor("a_contact"), service_code="BASE", year=2027, closes_on=CLOSES
        )
    assert not SurveyAnswer.objects.exists()


def test_pages_and_api(ops, client):
    survey = services.survey_create(
        actor=ops.actor("operator"), service_code="APP", year=2026, closes_on=CLOSES
    )
    client.force_login(ops.users["a_member"])
    page = client.get(f"/operations/surveys/{survey.id}/")
    assert page.status_code == 200 and 'type="radio"' in page.content.decode()
    sent = client.post(
        f"/operations/surveys/{survey.id}/",
        {"organisation": ops.a.id, "overall": 10, "expectations": 9, "ideal": 8, "comment": ""},
    )
    assert sent.status_code == 302
    api = client.get("/api/v1/operations/surveys")
    assert api.status_code == 200 and api.json()["items"][0]["nki"] is None  # no results for A
    client.force_login(ops.users["operator"])
    api = client.get("/api/v1/operations/surveys")
    assert round(api.json()["items"][0]["nki"], 1) == round(24 / 27 * 100, 1)
    client.force_login(ops.users["c_member"])
    assert client.get(f"/operations/surveys/{survey.id}/").status_code == 404
    bad = client.post(
        "/api/v1/operations/surveys",
        {"service": "APP", "year": 1999, "closes_on": str(CLOSES)},
        content_type="application/json",
    )
    assert bad.status_code in (404, 422)


def test_indicator_7_from_the_years_answers_and_no_data_without(ops):
    def indicator() -> object:
        report = government_report(actor=ops.actor("operator"), year=2026, language="en")
        return next(i for i in report.indicators if i.number == 7)

    with translation.override("en"):
        assert indicator().value is None
        survey = services.survey_create(
            actor=ops.actor("operator"), service_code="BASE", year=2026, closes_on=CLOSES
        )
        services.survey_answer(
            actor=ops.actor("b_member"), survey_id=survey.id, organisation_id=ops.b.id,
            overall=10, expectations=10, ideal=1,
        )  # fmt: skip
        measured = indicator()
    assert measured.value == "66.7"
    assert "1 agencies' answers" in measured.source and "1 services" in measured.source
