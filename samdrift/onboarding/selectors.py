"""Reads of demand, connection cases and subscriptions, always for an actor."""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from samdrift.catalogue.selectors import default_provider, service_labels, services_past_draft
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound
from samdrift.core.search.words import all_words, or_number
from samdrift.core.tenancy import provided_scope, visible_or_404
from samdrift.organisations.selectors import agency_ids_named

from .choices import PHASE_ORDER, CaseState, Phase, PlanOutcome, RequestStatus
from .counting import Hierarchy
from .models import (
    CaseAttachment,
    CaseChecklistItem,
    CaseEvent,
    ChecklistTemplateItem,
    ConnectionCase,
    PhasePeriod,
    PhaseSignOff,
    ServiceRequest,
    Subscription,
)
from .permissions import CASE_WORKERS, can_sign_off_phases, compares_providers

if TYPE_CHECKING:
    from samdrift.catalogue.models import Service


def _scoped(queryset: QuerySet, actor: Actor) -> QuerySet:
    """A request's or a subscription's row: the agency's own people (and a parent's contact) see
    it, and the staff of the service's provider; no other provider's (ADR 0041)."""
    return queryset.filter(provided_scope(actor))


def _cases_scoped(queryset: QuerySet[ConnectionCase], actor: Actor) -> QuerySet[ConnectionCase]:
    """A case is with the providers of its services; a case without services (the total
    commitment, or not yet decided) is with the catalogue's default provider (ADR 0042)."""
    if actor.sees_everything:
        return queryset
    condition = Q(organisation_id__in=actor.member_org_ids)
    providers = actor.provider_org_ids
    if providers:
        theirs = ConnectionCase.objects.filter(services__provider_id__in=providers)
        serviceless = ConnectionCase.objects.filter(services__isnull=True)
        # Subqueries, not joins: a join on the services would repeat a case once per service.
        condition |= Q(id__in=theirs.values("id"))
        condition |= Q(id__in=serviceless.values("id")) & Q(
            Exists(default_provider().filter(pk__in=providers))
        )
    return queryset.filter(condition)


def _case_row_visible(actor: Actor) -> Q:
    """The rule of `_cases_scoped` tested on each row (correlated EXISTS) rather than as the
    lists of every case a provider sees: the search's few matching cases, or the start page's
    open cases oldest first, then drive the query instead of a provider's thousands of cases
    being gathered first (ADRs 0710, 0711)."""
    if actor.sees_everything:
        return Q()
    condition = Q(organisation_id__in=actor.member_org_ids)
    providers = actor.provider_org_ids
    if providers:
        links = ConnectionCase.services.through.objects.filter(connectioncase_id=OuterRef("pk"))
        condition |= Q(Exists(links.filter(service__provider_id__in=providers)))
        condition |= ~Q(Exists(links)) & Q(Exists(default_provider().filter(pk__in=providers)))
    return condition


def customer_relations() -> list[tuple[int, int]]:
    """(agency, provider agency) for every subscription, service request and case: the customer
    source onboarding registers in the tenancy kernel (no actor: it builds the actor). A case
    without services is with the catalogue's default provider (ADR 0042). One query."""
    default = Subquery(default_provider().values("pk")[:1])
    subscriptions = Subscription.objects.values_list("organisation_id", "service__provider_id")
    requests = ServiceRequest.objects.values_list("organisation_id", "service__provider_id")
    cases = ConnectionCase.objects.annotate(
        provider_id=Coalesce("services__provider_id", default)
    ).values_list("organisation_id", "provider_id")
    union = subscriptions.order_by().union(requests.order_by(), cases.order_by())
    return [(org_id, provider_id) for org_id, provider_id in union if provider_id is not None]


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
    queryset = _scoped(ServiceRequest.objects.select_related("organisation", "service"), actor)
    return visible_or_404(queryset, "request", id=request_id)


# --- connection cases -------------------------------------------------------------------------


