"""Survey writes (NKI, ADR 0843): a provider's manager opens a survey of a service for a year;
an agency connected to the service answers it (again, until it closes: the latest answer counts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.catalogue.selectors import service_get
from samdrift.core.actor import Actor
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed

from .. import nki, surveys
from ..models import Survey, SurveyAnswer
from ..permissions import may_create_survey

BAD_YEAR = _("Give a year from 2000 to 2100.")
BAD_DATE = _("Give the last day for answers as a date, e.g. 2026-12-31.")
EXISTS = _("%(service)s already has a survey for %(year)s.")
BAD_SCORE = _("Answer each question with a whole number from 1 to 10.")
CLOSED = _("The survey is closed, or your agency is not connected to the service.")
NOT_YOURS = _("Answer for an agency you belong to that is connected to the service.")


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(BAD_DATE, errors={"closes_on": [str(BAD_DATE)]}) from None


def survey_create(*, actor: Actor, service_code: str, year: Any, closes_on: Any) -> Survey:
    try:
        year_value = int(str(year).strip())
    except ValueError:
        year_value = 0
    if not 2000 <= year_value <= 2100:
        raise ValidationFailed(BAD_YEAR, errors={"year": [str(BAD_YEAR)]})
    closing = _date(closes_on)
    service = service_get(actor=actor, code=(service_code or "").strip().upper())
    if not may_create_survey(actor=actor, provider_id=service.provider_id):
        raise NotFound("service")
    with transaction.atomic():
        if Survey.objects.filter(service=service, year=year_value).exists():
            raise BusinessRuleViolation(EXISTS, service=service.code, year=year_value)
        survey = Survey.objects.create(
            provider_id=service.provider_id, service=service, year=year_value, closes_on=closing
        )
        audit_record(
            actor=actor,
            action="operations.survey_create",
            obj=survey,
            organisation_id=service.provider_id,
            after={"service": service.code, "year": year_value, "closes_on": closing.isoformat()},
        )
    return survey


def _score(value: Any, field: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if number not in nki.SCALE:
        raise ValidationFailed(BAD_SCORE, errors={field: [str(BAD_SCORE)]})
    return number


def survey_answer(
    *,
    actor: Actor,
    survey_id: int,
    organisation_id: int,
    overall: Any,
    expectations: Any,
    ideal: Any,
    comment: str = "",
) -> SurveyAnswer:
    scores = {
        "overall": _score(overall, "overall"),
        "expectations": _score(expectations, "expectations"),
        "ideal": _score(ideal, "ideal"),
    }
    access = surveys.survey_get(actor=actor, survey_id=survey_id)
    if not access.abilities["answer"]:
        raise BusinessRuleViolation(CLOSED, code="survey_closed")
    if organisation_id not in access.own_agencies:
        raise ValidationFailed(NOT_YOURS, errors={"organisation": [str(NOT_YOURS)]})
    with transaction.atomic():
        answer, created = SurveyAnswer.objects.update_or_create(
            survey=access.survey,
            organisation_id=organisation_id,
            defaults={
                **scores,
                "comment": (comment or "").strip()[:5000],
                "answered_by_id": actor.user_id,
                "answered_at": timezone.now(),
            },
        )
        audit_record(
            actor=actor,
            action="operations.survey_answer",
            obj=answer,
            organisation_id=organisation_id,
            after={**scores, "new": created},
        )
    return answer
