"""Reads of incidents, problems and changes, always for an actor (ADRs 0041, 0807).

Provider staff see the incidents on their own provider's services; an agency's people see the
incidents that reach their agency or that it reported, and of the clocks only their own. A
missing and a forbidden object are the same `NotFound`.

`reach(...)` is the system read the services use to fan an incident out: every agency with an
active subscription to the service or to any service that depends on it (catalogue dependency
graph), with the agreed hours of each of those subscriptions.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.utils import parseaddr
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.selectors import dependency_edges, service_list
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.health import component_health
from samdrift.core.search.words import all_words, or_number
from samdrift.core.tenancy import visible_or_404
from samdrift.onboarding.selectors import subscription_list
from samdrift.organisations.selectors import organisation_get

from .availability import Availability, Interval, measure
from .calendars import STOCKHOLM, calendar_for
from .choices import ChangeState, IncidentState, OutageLevel, ServiceStatus
from .models import (
    AffectedAgency,
    Change,
    Incident,
    IncidentEvent,
    IncidentParty,
    Outage,
    Problem,
)
from .permissions import ALL_PROVIDER_ROLES, OPERATORS, may_see_agency_availability

DAY = dt.timedelta(days=1)


def _incident_scope(actor: Actor) -> Q:
    if actor.sees_everything:
        return Q()
    condition = (
        Q(reported_by_org_id__in=actor.member_org_ids)
        | Q(
            id__in=AffectedAgency.objects.filter(organisation_id__in=actor.member_org_ids).values(
                "incident_id"
            )
        )
        # The parties of the responsibility matrix the incident was routed to (ADR 0845).
        | Q(
            id__in=IncidentParty.objects.filter(organisation_id__in=actor.member_org_ids).values(
                "incident_id"
            )
        )
    )
    if actor.provider_org_ids:
        condition |= Q(provider_id__in=actor.provider_org_ids)
    return condition


def incident_list(
    *, actor: Actor, state: str = "", service_code: str = "", major: bool | None = None
) -> QuerySet[Incident]:
    queryset = Incident.objects.filter(_incident_scope(actor)).select_related("service")
    if state:
        queryset = queryset.filter(state=state)
    if service_code:
        queryset = queryset.filter(service__code=service_code)
    if major is not None:
        queryset = queryset.filter(major=major)
    return queryset.order_by("-opened_at", "-id")


def incidents_to_take(*, actor: Actor) -> QuerySet[Incident] | None:
    """New incidents on the services of the providers where the actor works incidents (the
    start page's "incidents waiting for me", ADR 0705), oldest first."""
    providers = [
        org for org, roles in actor.provider_roles_by_org.items() if roles.intersection(OPERATORS)
    ]
    if not providers:
        return None
    return (
        incident_list(actor=actor, state=IncidentState.NEW)
        .filter(provider_id__in=providers)
        .order_by("opened_at", "id")
    )


def open_incidents_affecting_own(*, actor: Actor) -> QuerySet[Incident] | None:
    """Incidents not yet resolved that reach or were reported by the actor's own agencies."""
    own = actor.member_org_ids
    if not own:
        return None
    return (
        incident_list(actor=actor)
        .filter(state__in=(IncidentState.NEW, IncidentState.IN_PROGRESS))
        .filter(
            Q(reported_by_org_id__in=own)
            | Q(id__in=AffectedAgency.objects.filter(organisation_id__in=own).values("incident_id"))
        )
    )


def incident_get(*, actor: Actor, incident_id: int) -> Incident:
    queryset = Incident.objects.filter(_incident_scope(actor)).select_related(
        "service", "provider", "reported_by_org", "parent", "problem"
    )
    return visible_or_404(queryset, "incident", id=incident_id)


def affected_org_ids(incident: Incident) -> frozenset[int]:
    """The agencies the incident reaches (for its abilities; not a list to show anyone)."""
    return frozenset(
        AffectedAgency.objects.filter(incident=incident).values_list("organisation_id", flat=True)
    )


def party_roles(incident: Incident) -> dict[int, set[str]]:
    """The matrix parties an incident was routed to, with their roles (for its abilities)."""
    roles: dict[int, set[str]] = {}
    for org_id, role in IncidentParty.objects.filter(incident=incident).values_list(
        "organisation_id", "role"
    ):
        roles.setdefault(org_id, set()).add(role)
    return roles


def incident_parties(incident: Incident) -> list[tuple[str, str]]:
    """(role, agency name) of the parties the incident was routed to, R first."""
    order = {"R": 0, "A": 1, "C": 2, "I": 3}
    rows = IncidentParty.objects.filter(incident=incident).values_list("role", "organisation__name")
    return sorted(rows, key=lambda row: (order.get(row[0], 9), row[1]))


def _sees_every_clock(actor: Actor, incident: Incident) -> bool:
    return actor.sees_everything or incident.provider_id in actor.provider_org_ids


def clocks_for(*, actor: Actor, incident: Incident) -> QuerySet[AffectedAgency]:
    """The clocks the actor may see on an incident it already sees: the provider's staff every
    agency's, an agency's people only their own agency's."""
    queryset = AffectedAgency.objects.filter(incident=incident).select_related("organisation")
    if not _sees_every_clock(actor, incident):
        queryset = queryset.filter(organisation_id__in=actor.member_org_ids)
    return queryset.order_by("organisation__name", "id")


def events_for(*, actor: Actor, incident: Incident) -> QuerySet[IncidentEvent]:
    """The history: an agency's people see the events about the whole incident and their own
    agency's, not which other agencies it reached or waits for."""
    queryset = IncidentEvent.objects.filter(incident=incident).select_related("organisation")
    if not _sees_every_clock(actor, incident):
        queryset = queryset.filter(
            Q(organisation__isnull=True) | Q(organisation_id__in=actor.member_org_ids)
        )
    return queryset.order_by("at", "id")


def problem_list(*, actor: Actor, state: str = "") -> QuerySet[Problem]:
    queryset = Problem.objects.select_related("service")
    if not actor.sees_everything:
        queryset = queryset.filter(provider_id__in=actor.provider_org_ids)
    if state:
        queryset = queryset.filter(state=state)
    return queryset.order_by("-created_at", "-id")


def problem_get(*, actor: Actor, problem_id: int) -> Problem:
    return visible_or_404(problem_list(actor=actor), "problem", id=problem_id)


def _services_reaching(org_ids: Iterable[int]) -> set[str]:
    """The services whose change reaches these agencies: those they subscribe to and, through
    the catalogue's dependency graph, every service those depend on (ADR 0840)."""
    forward: dict[str, list[str]] = {}
    for edge in dependency_edges(actor=SYSTEM):
        forward.setdefault(edge.service.code, []).append(edge.depends_on.code)
    found = set(
        subscription_list(actor=SYSTEM)
        .filter(organisation_id__in=list(org_ids))
        .values_list("service__code", flat=True)
    )
    queue = deque(found)
    while queue:
        for code in forward.get(queue.popleft(), []):
            if code not in found:
                found.add(code)
                queue.append(code)
    return found


def change_list(*, actor: Actor, state: str = "") -> QuerySet[Change]:
    """Provider staff see their own provider's changes; an agency's people see the approved
    changes (maintenance) that reach a service they use, never a draft, a rejected change or
    another provider's change that does not reach them (ADR 0840, as ADR 0807 for incidents)."""
    queryset = Change.objects.select_related("service")
    if not actor.sees_everything:
        scope = Q(provider_id__in=actor.provider_org_ids)
        if actor.member_org_ids:
            scope |= Q(
                state__in=MAINTENANCE_STATES,
                service__code__in=_services_reaching(actor.member_org_ids),
            )
        queryset = queryset.filter(scope)
    if state:
        queryset = queryset.filter(state=state)
    return queryset.order_by("window_start", "id")


def change_get(*, actor: Actor, change_id: int) -> Change:
    return visible_or_404(change_list(actor=actor), "change", id=change_id)


# --- the reach of an incident (system reads for the services) ---------------------------------


def dependants_of(service_code: str) -> list[str]:
    """The service and every service that depends on it, directly or through others, in the
    order they are reached (the catalogue keeps the graph acyclic; a cycle would still end)."""
    reverse: dict[str, list[str]] = {}
    for edge in dependency_edges(actor=SYSTEM):
        reverse.setdefault(edge.depends_on.code, []).append(edge.service.code)
    found = [service_code]
    queue = deque([service_code])
    while queue:
        for code in reverse.get(queue.popleft(), []):
            if code not in found:
                found.append(code)
                queue.append(code)
    return found


def reach(service_code: str) -> dict[int, list[tuple[str, str]]]:
    """Agency id → [(service code, its support hours)] for every active subscription to the
    service or a service depending on it."""
    codes = dependants_of(service_code)
    found: dict[int, list[tuple[str, str]]] = {}
    rows = subscription_list(actor=SYSTEM).filter(service__code__in=codes)
    for org_id, code, hours in rows.values_list(
        "organisation_id", "service__code", "service__support_hours"
    ).order_by("organisation_id", "service__code"):
        found.setdefault(org_id, []).append((code, hours))
    return found


def has_subscription(*, organisation_id: int, service_code: str) -> bool:
    return (
        subscription_list(actor=SYSTEM, service_code=service_code)
        .filter(organisation_id=organisation_id)
        .exists()
    )


def support_hours_of(codes: Iterable[str]) -> dict[str, str]:
    """The agreed hours the catalogue states now for these services (an agreement change shows
    up in the next recompute)."""
    return dict(
        service_list(actor=SYSTEM)
        .filter(code__in=list(codes))
        .values_list("code", "support_hours")
        .order_by()
    )


INTAKE_LOCAL_PART = "drift"


def intake_domain() -> str:
    """The mail domain of the incident addresses: `SAMDRIFT_INCIDENT_MAIL_DOMAIN`, else the
    domain samdrift's own e-mail comes from."""
    configured = getattr(settings, "OPERATIONS_INTAKE_DOMAIN", "")
    return configured or parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]