def case_list(
    *,
    actor: Actor,
    phase: str = "",
    scope: str = "",
    state: str = "",
    organisation_id: int | None = None,
) -> QuerySet[ConnectionCase]:
    queryset = _cases_scoped(
        ConnectionCase.objects.select_related("organisation").prefetch_related(
            Prefetch("services", queryset=service_labels())
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
    queryset = _cases_scoped(
        ConnectionCase.objects.select_related("organisation"), actor
    ).prefetch_related(
        "services",
        Prefetch("checklist_items", queryset=CaseChecklistItem.objects.select_related("done_by")),
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
        Prefetch("phase_periods", queryset=PhasePeriod.objects.order_by("entered_at")),
        "signoffs__signed_by",
    )
    return visible_or_404(queryset, "case", id=case_id)


def case_board(*, actor: Actor) -> dict[tuple[str, str], int]:
    """Open cases per (phase, scope); completed cases count in the run phase."""
    rows = (
        _cases_scoped(ConnectionCase.objects.exclude(state=CaseState.CANCELLED), actor)
        .values("phase", "scope")
        .annotate(n=Count("id"))
    )
    return {(row["phase"], row["scope"]): row["n"] for row in rows}


def board_cases(*, actor: Actor, per_column: int = 12) -> dict[str, list[ConnectionCase]]:
    """The most recent cases of each phase for the dashboard board (one query per phase)."""
    base = case_list(actor=actor).exclude(state=CaseState.CANCELLED)
    return {phase: list(base.filter(phase=phase)[:per_column]) for phase in PHASE_ORDER}


# --- next tasks (the start page, issue 21 item 4, ADR 0705) ---------------------------------------


def phases_awaiting_signoff(*, actor: Actor) -> QuerySet[ConnectionCase] | None:
    """Open cases whose current phase security has not signed off yet, oldest first; none for
    an actor who does not sign off phases (`case_abilities`' `sign_off`)."""
    if not can_sign_off_phases(actor):
        return None
    signed = PhaseSignOff.objects.filter(case_id=OuterRef("pk"), phase=OuterRef("phase"))
    return (
        ConnectionCase.objects.select_related("organisation")
        .filter(state=CaseState.OPEN)
        .filter(_case_row_visible(actor))
        .exclude(Exists(signed))
        .order_by("opened_on", "id")
    )


def requests_to_answer(*, actor: Actor) -> QuerySet[ServiceRequest] | None:
    """Pending requests of the provider's customers, oldest first, for the roles that plan or
    decline them (`request_abilities`); none for anyone else."""
    if not actor.has_provider_role(*CASE_WORKERS):
        return None
    return (
        request_list(actor=actor, status=RequestStatus.REQUESTED)
        .exclude(organisation_id__in=actor.member_org_ids)
        .order_by("requested_on", "id")
    )


def own_pending_requests(*, actor: Actor) -> QuerySet[ServiceRequest] | None:
    """The actor's own agencies' requests still waiting for the provider's answer."""
    if not actor.member_org_ids:
        return None
    return request_list(actor=actor, status=RequestStatus.REQUESTED).filter(
        organisation_id__in=actor.member_org_ids
    )


def own_open_cases(*, actor: Actor) -> QuerySet[ConnectionCase] | None:
    """The actor's own agencies' connection cases still under way."""
    if not actor.member_org_ids:
        return None
    return case_list(actor=actor, state=CaseState.OPEN).filter(
        organisation_id__in=actor.member_org_ids
    )


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


# --- plans and forecasts (ADR 0096) -----------------------------------------------------------

# A phase's median is trusted from this many finished periods of it; fewer give no forecast.
MIN_SAMPLES = 3
DAY = 86400.0


def plan_outcome(request: ServiceRequest, today: datetime.date) -> str | None:
    """A planned request against what happened: on time (connected by the planned day), late
    (connected after it, or still pending after it), dropped (withdrawn or declined), or
    planned (pending, not yet due). None when the request has no plan."""
    if request.planned_on is None:
        return None
    if request.status in (RequestStatus.WITHDRAWN, RequestStatus.DECLINED):
        return PlanOutcome.DROPPED
    if request.status == RequestStatus.CONNECTED:
        connected = request.connected_on or request.planned_on
        return PlanOutcome.ON_TIME if connected <= request.planned_on else PlanOutcome.LATE
    return PlanOutcome.LATE if today > request.planned_on else PlanOutcome.PLANNED


def phase_medians() -> dict[str, float]:
    """The median days a phase took, over every finished period of every case (an aggregate that
    names no agency); only phases with at least MIN_SAMPLES finished periods."""
    durations: dict[str, list[float]] = defaultdict(list)
    for phase, entered, left in PhasePeriod.objects.filter(left_at__isnull=False).values_list(
        "phase", "entered_at", "left_at"
    ):
        if left is not None:
            durations[phase].append(max(0.0, (left - entered).total_seconds() / DAY))
    return {
        phase: statistics.median(days)
        for phase, days in durations.items()
        if len(days) >= MIN_SAMPLES
    }


def case_forecast(
    case: ConnectionCase, medians: dict[str, float], now: datetime.datetime
) -> datetime.date | None:
    """When an open case is expected to complete: what is left of the current phase's median
    (at least nothing) plus the medians of the phases after it. A completed case answers its
    closing day; a cancelled one, or one with a phase not yet measured, None. Reads the case's
    prefetched phase periods (`case_get` prefetches them)."""
    if case.state == CaseState.COMPLETED:
        return case.closed_on
    if case.state != CaseState.OPEN:
        return None
    current = next((p for p in case.phase_periods.all() if p.left_at is None), None)
    entered = current.entered_at if current else now
    remaining_phases = PHASE_ORDER[PHASE_ORDER.index(case.phase) :]
    if any(phase not in medians for phase in remaining_phases):
        return None
    spent = max(0.0, (now - entered).total_seconds() / DAY)
    left = max(0.0, medians[case.phase] - spent) + sum(medians[p] for p in remaining_phases[1:])
    return (now + datetime.timedelta(days=left)).date()


@dataclass(frozen=True)
class PlanRow:
    service_code: str
    planned: int
    on_time: int
    late: int
    dropped: int
    pending: int


def plan_summary(*, actor: Actor, year: int, today: datetime.date) -> list[PlanRow]:
    """Requests planned for connection in `year`, per service: how many, and on time, late,
    dropped, not yet due. The report's "planned" list against its outcome."""
    rows = request_list(actor=actor).filter(planned_on__year=year).order_by()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for request in rows:
        counts[request.service.code][plan_outcome(request, today) or ""] += 1
    return [
        PlanRow(
            service_code=code,
            planned=sum(c.values()),
            on_time=c[PlanOutcome.ON_TIME],
            late=c[PlanOutcome.LATE],
            dropped=c[PlanOutcome.DROPPED],
            pending=c[PlanOutcome.PLANNED],
        )
        for code, c in sorted(counts.items())
    ]


# --- attachments ------------------------------------------------------------------------------


def case_for_attachments(*, actor: Actor, case_id: int) -> ConnectionCase:
    """The case, without what its page shows: whoever sees a case sees and adds its documents."""
    return case_with_organisation(actor=actor, case_id=case_id)


def attachment_list(*, actor: Actor, case_id: int) -> QuerySet[CaseAttachment]:
    case = case_for_attachments(actor=actor, case_id=case_id)
    return CaseAttachment.objects.filter(case=case).select_related("file", "added_by")


def attachment_get(*, actor: Actor, case_id: int, attachment_id: int) -> CaseAttachment:
    """One document of a case the actor sees; another case's id is missing, as is an unseen case."""
    attachments = attachment_list(actor=actor, case_id=case_id)
    return visible_or_404(attachments, "attachment", id=attachment_id)


# --- subscriptions ----------------------------------------------------------------------------


def billed_subscription_rows(
    *,
    service_ids: Iterable[int],
    bases: Iterable[str],
    started_by: datetime.date,
    ended_from: datetime.date,
) -> list[tuple[int, int, datetime.date, datetime.date | None]]:
    """(agency, service, start date, end date) of the subscriptions of these services on these
    agreement bases that started by `started_by` and had not ended before `ended_from`, in
    (agency, service, id) order: one query for a month's invoice run (billing, ADR 0205). No
    actor: the caller is a provider finance job that already checked its actor."""
    return list(
        Subscription.objects.filter(
            service_id__in=list(service_ids),
            agreement_basis__in=list(bases),
            start_date__lte=started_by,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=ended_from))
        .order_by("organisation_id", "service_id", "id")
        .values_list("organisation_id", "service_id", "start_date", "end_date")
    )


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
    queryset = _scoped(Subscription.objects.select_related("organisation", "service"), actor)
    return visible_or_404(queryset, "subscription", id=subscription_id)


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
    #: Every provider's services, each row with its provider (SITSSAM), not the actor's own.
    across_providers: bool = False


def demand_report(
    *, actor: Actor, year: int, basis: str | None = "assignment", across_providers: bool = False
) -> DemandReport:
    """Per service: agencies that had asked by the end of `year`, and agencies connected at its end.

    Withdrawn requests do not count as demand. `basis` filters connections by agreement basis
    (None: all bases); the report's own table counts only the government assignment. Customers see
    the figures of their own agencies only. `across_providers`: every provider's services past
    draft, counted over every agency, for whom `compares_providers` allows (else `NotFound`).
    """
    if across_providers and not compares_providers(actor):
        raise NotFound("demand report across providers")
    year_end = datetime.date(year, 12, 31)
    hierarchy = Hierarchy.load()
    requested: dict[int, set[int]] = defaultdict(set)
    connected: dict[int, set[int]] = defaultdict(set)

    def counted(queryset: QuerySet[Any]) -> QuerySet[Any]:
        # Across providers the figures are totals over every agency; no row names one.
        return queryset if across_providers else _scoped(queryset, actor)

    request_rows = (
        counted(ServiceRequest.objects.all())
        .filter(requested_on__lte=year_end)
        .exclude(status=RequestStatus.WITHDRAWN)
    )
    for service_id, org_id in (
        request_rows.values_list("service_id", "organisation_id").order_by().distinct()
    ):
        requested[service_id].add(org_id)
    subscription_rows = counted(Subscription.objects.all()).filter(
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
    services = services_past_draft().select_related("provider")
    order: tuple[str, ...] = ("display_order", "code")
    if across_providers:
        order = ("provider__name", *order)  # every provider's services, grouped by provider
    elif actor.sees_everything:
        # The system's report is the catalogue owner's, as the yearly report is (ADR 0042).
        services = services.filter(provider__in=default_provider())
    elif actor.provider_org_ids:
        # A provider's staff report on their own provider's services (ADR 0041).
        services = services.filter(provider_id__in=actor.provider_org_ids)
    for service in services.order_by(*order):
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
    return DemandReport(
        year=year,
        basis=basis,
        legal_agency_total=total,
        rows=rows,
        across_providers=across_providers,
    )


def checklist_templates() -> dict[str, list[ChecklistTemplateItem]]:
    """Every phase's checklist configuration, retired items included, in phase order."""
    by_phase: dict[str, list[ChecklistTemplateItem]] = {phase: [] for phase in PHASE_ORDER}
    for item in ChecklistTemplateItem.objects.order_by("position", "id"):
        by_phase[item.phase].append(item)
    return by_phase


# --- the site-wide search (ADR 0702) ------------------------------------------------------------


def search_cases(*, actor: Actor, words: Sequence[str], limit: int) -> list[ConnectionCase]:
    """Connection cases the actor may see whose agency, service (code or name) or case number
    matches every word; newest first. One query for the cases, one for their
    services."""
    links = ConnectionCase.services.through.objects
    matching = Q()
    for word in words:
        # from the few matching services to their cases, not from every case to its services
        services = service_labels().filter(all_words([word], ("code", "name_sv", "name_en")))
        with_service = links.filter(service_id__in=services.values("id"))
        either = Q(organisation_id__in=agency_ids_named(word)) | Q(
            id__in=with_service.values("connectioncase_id")
        )
        matching &= or_number(word, either)
    return list(
        ConnectionCase.objects.select_related("organisation")
        .prefetch_related(Prefetch("services", queryset=service_labels()))
        .filter(matching)
        .filter(_case_row_visible(actor))
        .order_by("-opened_on", "-id")[:limit]
    )


def search_requests(*, actor: Actor, words: Sequence[str], limit: int) -> list[ServiceRequest]:
    """Requests (demand) the actor may see whose agency, service (code or name) or number
    matches every word; newest first. One query."""
    matching = Q()
    for word in words:
        services = service_labels().filter(all_words([word], ("code", "name_sv", "name_en")))
        either = Q(organisation_id__in=agency_ids_named(word)) | Q(
            service_id__in=services.values("id")
        )
        matching &= or_number(word, either)
    return list(
        _scoped(ServiceRequest.objects.select_related("organisation", "service"), actor)
        .filter(matching)
        .order_by("-requested_on", "-id")[:limit]
    )


def case_with_organisation(*, actor: Actor, case_id: int) -> ConnectionCase:
    """A connection case with its agency, among the cases the actor sees (billing books time on
    it): another provider's customer's case is `NotFound`, as one that does not exist. One query."""
    return visible_or_404(case_list(actor=actor).prefetch_related(None), "case", id=case_id)
