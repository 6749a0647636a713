"""Reads of security operations (ADR 0952, 0953), scoped to the actor.

Reach: a finding on a component reaches every service built from the component, every service
that depends on one of those (transitively, through the catalogue's dependency graph), and
every agency with an active subscription to one of them. Computed when read from the
catalogue's and onboarding's selectors, so a new subscription or dependency counts at once.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from samdrift.catalogue.selectors import dependency_edges, service_list
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import NotFound
from samdrift.core.tenancy import visible_or_404
from samdrift.onboarding.selectors import subscription_list
from samdrift.organisations.selectors import organisation_names

from .choices import SEVERITY_ORDER, Severity
from .models import (
    Advisory,
    AdvisoryCopy,
    Component,
    ComponentUse,
    EpssScore,
    Finding,
    ImportRun,
    KnownExploited,
    SecurityCase,
)
from .permissions import soc_provider_ids, soc_sees_provider

#: Days to remediate by severity (DefectDojo's defaults, ADR 0953); `SECURITY_REMEDIATION_DAYS`
#: in the settings overrides any of them. Informational and unknown findings get no deadline.
REMEDIATION_DAYS = {
    Severity.CRITICAL: 7,
    Severity.HIGH: 30,
    Severity.MEDIUM: 90,
    Severity.LOW: 120,
}


def remediation_days() -> dict[str, int]:
    configured = getattr(settings, "SECURITY_REMEDIATION_DAYS", {}) or {}
    return {**{str(k): v for k, v in REMEDIATION_DAYS.items()}, **configured}


#: Days to remediate a vulnerability in CISA's KEV catalogue, counted from when it was first seen
#: here or added to the catalogue, whichever is later (ADR 0956); `SECURITY_KEV_DAYS` overrides.
KEV_DAYS = 3


def remediation_deadline(finding: Finding) -> datetime.date | None:
    """By severity; shortened when the vulnerability is known to be exploited (the finding is
    read through `with_threats`, which annotates `kev_added`)."""
    days = remediation_days().get(finding.severity)
    first_seen = timezone.localtime(finding.first_seen).date()  # the day in Sweden, not UTC
    deadline = first_seen + datetime.timedelta(days=int(days)) if days is not None else None
    kev_added = getattr(finding, "kev_added", None)
    if kev_added is None:
        return deadline
    kev_days = int(getattr(settings, "SECURITY_KEV_DAYS", KEV_DAYS))
    urgent = max(first_seen, kev_added) + datetime.timedelta(days=kev_days)
    return min(deadline, urgent) if deadline else urgent


def with_threats(queryset: QuerySet[Finding]) -> QuerySet[Finding]:
    """Each finding with the date its vulnerability entered CISA's KEV catalogue (`kev_added`)
    and its EPSS score (`epss`), None where unknown: two subqueries on unique indexes."""
    return queryset.annotate(
        kev_added=Subquery(
            KnownExploited.objects.filter(cve_id=OuterRef("vulnerability_id")).values("date_added")[
                :1
            ]
        ),
        epss=Subquery(
            EpssScore.objects.filter(cve_id=OuterRef("vulnerability_id")).values("epss")[:1]
        ),
    )


# --- the graph ---------------------------------------------------------------------------------


def service_graph() -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """(service -> services it depends on, service -> services depending on it), all services."""
    down: dict[int, set[int]] = defaultdict(set)
    up: dict[int, set[int]] = defaultdict(set)
    for edge in dependency_edges(actor=SYSTEM):
        down[edge.service_id].add(edge.depends_on_id)
        up[edge.depends_on_id].add(edge.service_id)
    return down, up


def closure(start: Iterable[int], neighbours: dict[int, set[int]]) -> set[int]:
    seen = set(start)
    queue = list(seen)
    while queue:
        for nxt in neighbours.get(queue.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def subscriber_pairs(service_ids: Iterable[int]) -> list[tuple[int, int]]:
    """(agency, service) of the active subscriptions of these services."""
    return list(
        subscription_list(actor=SYSTEM)
        .filter(service_id__in=list(service_ids))
        .values_list("organisation_id", "service_id")
        .order_by()
        .distinct()
    )


def _services_reaching(org_ids: Iterable[int]) -> set[int]:
    """Every service whose findings reach these agencies: those they subscribe to and what
    those depend on, transitively."""
    subscribed = set(
        subscription_list(actor=SYSTEM)
        .filter(organisation_id__in=list(org_ids))
        .values_list("service_id", flat=True)
    )
    if not subscribed:
        return set()
    down, _up = service_graph()
    return closure(subscribed, down)


# --- findings ----------------------------------------------------------------------------------


def _customer_org_ids(actor: Actor) -> set[int]:
    return set(actor.member_org_ids) - set(actor.provider_org_ids)


def _scoped(actor: Actor) -> QuerySet[Finding]:
    """The SOC sees its providers' components' findings; a customer agency's people the
    findings reaching their agency. One query (the reach is a subquery of service ids)."""
    providers = soc_provider_ids(actor)
    if providers is None:
        return with_threats(Finding.objects.all())
    condition = Q(component__provider_id__in=providers) if providers else Q(pk__in=[])
    customers = _customer_org_ids(actor)
    if customers:
        services = _services_reaching(customers)
        if services:
            uses = ComponentUse.objects.filter(service_id__in=services)
            condition |= Q(component_id__in=uses.values("component_id"))
    return with_threats(Finding.objects.filter(condition))


def shows_location(actor: Actor, finding: Finding) -> bool:
    """Where on the provider's hosts a finding was found is for that provider's SOC only."""
    return soc_sees_provider(actor, finding.component.provider_id)


def finding_list(
    *,
    actor: Actor,
    severity: str = "",
    status: str = "",
    component: str = "",
    search: str = "",
) -> QuerySet[Finding]:
    """The findings the actor may see, most severe first, then oldest first."""
    queryset = _scoped(actor).select_related("component")
    if severity:
        queryset = queryset.filter(severity=severity)
    if status:
        queryset = queryset.filter(status=status)
    if component:
        queryset = queryset.filter(component__name=component)
    if search:
        queryset = queryset.filter(
            Q(vulnerability_id__icontains=search)
            | Q(package_name__icontains=search)
            | Q(title__icontains=search)
        )
    return queryset


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first; within a severity the most likely exploited (EPSS) first, then oldest."""
    rank = {value: index for index, value in enumerate(SEVERITY_ORDER)}
    return sorted(
        findings,
        key=lambda f: (rank.get(f.severity, 99), -(getattr(f, "epss", None) or -1.0),
                       f.first_seen, f.id),
    )  # fmt: skip


