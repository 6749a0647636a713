"""Reads of demand, connection cases and subscriptions, always for an actor."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet

from samdrift.catalogue.models import Service
from samdrift.core.exceptions import NotFound

from .choices import PHASE_ORDER, CaseState, Phase, RequestStatus
from .counting import Hierarchy
from .models import (
    CaseChecklistItem,
    CaseEvent,
    ChecklistTemplateItem,
    ConnectionCase,
    PhasePeriod,
    ServiceRequest,
    Subscription,
)

if TYPE_CHECKING:
    from samdrift.core.actor import Actor


def _scoped(queryset: QuerySet, actor: Actor) -> QuerySet:
    """Provider staff see every agency's rows; others only their own agencies' (and children's)."""
    if actor.sees_all_agencies:
        return queryset
    return queryset.filter(organisation_id__in=actor.visible_org_ids)


# --- service requests -------------------------------------------------------------------------


def request_list(
    *, actor: Actor, service_code: str = "", status: str = "", year: int | None = None
) -> QuerySet[ServiceRequest]:
    queryset = _scoped(ServiceRequest.objects.select_related("organisation", "service"), actor)
    if service_code:
        queryset = queryset.filter(service__code=service_code)
    if status:
        queryset = queryset.filter(status=status)
    if year:
        queryset = queryset.filter(requested_on__year=year)
    return queryset.order_by("-requested_on", "-id")


def request_get(*, actor: Actor, request_id: int) -> ServiceRequest:
    try:
        return _scoped(ServiceRequest.objects.select_related("organisation", "service"), actor).get(
            id=request_id
        )
    except ServiceRequest.DoesNotExist:
        raise NotFound("request") from None


# --- connection cases -------------------------------------------------------------------------


def case_list(
    *,
    actor: Actor,
    phase: str = "",
    scope: str = "",
    state: str = "",
    organisation_id: int | None = None,
) -> QuerySet[ConnectionCase]:
    queryset = _scoped(
        ConnectionCase.objects.select_related("organisation").prefetch_related(
            Prefetch("services", queryset=Service.objects.only("id", "code", "name_sv", "name_en"))
        ),
        actor,
    )
    if phase:
        queryset = queryset.filter(phase=phase)
    if scope:
        queryset = queryset.filter(scope=scope)
    if state:
        queryset = queryset.filter(state=state)
    if organisation_id:
        queryset = queryset.filter(organisation_id=organisation_id)
    return queryset.order_by("-opened_on", "-id")


def case_get(*, actor: Actor, case_id: int) -> ConnectionCase:
    """One case with everything its page shows, in a fixed number of queries."""
    queryset = _scoped(
        ConnectionCase.objects.select_related("organisation"), actor
    ).prefetch_related(
        "services",
        Prefetch("checklist_items", queryset=CaseChecklistItem.objects.select_related("done_by")),
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
        Prefetch("phase_periods", queryset=PhasePeriod.objects.order_by("entered_at")),
        "signoffs__signed_by",
    )
    try:
        return queryset.get(id=case_id)
    except ConnectionCase.DoesNotExist:
        raise NotFound("case") from None


def case_board(*, actor: Actor) -> dict[tuple[str, str], int]:
    """Open cases per (phase, scope); completed cases count in the run phase."""
    rows = (
        _scoped(ConnectionCase.objects.exclude(state=CaseState.CANCELLED), actor)
        .values("phase", "scope")
        .annotate(n=Count("id"))
    )
    return {(row["phase"], row["scope"]): row["n"] for row in rows}


def board_cases(*, actor: Actor, per_column: int = 12) -> dict[str, list[ConnectionCase]]:
    """The most recent cases of each phase for the dashboard board (one query per phase)."""
    base = case_list(actor=actor).exclude(state=CaseState.CANCELLED)
    return {phase: list(base.filter(phase=phase)[:per_column]) for phase in PHASE_ORDER}


@dataclass(frozen=True)
class PhaseLeadTime:
    phase: str
    entered_at: datetime.datetime
    left_at: datetime.datetime | None
    days: int | None

    @property
    def label(self) -> str:
        return str(Phase(self.phase).label)


def lead_times(case: ConnectionCase) -> list[PhaseLeadTime]:
    """Days spent in each phase; the current phase has no end yet."""
    result = []
    for period in case.phase_periods.all():
        days = (period.left_at - period.entered_at).days if period.left_at else None
        result.append(PhaseLeadTime(period.phase, period.entered_at, period.left_at, days))
    return result


# --- subscriptions ----------------------------------------------------------------------------


def subscription_list(
    *,
    actor: Actor,
    service_code: str = "",
    basis: str = "",
    organisation_id: int | None = None,
    active_only: bool = True,
) -> QuerySet[Subscription]:
    queryset = _scoped(Subscription.objects.select_related("organisation", "service"), actor)
    if active_only:
        queryset = queryset.filter(end_date__isnull=True)
    if service_code:
        queryset = queryset.filter(service__code=service_code)
    if basis:
        queryset = queryset.filter(agreement_basis=basis)
    if organisation_id:
        queryset = queryset.filter(organisation_id=organisation_id)
    return queryset.order_by("organisation__name", "service__display_order")


def subscription_get(*, actor: Actor, subscription_id: int) -> Subscription:
    try:
        return _scoped(Subscription.objects.select_related("organisation", "service"), actor).get(
            id=subscription_id
        )
    except Subscription.DoesNotExist:
        raise NotFound("subscription") from None


# --- the demand report ------------------------------------------------------------------------


@dataclass(frozen=True)
class DemandRow:
    service: Service
    requested: int
    connected: int
    requested_legal: int
    connected_legal: int
    coverage_pct: Decimal


@dataclass(frozen=True)
class DemandReport:
    year: int
    basis: str | None
    legal_agency_total: int
    rows: list[DemandRow]


def demand_report(*, actor: Actor, year: int, basis: str | None = "assignment") -> DemandReport:
    """Per service: agencies that had asked by the end of `year`, and agencies connected at its end.

    Withdrawn requests do not count as demand. `basis` filters connections by agreement basis
    (None: all bases); the report's own table counts only the government assignment. Customers see
    the figures of their own agencies only.
    """
    year_end = datetime.date(year, 12, 31)
    hierarchy = Hierarchy.load()
    requested: dict[int, set[int]] = defaultdict(set)
    connected: dict[int, set[int]] = defaultdict(set)
    request_rows = (
        _scoped(ServiceRequest.objects.all(), actor)
        .filter(requested_on__lte=year_end)
        .exclude(status=RequestStatus.WITHDRAWN)
    )
    for service_id, org_id in (
        request_rows.values_list("service_id", "organisation_id").order_by().distinct()
    ):
        requested[service_id].add(org_id)
    subscription_rows = _scoped(Subscription.objects.all(), actor).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=year_end), start_date__lte=year_end
    )
    if basis:
        subscription_rows = subscription_rows.filter(agreement_basis=basis)
    # order_by(): the models' default ordering would join and widen the DISTINCT.
    for service_id, org_id in (
        subscription_rows.values_list("service_id", "organisation_id").order_by().distinct()
    ):
        connected[service_id].add(org_id)
    total = hierarchy.legal_total()
    rows = []
    for service in Service.objects.exclude(lifecycle="draft").order_by("display_order", "code"):
        connected_legal = hierarchy.count_legal(connected[service.id])
        coverage = (
            (Decimal(100 * connected_legal) / total).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if total
            else Decimal(0)
        )
        rows.append(
            DemandRow(
                service=service,
                requested=hierarchy.count_as_report(requested[service.id]),
                connected=hierarchy.count_as_report(connected[service.id]),
                requested_legal=hierarchy.count_legal(requested[service.id]),
                connected_legal=connected_legal,
                coverage_pct=coverage,
            )
        )
    return DemandReport(year=year, basis=basis, legal_agency_total=total, rows=rows)


def checklist_templates() -> dict[str, list[ChecklistTemplateItem]]:
    """Every phase's checklist configuration, retired items included, in phase order."""
    by_phase: dict[str, list[ChecklistTemplateItem]] = {phase: [] for phase in PHASE_ORDER}
    for item in ChecklistTemplateItem.objects.order_by("position", "id"):
        by_phase[item.phase].append(item)
    return by_phase
