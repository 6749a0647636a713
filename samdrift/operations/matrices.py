"""Reading responsibility matrices (ADR 0845): which versions exist, which is in effect, and
what each says. Who sees a version is `permissions.matrix_abilities`, asked here only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from samdrift.catalogue.selectors import service_list
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound

from . import raci
from .models import Responsibility, ResponsibilityMatrix
from .permissions import ALL_PROVIDER_ROLES, MANAGERS, matrix_abilities


def _scope(actor: Actor) -> Q:
    """The provider's staff every version of their services; a party the published versions
    naming it."""
    if actor.sees_everything:
        return Q()
    staff_of = [
        org_id
        for org_id, roles in actor.provider_roles_by_org.items()
        if roles & set(ALL_PROVIDER_ROLES)
    ]
    named = Responsibility.objects.filter(party_id__in=actor.member_org_ids).values("matrix_id")
    return Q(provider_id__in=staff_of) | (Q(published_at__isnull=False) & Q(id__in=named))


def matrix_list(*, actor: Actor) -> QuerySet[ResponsibilityMatrix]:
    return (
        ResponsibilityMatrix.objects.filter(_scope(actor))
        .select_related("service")
        .order_by("service__code", "-version")
    )


def matrix_get(*, actor: Actor, matrix_id: int) -> ResponsibilityMatrix:
    matrix = matrix_list(actor=actor).filter(id=matrix_id).first()
    parties = set(
        Responsibility.objects.filter(matrix_id=matrix_id).values_list("party_id", flat=True)
    )
    if (
        matrix is None
        or not matrix_abilities(actor=actor, matrix=matrix, party_org_ids=parties)["view"]
    ):
        raise NotFound("matrix")
    return matrix


def matrix_in_effect(*, service_id: int, on: dt.date) -> ResponsibilityMatrix | None:
    """The published version with the latest date on or before *on* (the highest number on a
    tie): the one that routes incidents that day."""
    return (
        ResponsibilityMatrix.objects.filter(
            service_id=service_id, published_at__isnull=False, effective_from__lte=on
        )
        .order_by("-effective_from", "-version")
        .first()
    )


def matrix_as_mapping(matrix: ResponsibilityMatrix, *, by: str) -> dict[str, dict[str, list[str]]]:
    """function → role → parties, parties by agency name (`by="name"`, for people) or id
    (`by="id"`, for routing); functions in the order entered."""
    out: dict[str, dict[str, list[str]]] = {}
    for function, role, party_id, name in (
        Responsibility.objects.filter(matrix=matrix)
        .values_list("function", "role", "party_id", "party__name")
        .order_by("position", "role", "party__name")
    ):
        out.setdefault(function, {}).setdefault(role, []).append(
            name if by == "name" else str(party_id)
        )
    return out


@dataclass(frozen=True)
class MatrixTable:
    """A version laid out for a page: functions as rows, parties as columns."""

    parties: list[str]
    rows: list[tuple[str, list[str]]]  # function, the role of each party ("" for none)
    problems: list[str]
    text: str  # the version as `function;role;party` lines, to copy into a new version


def matrix_table(matrix: ResponsibilityMatrix) -> MatrixTable:
    mapping = matrix_as_mapping(matrix, by="name")
    parties = sorted({p for roles in mapping.values() for ps in roles.values() for p in ps})
    rows = []
    for function, roles in mapping.items():
        cells = [
            "".join(role for role in raci.ROLES if party in roles.get(role, ()))
            for party in parties
        ]
        rows.append((function, cells))
    lines = [
        (function, role, party)
        for function, roles in mapping.items()
        for role in raci.ROLES
        for party in roles.get(role, ())
    ]
    return MatrixTable(parties, rows, raci.problems(mapping), raci.as_text(lines))


def versions_of(*, actor: Actor, service_id: int) -> QuerySet[ResponsibilityMatrix]:
    return matrix_list(actor=actor).filter(service_id=service_id)


def route_choices(*, service_id: int, on: dt.date) -> list[str]:
    """The functions an incident on the service can be routed to today."""
    matrix = matrix_in_effect(service_id=service_id, on=on)
    return list(matrix_as_mapping(matrix, by="id")) if matrix else []


def matrix_services(*, actor: Actor) -> list[tuple[str, str]]:
    """(code, label) of the services whose matrices the actor keeps: its provider's, as an
    administrator or service manager there."""
    kept = [o for o, roles in actor.provider_roles_by_org.items() if roles & set(MANAGERS)]
    rows = service_list(actor=actor)
    if not actor.sees_everything:
        rows = rows.filter(provider_id__in=kept)
    return [(code, f"{code} – {name}") for code, name in rows.values_list("code", "name_sv")]
