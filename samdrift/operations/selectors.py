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

from django.db.models import Q, QuerySet

from samdrift.catalogue.selectors import dependency_edges, service_list
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.search.words import all_words, or_number
from samdrift.core.tenancy import visible_or_404
from samdrift.onboarding.selectors import subscription_list

from .choices import ChangeState, IncidentState
from .models import AffectedAgency, Change, Incident, IncidentEvent, Problem
from .permissions import OPERATORS


def _incident_scope(actor: Actor) -> Q:
    if actor.sees_everything:
        return Q()
    condition = Q(reported_by_org_id__in=actor.member_org_ids) | Q(
        id__in=AffectedAgency.objects.filter(organisation_id__in=actor.member_org_ids).values(
            "incident_id"
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


def change_list(*, actor: Actor, state: str = "") -> QuerySet[Change]:
    queryset = Change.objects.select_related("service")
    if not actor.sees_everything:
        queryset = queryset.filter(provider_id__in=actor.provider_org_ids)
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