def intake_address(org_number: str) -> str:
    """A provider's incident address (ADR 0841): `drift+<organisation number>@<domain>`."""
    digits = "".join(ch for ch in org_number if ch.isdigit())
    return f"{INTAKE_LOCAL_PART}+{digits}@{intake_domain()}"


def intake_addresses(*, actor: Actor) -> list[tuple[str, str]]:
    """(provider, address) for each provider the actor's agencies are customers of."""
    rows = (
        subscription_list(actor=actor)
        .filter(organisation_id__in=actor.member_org_ids)
        .values_list("service__provider__name", "service__provider__org_number")
        .distinct()
    )
    return sorted({(name, intake_address(number)) for name, number in rows if number})


def operated_services(*, actor: Actor) -> list[tuple[str, str]]:
    """(code, label) of the services whose problems and changes the actor works: its
    provider's, as an operator there."""
    operated = [o for o, roles in actor.provider_roles_by_org.items() if roles & set(OPERATORS)]
    rows = service_list(actor=actor)
    if not actor.sees_everything:
        rows = rows.filter(provider_id__in=operated)
    return [(code, f"{code} – {name}") for code, name in rows.values_list("code", "name_sv")]


def reportable_services(*, actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of the services the actor may open an incident on: its agencies'
    subscribed services, and for provider staff their own provider's services."""
    codes = set(
        subscription_list(actor=actor)
        .filter(organisation_id__in=actor.member_org_ids)
        .values_list("service__code", flat=True)
    )
    own = service_list(actor=actor)
    if not actor.sees_everything:
        own = own.filter(provider_id__in=actor.provider_org_ids)
    codes |= set(own.values_list("code", flat=True))
    rows = service_list(actor=actor).filter(code__in=codes).values_list("code", "name_sv")
    return [(code, f"{code} – {name}") for code, name in rows]


#: Changes whose window is approved maintenance (availability, issue 16 item 3): a draft, a
#: change awaiting approval or a rejected one does not excuse downtime.
MAINTENANCE_STATES = (ChangeState.APPROVED, ChangeState.IMPLEMENTED, ChangeState.CLOSED)


def maintenance_windows(
    *, service_id: int, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Approved maintenance windows of one service overlapping [start, end)."""
    return list(
        Change.objects.filter(
            service_id=service_id,
            state__in=MAINTENANCE_STATES,
            window_start__lt=end,
            window_end__gt=start,
        )
        .order_by("window_start", "id")
        .values_list("window_start", "window_end")
    )


def search_incidents(*, actor: Actor, words: Sequence[str], limit: int) -> list[Incident]:
    """The site-wide search's incidents (ADR 0702): every word in the title or the service code,
    or the incident's number, within the incidents the actor may see; newest first. One query."""
    matching = Q()
    for word in words:
        matching &= or_number(word, all_words([word], ("title", "service__code")))
    return list(
        Incident.objects.filter(_incident_scope(actor))
        .filter(matching)
        .select_related("service")
        .order_by("-opened_at", "-id")[:limit]
    )


# --- outages and availability (issue 16 item 3, ADR 0830) -------------------------------------


def _outage_scope(actor: Actor) -> Q:
    """Provider staff: their provider's outages; an agency: outages of the services it
    subscribes to (an outage is about a service, never about an agency)."""
    if actor.sees_everything:
        return Q()
    subscribed = subscription_list(actor=actor).filter(organisation_id__in=actor.member_org_ids)
    condition = Q(service_id__in=subscribed.values("service_id"))
    if actor.provider_org_ids:
        condition |= Q(provider_id__in=actor.provider_org_ids)
    return condition


def outage_list(
    *, actor: Actor, service_code: str = "", open_only: bool = False
) -> QuerySet[Outage]:
    queryset = Outage.objects.filter(_outage_scope(actor)).select_related("service")
    if service_code:
        queryset = queryset.filter(service__code=service_code)
    if open_only:
        queryset = queryset.filter(ended_at__isnull=True)
    return queryset.order_by("-started_at", "-id")


def outage_get(*, actor: Actor, outage_id: int) -> Outage:
    return visible_or_404(outage_list(actor=actor), "outage", id=outage_id)


def year_bounds(year: int, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """[1 January, 1 January next year) in Swedish time, cut at `now` for the running year."""
    start = dt.datetime(year, 1, 1, tzinfo=STOCKHOLM)
    end = dt.datetime(year + 1, 1, 1, tzinfo=STOCKHOLM)
    moment = now or timezone.now()
    return start, max(start, min(end, moment))


def availability_services(*, actor: Actor) -> QuerySet[Any]:
    """The services whose availability the actor may read: its provider's own (any lifecycle)
    and the services its agencies subscribe to."""
    services = service_list(actor=actor)
    if actor.sees_everything:
        return services
    subscribed = subscription_list(actor=actor).filter(organisation_id__in=actor.member_org_ids)
    return services.filter(
        Q(provider_id__in=actor.provider_org_ids) | Q(id__in=subscribed.values("service_id"))
    )


@dataclass(frozen=True)
class ServiceAvailability:
    """One service's (or one agency's view of one service's) availability over a period."""

    service_id: int
    provider_id: int
    code: str
    name: str
    support_hours: str
    target: float
    result: Availability
    start: dt.datetime
    end: dt.datetime

    @property
    def percent(self) -> float | None:
        return self.result.percent

    @property
    def meets(self) -> bool | None:
        return self.result.meets(self.target)

    @property
    def down_minutes(self) -> int:
        return self.result.down_seconds // 60


class _Measurer:
    """Reads the outages and approved maintenance of many services in two queries and measures
    any period of them; equal periods of a service are measured once (every agency connected
    all year shares one figure)."""

    def __init__(self, service_ids: list[int], start: dt.datetime, end: dt.datetime) -> None:
        self.outages: dict[int, list[Interval]] = {}
        self.maintenance: dict[int, list[Interval]] = {}
        moment = timezone.now()
        rows = Outage.objects.filter(
            service_id__in=service_ids, level=OutageLevel.OUTAGE, started_at__lt=end
        ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        for service_id, lo, hi in rows.values_list("service_id", "started_at", "ended_at"):
            self.outages.setdefault(service_id, []).append((lo, hi or max(moment, lo)))
        windows = Change.objects.filter(
            service_id__in=service_ids,
            state__in=MAINTENANCE_STATES,
            window_start__lt=end,
            window_end__gt=start,
        )
        for service_id, lo, hi in windows.values_list("service_id", "window_start", "window_end"):
            self.maintenance.setdefault(service_id, []).append((lo, hi))
        self._cache: dict[tuple[int, str, dt.datetime, dt.datetime], Availability] = {}

    def measure(
        self, service_id: int, hours: str, start: dt.datetime, end: dt.datetime
    ) -> Availability:
        key = (service_id, hours, start, end)
        if key not in self._cache:
            self._cache[key] = measure(
                calendar_for(hours),
                start,
                end,
                outages=self.outages.get(service_id, ()),
                maintenance=self.maintenance.get(service_id, ()),
                agreed_total=agreed_seconds(hours, start, end),
            )
        return self._cache[key]


@lru_cache(maxsize=4096)
def agreed_seconds(hours: str, start: dt.datetime, end: dt.datetime) -> int:
    """The agreed seconds of a support-hours level in [start, end): pure and the same for every
    service and agency on that level and period, so computed once per process (the calendar
    walks the period day by day)."""
    return calendar_for(hours).business_seconds(start, end)


def _name(service: Any, language: str) -> str:
    return service.name_en if language == "en" and service.name_en else service.name_sv


def _row(
    measurer: _Measurer, service: Any, start: dt.datetime, end: dt.datetime, language: str
) -> ServiceAvailability:
    return ServiceAvailability(
        service_id=service.id,
        provider_id=service.provider_id,
        code=service.code,
        name=_name(service, language),
        support_hours=service.support_hours,
        target=float(service.availability_target),
        result=measurer.measure(service.id, service.support_hours, start, end),
        start=start,
        end=end,
    )


def availability_overview(
    *, actor: Actor, year: int, language: str = "sv", now: dt.datetime | None = None
) -> list[ServiceAvailability]:
    """Every service the actor may read, measured over the year (so far)."""
    start, end = year_bounds(year, now)
    services = list(availability_services(actor=actor))
    measurer = _Measurer([s.id for s in services], start, end)
    return [_row(measurer, s, start, end, language) for s in services]


def availability_service(
    *, actor: Actor, code: str, year: int, language: str = "sv", now: dt.datetime | None = None
) -> tuple[ServiceAvailability, list[ServiceAvailability]]:
    """One service over the year, and — for its provider's staff only — the same figure per
    connected agency (each over the part of the year it was connected). Another agency's
    figure is never in an agency's answer."""
    service = visible_or_404(availability_services(actor=actor), "service", code=code)
    start, end = year_bounds(year, now)
    measurer = _Measurer([service.id], start, end)
    overall = _row(measurer, service, start, end, language)
    per_agency: list[ServiceAvailability] = []
    if actor.has_provider_role_in(service.provider_id, *ALL_PROVIDER_ROLES):
        per_agency = _per_subscription(
            measurer,
            subscription_list(actor=actor, active_only=False).filter(service_id=service.id),
            start,
            end,
            language,
            label="organisation",
        )
    return overall, per_agency


def _per_subscription(
    measurer: _Measurer,
    subscriptions: QuerySet[Any],
    start: dt.datetime,
    end: dt.datetime,
    language: str,
    *,
    label: str,
) -> list[ServiceAvailability]:
    rows: list[ServiceAvailability] = []
    for sub in subscriptions.select_related("service", "organisation"):
        lo = max(start, dt.datetime.combine(sub.start_date, dt.time(), tzinfo=STOCKHOLM))
        hi = end
        if sub.end_date is not None:
            hi = min(end, dt.datetime.combine(sub.end_date, dt.time(), tzinfo=STOCKHOLM) + DAY)
        if hi <= lo:
            continue
        row = _row(measurer, sub.service, lo, hi, language)
        if label == "organisation":
            row = ServiceAvailability(**{**row.__dict__, "name": sub.organisation.name})
        rows.append(row)
    return rows


def availability_agency(
    *,
    actor: Actor,
    agency_id: int,
    year: int,
    language: str = "sv",
    now: dt.datetime | None = None,
) -> tuple[Any, list[ServiceAvailability]]:
    """One agency's services over the part of the year it was connected to each; the staff of a
    provider see only their own provider's services in it."""
    if not may_see_agency_availability(actor=actor, organisation_id=agency_id):
        raise NotFound("organisation")
    agency = organisation_get(actor=actor, org_id=agency_id)
    subscriptions = subscription_list(actor=actor, active_only=False).filter(
        organisation_id=agency_id
    )
    if not (actor.sees_everything or agency_id in actor.member_org_ids):
        subscriptions = subscriptions.filter(service__provider_id__in=actor.provider_org_ids)
    start, end = year_bounds(year, now)
    service_ids = list(subscriptions.values_list("service_id", flat=True))
    measurer = _Measurer(service_ids, start, end)
    return agency, _per_subscription(measurer, subscriptions, start, end, language, label="")


def published_availability(
    *, actor: Actor, year: int, language: str = "sv"
) -> list[ServiceAvailability]:
    """The year's availability of the actor's published services (the report's table)."""
    published = _published_codes(actor)
    return [
        r for r in availability_overview(actor=actor, year=year, language=language)
        if r.code in published
    ]  # fmt: skip


@dataclass(frozen=True)
class YearlyAvailability:
    """Statskontoret's indicator 6 for a year: the mean of the services' availability."""

    percent: float
    services: int
    outages: int


def yearly_availability(*, actor: Actor, year: int) -> YearlyAvailability | None:
    """None when no outage of the actor's services is recorded for the year: then nothing was
    measured and the report says so, rather than a 100 % nobody observed."""
    start, end = year_bounds(year)
    rows = [
        r
        for r in availability_overview(actor=actor, year=year)
        if r.percent is not None and r.code in _published_codes(actor)
    ]
    recorded = (
        outage_list(actor=actor)
        .filter(service_id__in=[r.service_id for r in rows], started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .count()
    )
    if not rows or not recorded:
        return None
    mean = sum(r.percent or 0.0 for r in rows) / len(rows)
    return YearlyAvailability(percent=mean, services=len(rows), outages=recorded)


def _published_codes(actor: Actor) -> set[str]:
    return actor.remember(
        "operations.published_codes",
        lambda: set(
            service_list(actor=actor).exclude(lifecycle="draft").values_list("code", flat=True)
        ),
    )


def check_year(year: object) -> int:
    """A year of availability as an int, or a bilingual 422."""
    try:
        value = int(str(year))
    except (TypeError, ValueError):
        value = -1
    if not 2000 <= value <= 2100:
        raise ValidationFailed(
            _("The year must be a number from 2000 to 2100."), errors={"year": [str(year)]}
        )
    return value


# --- status pages (issue 16 item 4, ADR 0832) --------------------------------------------------

#: How far back a status page lists ended outages.
RECENT = dt.timedelta(days=30)


@dataclass(frozen=True)
class StatusPage:
    """A service's status now: `status` is the worst open outage's level; `current` and
    `recent` are the outages themselves (the public page shows only level and times)."""

    service_id: int
    provider_id: int
    code: str
    name: str
    status: str
    current: list[Outage]
    recent: list[Outage]


def status_services(*, language: str = "sv") -> list[tuple[str, str, str]]:
    """(code, name, status) of every service a status page is shown for: every one not a draft
    or retired. Public: no actor, no agency's data."""
    services = list(
        service_list(actor=SYSTEM)
        .filter(lifecycle__in=STATUS_LIFECYCLES)
        .order_by("display_order", "code")
    )
    down: dict[int, set[str]] = {}
    for service_id, level in Outage.objects.filter(
        service_id__in=[s.id for s in services], ended_at__isnull=True
    ).values_list("service_id", "level"):
        down.setdefault(service_id, set()).add(level)
    return [(s.code, _name(s, language), _status_of(down.get(s.id, set()))) for s in services]


STATUS_LIFECYCLES = ("active", "retiring")


def status_components() -> list[tuple[Any, str]]:
    """(label, status) of the engines samdrift runs beside itself (e.g. the chat homeserver),
    operational or outage. Public: up or down only, no version, no address."""
    return [
        (c.label, ServiceStatus.OPERATIONAL if c.up else ServiceStatus.OUTAGE)
        for c in component_health()
    ]


def _status_of(levels: set[str]) -> str:
    if OutageLevel.OUTAGE in levels:
        return ServiceStatus.OUTAGE
    if OutageLevel.DEGRADED in levels:
        return ServiceStatus.DEGRADED
    return ServiceStatus.OPERATIONAL


def status_page(*, code: str, language: str = "sv", now: dt.datetime | None = None) -> StatusPage:
    """The public status of one service (a draft or retired one is `NotFound`)."""
    queryset = service_list(actor=SYSTEM).filter(lifecycle__in=STATUS_LIFECYCLES)
    service = visible_or_404(queryset, "service", code=code)
    moment = now or timezone.now()
    rows = list(
        Outage.objects.filter(service=service)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=moment - RECENT))
        .order_by("-started_at", "-id")[:50]
    )
    current = [o for o in rows if o.ended_at is None]
    return StatusPage(
        service_id=service.id,
        provider_id=service.provider_id,
        code=service.code,
        name=_name(service, language),
        status=_status_of({o.level for o in current}),
        current=current,
        recent=[o for o in rows if o.ended_at is not None],
    )


def status_detail(
    *, actor: Actor, page: StatusPage, year: int, language: str = "sv"
) -> tuple[bool, list[ServiceAvailability], int | None]:
    """What a logged-in actor sees beyond the public page: whether it may read the outages'
    texts (its agencies use the service, or it is the provider's staff), its own agencies'
    availability this year, and the live topic key to follow (ADR 0832)."""
    if not actor.is_authenticated or not (
        availability_services(actor=actor).filter(id=page.service_id).exists()
    ):
        return False, [], None
    start, end = year_bounds(year)
    own = subscription_list(actor=actor, active_only=False).filter(
        service_id=page.service_id, organisation_id__in=actor.member_org_ids
    )
    measurer = _Measurer([page.service_id], start, end)
    rows = _per_subscription(measurer, own, start, end, language, label="organisation")
    if actor.has_provider_role_in(page.provider_id, *ALL_PROVIDER_ROLES):
        key: int | None = page.provider_id
    else:
        key = min(own.values_list("organisation_id", flat=True), default=None)
    return True, rows, key


def status_followers(service_id: int) -> list[int]:
    """The live topics an outage of the service changes: its provider and every agency with a
    subscription to it (system read for the services)."""
    provider = (
        service_list(actor=SYSTEM).filter(id=service_id).values_list("provider_id", flat=True)
    )
    agencies = (
        subscription_list(actor=SYSTEM)
        .filter(service_id=service_id)
        .values_list("organisation_id", flat=True)
    )
    return sorted({*provider, *agencies})