def finding_get(*, actor: Actor, finding_id: int) -> Finding:
    return visible_or_404(_scoped(actor).select_related("component"), "finding", id=finding_id)


@dataclass(frozen=True)
class Reach:
    """Where one finding reaches: the services built from its component (`direct`), those
    depending on them, and per agency the services it subscribes to and its deadline."""

    direct: list[int]
    through: list[int]
    agencies: dict[int, list[int]]
    deadline: datetime.date | None


def finding_reach(*, actor: Actor, finding_id: int) -> Reach:
    """A finding's reach, for the SOC of its provider (a customer sees only its own agency,
    through `agency_findings`)."""
    finding = finding_get(actor=actor, finding_id=finding_id)
    if not shows_location(actor, finding):
        # a customer learns of no other agency
        visible_or_404(Finding.objects.none(), "finding", id=finding_id)
    return reach_of(finding)


def reach_of(finding: Finding) -> Reach:
    """No actor: the caller (the SOC's selector above, the notifications) checked it."""
    direct = set(
        ComponentUse.objects.filter(component_id=finding.component_id).values_list(
            "service_id", flat=True
        )
    )
    _down, up = service_graph()
    reached = closure(direct, up)
    agencies: dict[int, list[int]] = defaultdict(list)
    for org_id, service_id in subscriber_pairs(reached):
        agencies[org_id].append(service_id)
    return Reach(
        direct=sorted(direct),
        through=sorted(reached - direct),
        agencies={org: sorted(services) for org, services in sorted(agencies.items())},
        deadline=remediation_deadline(finding),
    )


