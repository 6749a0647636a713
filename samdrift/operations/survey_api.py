"""API of the customer satisfaction surveys (NKI, ADR 0843), under /api/v1/operations/surveys:
the same selectors and services as the pages."""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
from typing import Any

from ninja import Router, Schema, Status
from ninja.pagination import paginate

from samdrift.core.api import ApiRequest, Page, errors

from . import services, surveys

router = Router(tags=["operations"])


class SurveyRow(Schema):
    id: int
    service: str
    year: int
    closes_on: datetime.date
    can_answer: bool
    nki: float | None
    answers: int | None


class SurveyIn(Schema):
    service: str
    year: int
    closes_on: datetime.date


class AnswerIn(Schema):
    organisation: int
    overall: int
    expectations: int
    ideal: int
    comment: str = ""


class AnswerOut(Schema):
    survey: int
    organisation: int
    overall: int
    expectations: int
    ideal: int
    answered_at: datetime.datetime


def _row(actor: Any, survey_id: int) -> dict[str, Any]:
    access = surveys.survey_get(actor=actor, survey_id=survey_id)
    result = access.result
    return {
        "id": access.survey.id,
        "service": access.survey.service.code,
        "year": access.survey.year,
        "closes_on": access.survey.closes_on,
        "can_answer": access.abilities["answer"],
        "nki": result.index if result else None,
        "answers": result.answers if result else None,
    }


@router.get(
    "",
    response={200: list[SurveyRow], **errors(422)},
    summary="Customer satisfaction surveys the caller sees",
    description="Provider staff: their provider's surveys with the index (NKI 0–100) and the "
    "number of answers. An agency's people: the surveys of services their agencies use, "
    "without results.",
)
@paginate(Page)
def list_surveys(request: ApiRequest) -> list[dict[str, Any]]:
    return [_row(request.auth, s.id) for s in surveys.survey_list(actor=request.auth)]


@router.post(
    "",
    response={201: SurveyRow, **errors(404, 409, 422)},
    summary="Open a survey of a service for a year",
    description="A manager of the service's provider; 409 when the service has one that year.",
)
def create_survey(request: ApiRequest, body: SurveyIn) -> Status:
    survey = services.survey_create(
        actor=request.auth, service_code=body.service, year=body.year, closes_on=body.closes_on
    )
    return Status(201, _row(request.auth, survey.id))


@router.post(
    "/{survey_id}/answer",
    response={200: AnswerOut, **errors(404, 409, 422)},
    summary="Answer for one's agency",
    description="Each question 1–10; a new answer replaces the agency's earlier one until the "
    "survey closes (409 after). 404 for a survey the caller does not see.",
)
def answer_survey(request: ApiRequest, survey_id: int, body: AnswerIn) -> dict[str, Any]:
    answer = services.survey_answer(
        actor=request.auth,
        survey_id=survey_id,
        organisation_id=body.organisation,
        overall=body.overall,
        expectations=body.expectations,
        ideal=body.ideal,
        comment=body.comment,
    )
    return {
        "survey": answer.survey_id,
        "organisation": answer.organisation_id,
        "overall": answer.overall,
        "expectations": answer.expectations,
        "ideal": answer.ideal,
        "answered_at": answer.answered_at,
    }
