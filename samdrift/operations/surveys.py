"""Reading customer satisfaction surveys (NKI, ADR 0843): who sees which survey is decided here
and in `permissions.survey_abilities`, nowhere else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from samdrift.catalogue.selectors import service_list
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.tenancy import visible_or_404
from samdrift.onboarding.selectors import subscription_list

from . import nki
from .models import Survey, SurveyAnswer
from .permissions import ALL_PROVIDER_ROLES, MANAGERS, survey_abilities


def _connected_service_ids(actor: Actor) -> set[int]:
    return set(
        subscription_list(actor=actor)
        .filter(organisation_id__in=actor.member_org_ids)
        .values_list("service_id", flat=True)
    )


def survey_services(*, actor: Actor) -> list[tuple[str, str]]:
    """(code, label) of the services the actor may open a survey of: its provider's, as a
    manager there."""
    managed = [o for o, roles in actor.provider_roles_by_org.items() if roles & set(MANAGERS)]
    rows = service_list(actor=actor)
    if not actor.sees_everything:
        rows = rows.filter(provider_id__in=managed)
    return [(code, f"{code} – {name}") for code, name in rows.values_list("code", "name_sv")]


def survey_list(*, actor: Actor) -> QuerySet[Survey]:
    """The provider's own surveys for its staff; for an agency's people, the surveys of the
    services their agencies are connected to."""
    queryset = Survey.objects.select_related("service", "provider")
    if actor.sees_everything:
        return queryset
    staff_of = [
        org for org, roles in actor.provider_roles_by_org.items() if roles & set(ALL_PROVIDER_ROLES)
    ]
    return queryset.filter(
        Q(provider_id__in=staff_of) | Q(service_id__in=_connected_service_ids(actor))
    )


@dataclass(frozen=True)
class Result:
    index: float | None
    answers: int
    connected: int
    means: dict[str, float]


@dataclass(frozen=True)
class SurveyAccess:
    survey: Survey
    abilities: dict[str, bool]
    #: The actor's agencies that are connected to the service, and their answers so far.
    own_agencies: list[int]
    own_answers: dict[int, SurveyAnswer]
    result: Result | None


def _connected(survey: Survey) -> set[int]:
    return set(
        subscription_list(actor=SYSTEM)
        .filter(service_id=survey.service_id)
        .values_list("organisation_id", flat=True)
    )


def result_of(survey: Survey, connected: int) -> Result:
    rows = list(survey.answers.values_list("overall", "expectations", "ideal"))
    means = {
        key: sum(r[i] for r in rows) / len(rows) if rows else 0.0
        for i, (key, _label) in enumerate(nki.QUESTIONS)
    }
    return Result(nki.index(rows), len(rows), connected, means)


def survey_get(*, actor: Actor, survey_id: int, today: dt.date | None = None) -> SurveyAccess:
    survey = visible_or_404(survey_list(actor=actor), "survey", id=survey_id)
    connected = _connected(survey)
    abilities = survey_abilities(
        actor=actor, survey=survey, connected_org_ids=connected, today=today or timezone.localdate()
    )
    own = sorted(actor.member_org_ids & connected)
    answers = {a.organisation_id: a for a in survey.answers.filter(organisation_id__in=own)}
    result = result_of(survey, len(connected)) if abilities["results"] else None
    return SurveyAccess(survey, abilities, own, answers, result)


@dataclass(frozen=True)
class YearlyNki:
    index: float
    answers: int
    services: int


def yearly_nki(*, actor: Actor, year: int) -> YearlyNki | None:
    """Indicator 7 of the report: the mean NKI over every answer to the actor's provider's
    surveys of the year; None when nobody answered (the report says so)."""
    surveys = survey_list(actor=actor).filter(year=year)
    if not actor.sees_everything:
        surveys = surveys.filter(provider_id__in=list(actor.provider_roles_by_org))
    rows = list(
        SurveyAnswer.objects.filter(survey__in=surveys).values_list(
            "overall", "expectations", "ideal"
        )
    )
    value = nki.index(rows)
    if value is None:
        return None
    services = surveys.filter(answers__isnull=False).distinct().count()
    return YearlyNki(value, len(rows), services)