@dataclass(frozen=True)
class ServiceName:
    code: str
    name: str


@dataclass(frozen=True)
class AgencyReached:
    name: str
    services: list[str]  # codes


@dataclass(frozen=True)
class FindingDetail:
    """One finding as the actor may see it. The provider's SOC (`soc`): where it was found, the
    imports that listed it, the services it reaches and every agency reached through the
    provider's own services (`others`: how many more only through other providers' services,
    unnamed). A customer agency's people: only their own agencies and services."""

    finding: Finding
    deadline: datetime.date | None
    soc: bool
    direct: list[ServiceName]
    through: list[ServiceName]
    agencies: list[AgencyReached]
    others: int
    advisories: list[Advisory]
    first_run: ImportRun | None
    last_run: ImportRun | None


def finding_detail(*, actor: Actor, finding_id: int) -> FindingDetail:
    finding = finding_get(actor=actor, finding_id=finding_id)
    soc = shows_location(actor, finding)
    reach = reach_of(finding)
    reached = service_list(actor=SYSTEM).filter(id__in=[*reach.direct, *reach.through])
    services = {service.id: service for service in reached}
    if soc:  # the provider's own services and the agencies reached through them
        shown = {i for i, s in services.items() if soc_sees_provider(actor, s.provider_id)}
        named = {org: ids for org, ids in reach.agencies.items() if shown.intersection(ids)}
    else:  # the actor's own agencies and their services
        customers = _customer_org_ids(actor)
        named = {org: ids for org, ids in reach.agencies.items() if org in customers}
        shown = {i for ids in named.values() for i in ids}
    names = organisation_names(named)
    agencies = [
        AgencyReached(names.get(org, ""), [services[i].code for i in ids if i in shown])
        for org, ids in named.items()
    ]
    runs = ImportRun.objects.filter(pk__in=[finding.first_run_id, finding.last_run_id])
    by_id = {run.pk: run for run in runs} if soc else {}
    advisories = advisory_list(actor=actor).filter(vulnerability_id=finding.vulnerability_id)

    def named_services(ids: list[int]) -> list[ServiceName]:
        return [ServiceName(services[i].code, services[i].name) for i in ids if i in shown]

    return FindingDetail(
        finding=finding,
        deadline=reach.deadline,
        soc=soc,
        direct=named_services(reach.direct) if soc else [],
        through=named_services(reach.through) if soc else [],
        agencies=sorted(agencies, key=lambda agency: agency.name),
        others=len(reach.agencies) - len(named) if soc else 0,
        advisories=list(advisories.order_by("-published_at", "-id")),
        first_run=by_id.get(finding.first_run_id),
        last_run=by_id.get(finding.last_run_id),
    )


@dataclass(frozen=True)
class AgencyFinding:
    finding: Finding
    deadline: datetime.date | None


def agency_findings(*, actor: Actor, organisation_id: int) -> list[AgencyFinding]:
    """The findings reaching one agency with their remediation deadlines: the agency's own
    people, or the SOC of a provider (its own components only)."""
    if not (actor.sees_everything or organisation_id in actor.member_org_ids) and not (
        soc_provider_ids(actor)
    ):
        visible_or_404(Finding.objects.none(), "agency", id=organisation_id)
    services = _services_reaching([organisation_id])
    uses = ComponentUse.objects.filter(service_id__in=services)
    queryset = with_threats(Finding.objects.filter(component_id__in=uses.values("component_id")))
    providers = soc_provider_ids(actor)
    if providers is not None and organisation_id not in actor.member_org_ids:
        queryset = queryset.filter(component__provider_id__in=providers)
    return [
        AgencyFinding(finding, remediation_deadline(finding))
        for finding in ordered(queryset.select_related("component"))
    ]


# --- components and imports --------------------------------------------------------------------


def component_list(*, actor: Actor) -> QuerySet[Component]:
    providers = soc_provider_ids(actor)
    queryset = Component.objects.all()
    if providers is not None:
        queryset = queryset.filter(provider_id__in=providers)
    return queryset.order_by("name")


def import_runs(*, actor: Actor, component: str = "") -> QuerySet[ImportRun]:
    providers = soc_provider_ids(actor)
    queryset = ImportRun.objects.select_related("component")
    if providers is not None:
        queryset = queryset.filter(component__provider_id__in=providers)
    if component:
        queryset = queryset.filter(component__name=component)
    return queryset


@dataclass(frozen=True)
class FindingRow:
    """A finding as the actor may see it: the location only for its provider's SOC."""

    finding: Finding
    deadline: datetime.date | None
    location: str


def findings_most_severe_first(
    *,
    actor: Actor,
    severity: str = "",
    status: str = "",
    component: str = "",
    search: str = "",
) -> QuerySet[Finding]:
    """`finding_list` most severe first, then by EPSS (most likely exploited first), then oldest,
    the id last so pages never overlap."""
    rank = Case(
        *[When(severity=value, then=Value(index)) for index, value in enumerate(SEVERITY_ORDER)],
        default=Value(99),
        output_field=IntegerField(),
    )
    queryset = finding_list(
        actor=actor, severity=severity, status=status, component=component, search=search
    )
    return queryset.annotate(rank=rank).order_by(
        "rank", F("epss").desc(nulls_last=True), "first_seen", "id"
    )


def finding_row(actor: Actor, finding: Finding) -> FindingRow:
    """One finding as `actor` may see it (the location only for its provider's SOC)."""
    return FindingRow(
        finding,
        remediation_deadline(finding),
        finding.location if shows_location(actor, finding) else "",
    )


def finding_rows(
    *,
    actor: Actor,
    severity: str = "",
    status: str = "",
    component: str = "",
    search: str = "",
    limit: int = 200,
) -> tuple[list[FindingRow], int]:
    """The first `limit` findings of `findings_most_severe_first`, and how many there are."""
    queryset = findings_most_severe_first(
        actor=actor, severity=severity, status=status, component=component, search=search
    )
    return [finding_row(actor, f) for f in queryset[:limit]], queryset.count()


# --- advisories (ADR 0967) ----------------------------------------------------------------------


def advisory_list(*, actor: Actor) -> QuerySet[Advisory]:
    """The SOC: its providers' advisories. A customer agency's people: those sent to their
    agency. Newest first."""
    providers = soc_provider_ids(actor)
    if providers is None:
        return Advisory.objects.all()
    condition = Q(provider_id__in=providers) if providers else Q(pk__in=[])
    customers = _customer_org_ids(actor)
    if customers:
        sent = AdvisoryCopy.objects.filter(organisation_id__in=customers)
        condition |= Q(pk__in=sent.values("advisory_id"))
    return Advisory.objects.filter(condition)


def advisory_copy(*, actor: Actor, advisory_id: int) -> AdvisoryCopy:
    """The copy the actor reads: the provider's full one for its SOC, otherwise the one sent
    to the actor's agency. Missing and not the actor's give the same 404."""
    advisory = visible_or_404(advisory_list(actor=actor), "advisory", id=advisory_id)
    providers = soc_provider_ids(actor)
    copies = AdvisoryCopy.objects.filter(advisory=advisory).select_related("advisory")
    if providers is None or advisory.provider_id in providers:
        copies = copies.filter(organisation__isnull=True)
    else:
        copies = copies.filter(organisation_id__in=_customer_org_ids(actor))
    copy = copies.order_by("organisation_id").first()
    if copy is None:
        raise NotFound("advisory")
    return copy


# --- security cases (ADR 0968) ------------------------------------------------------------------


def security_case_list(*, actor: Actor) -> QuerySet[SecurityCase]:
    """The SOC's own providers' security cases; nobody else sees any (a customer follows the
    incident itself in the operations app, without the security fields)."""
    providers = soc_provider_ids(actor)
    if providers is None:
        return SecurityCase.objects.all()
    return SecurityCase.objects.filter(incident__provider_id__in=providers)
