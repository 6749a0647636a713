"""Reads of the Program 2032 sites, always for an actor (ADR 0913).

The facts the redundancy rules need (`redundancy`) are gathered here in a fixed number of
queries: the actor's own running services (through the catalogue's selectors), their placements
and policies, their customers (through onboarding's subscriptions) and which of those are, or
stand above, preparedness agencies (the register's flag, ADR 0511).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.choices import Lifecycle
from samdrift.catalogue.selectors import service_list
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.tenancy import visible_or_404
from samdrift.onboarding.selectors import subscription_list
from samdrift.organisations.selectors import hierarchy_rows, visible_organisations

from . import pitr, redundancy
from .models import Placement, RedundancyPolicy, RestoreDrill, Site
from .permissions import sees_service, sites_abilities

if TYPE_CHECKING:
    from samdrift.catalogue.models import Service

RUNNING = (Lifecycle.ACTIVE, Lifecycle.RETIRING)


def _require_view(actor: Actor) -> None:
    if not sites_abilities(actor=actor)["view"]:
        raise NotFound("sites")


def site_list(*, actor: Actor) -> QuerySet[Site]:
    """Every site with its operator and how many instances it holds (of any provider: the room
    on a site is shared, the names of other providers' services are not shown)."""
    _require_view(actor)
    return (
        Site.objects.select_related("operator").annotate(used=Count("placements")).order_by("code")
    )


def site_get(*, actor: Actor, code: str) -> Site:
    _require_view(actor)
    return visible_or_404(site_list(actor=actor), "site", code=code.strip().upper())


def own_services(*, actor: Actor) -> list[Service]:
    """The running services whose placements the actor sees: its own provider's."""
    _require_view(actor)
    return [
        service
        for service in service_list(actor=actor).filter(lifecycle__in=RUNNING)
        if sees_service(actor, service.provider_id)
    ]


def site_facts(sites: list[Site]) -> list[redundancy.SiteFact]:
    return [
        redundancy.SiteFact(
            s.code, s.name, s.region, s.security_class, s.capacity, getattr(s, "used", 0)
        )
        for s in sites
    ]


@dataclass(frozen=True)
class Landscape:
    """Sites, the actor's services as facts, and their customers."""

    sites: list[Site]
    services: list[Service]
    facts: list[redundancy.ServiceFact]
    placements: list[Placement]
    customers: dict[str, set[int]]  # service code → subscribing agency ids
    agency_names: dict[int, str]
    preparedness_under: dict[int, set[int]]  # agency id → preparedness agencies it stands for

    @property
    def site_facts(self) -> list[redundancy.SiteFact]:
        return site_facts(self.sites)

    @property
    def rows(self) -> list[PlacementRow]:
        """Each placement with its service's code, name and RTO target (read through the
        catalogue's selector, not a join to its table), by site."""
        by_id = {service.id: service for service in self.services}
        return [
            PlacementRow(
                p.site_id, p.site.code, by_id[p.service_id].code, by_id[p.service_id].name,
                p.role, p.get_role_display(), p.rto_hours, by_id[p.service_id].rto_hours, p.id,
            )
            for p in self.placements
        ]  # fmt: skip


@dataclass(frozen=True)
class PlacementRow:
    site_id: int
    site_code: str
    service_code: str
    service_name: str
    role: str
    role_label: str
    rto_hours: int
    target_rto_hours: int
    placement_id: int

    @property
    def meets_rto(self) -> bool:
        return self.rto_hours <= self.target_rto_hours


def _preparedness_under(actor: Actor, agency_ids: set[int]) -> dict[int, set[int]]:
    """For each agency, the preparedness agencies it stands for: itself when flagged, and every
    flagged agency below it (ADR 0511: an umbrella's connection counts for those under it)."""
    flagged = set(
        visible_organisations(actor).filter(preparedness=True).values_list("id", flat=True)
    )
    parent_of = {org_id: parent for org_id, _name, parent, _group, _number in hierarchy_rows()}
    under: dict[int, set[int]] = defaultdict(set)
    for org_id in flagged:
        seen: set[int] = set()
        current: int | None = org_id
        while current is not None and current not in seen:
            if current in agency_ids:
                under[current].add(org_id)
            seen.add(current)
            current = parent_of.get(current)
    return dict(under)


def landscape(*, actor: Actor) -> Landscape:
    sites = list(site_list(actor=actor))
    services = own_services(actor=actor)
    by_id = {service.id: service for service in services}
    placements = list(
        Placement.objects.filter(service_id__in=by_id)
        .select_related("site")
        .order_by("site__code", "role")
    )
    policies = {
        p.service_id: redundancy.Policy(p.min_sites, p.min_regions, p.min_security_class, "policy")
        for p in RedundancyPolicy.objects.filter(service_id__in=by_id)
    }
    customers: dict[str, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for sub in subscription_list(actor=actor):
        if sub.service_id in by_id:
            customers[sub.service.code].add(sub.organisation_id)
            names[sub.organisation_id] = sub.organisation.name
    under = _preparedness_under(actor, set(names))
    by_service: dict[int, list[redundancy.PlacementFact]] = defaultdict(list)
    for placement in placements:
        by_service[placement.service_id].append(
            redundancy.PlacementFact(placement.site.code, placement.role, placement.rto_hours)
        )
    facts = []
    for service in services:
        prepared = set().union(*(under.get(o, set()) for o in customers.get(service.code, ())))
        facts.append(
            redundancy.ServiceFact(
                service.code,
                service.name,
                service.rto_hours,
                tuple(by_service.get(service.id, ())),
                policies.get(service.id),
                len(prepared),
            )
        )
    return Landscape(sites, services, facts, placements, dict(customers), names, under)


def check(*, actor: Actor) -> list[redundancy.Violation]:
    """Every running service of the actor's provider that breaks its policy, and what it lacks."""
    world = landscape(actor=actor)
    return redundancy.violations(world.facts, world.site_facts)


@dataclass(frozen=True)
class LossReport:
    loss: redundancy.Loss
    agencies: list[tuple[int, str]]  # customers of stopped or late services, by name
    preparedness: int  # preparedness agencies among them or under them
    placements: list[PlacementRow]  # the actor's placements on the lost site


def lose_site(*, actor: Actor, site_code: str) -> LossReport:
    """What if `site_code` is lost: which of the actor's services stop, which are back later
    than their RTO allows, which still run but break their policy, and whose customers suffer."""
    world = landscape(actor=actor)
    code = (site_code or "").strip().upper()
    if code not in {site.code for site in world.sites}:
        raise ValidationFailed(
            _("There is no site with the code %(site)s."),
            errors={"site": [str(_("Unknown site."))]},
            site=code,
        )
    loss = redundancy.lose(code, world.facts, world.site_facts)
    agency_ids: set[int] = set()
    for service_code in loss.hit_codes:
        agency_ids |= world.customers.get(service_code, set())
    prepared = set().union(*(world.preparedness_under.get(o, set()) for o in agency_ids))
    agencies = sorted(((o, world.agency_names[o]) for o in agency_ids), key=lambda pair: pair[1])
    on_site = [row for row in world.rows if row.site_code == code]
    return LossReport(loss, agencies, len(prepared), on_site)


@dataclass(frozen=True)
class DrillTarget:
    """One of the actor's services measured against the year's newest restore drill (ADR 0901):
    the service level's RPO and RTO targets and whether the drill's achieved values meet them."""

    code: str
    name: str
    rpo_hours: int
    rto_hours: int
    rpo_met: bool
    rto_met: bool


@dataclass(frozen=True)
class DrillYear:
    drills: int  # drills run in the year
    succeeded: int
    newest: RestoreDrill
    targets: list[DrillTarget]


def drill_year(*, actor: Actor, year: int) -> DrillYear | None:
    """The year's restore drills for the actor's own running services; None when none ran."""
    _require_view(actor)
    in_year = RestoreDrill.objects.filter(started_at__year=year)
    newest = in_year.order_by("-started_at", "-id").first()
    if newest is None:
        return None
    targets = drill_targets(actor=actor, drill=newest)
    return DrillYear(in_year.count(), in_year.filter(succeeded=True).count(), newest, targets)


def drill_list(*, actor: Actor) -> QuerySet[RestoreDrill]:
    """Every restore drill, newest first (provider staff; 404 for everyone else)."""
    _require_view(actor)
    return RestoreDrill.objects.order_by("-started_at", "-id")


def drill_targets(*, actor: Actor, drill: RestoreDrill) -> list[DrillTarget]:
    """The actor's running services against one drill's achieved RPO and RTO. A failed drill
    meets no target: nothing was brought back."""
    _require_view(actor)
    rpo = drill.rpo_seconds if drill.succeeded else None
    return [
        DrillTarget(
            s.code, s.name, s.rpo_hours, s.rto_hours,
            rpo_met=rpo is not None and rpo <= s.rpo_hours * 3600,
            rto_met=drill.succeeded and drill.rto_seconds <= s.rto_hours * 3600,
        )
        for s in own_services(actor=actor)
    ]  # fmt: skip


# --- continuous archiving on PostgreSQL (ADR 0974) ---------------------------------------------


@dataclass(frozen=True)
class ArchivingTarget:
    code: str
    name: str
    rpo_hours: int
    rpo_met: bool


@dataclass(frozen=True)
class Archiving:
    """PostgreSQL's WAL archiving as the server reports it now (`pg_stat_archiver`). The achieved
    RPO is the age of the last archived segment: what a point-in-time restore would lose."""

    on: bool
    last_archived_at: datetime.datetime | None
    failed: int
    achieved_rpo_seconds: float | None
    targets: list[ArchivingTarget]


def archiving(*, actor: Actor) -> Archiving | None:
    """The provider's running services against continuous archiving; None on SQLite, whose
    restorable state is its newest backup file (the drills). Provider staff only (404)."""
    _require_view(actor)
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        on, last, failed = pitr.archiving_now(cursor)
    return archiving_against(
        on=on, last=last, failed=failed, now=timezone.now(), services=own_services(actor=actor)
    )


def archiving_against(
    *, on: bool, last: datetime.datetime | None, failed: int, now: datetime.datetime,
    services: list[Service],
) -> Archiving:  # fmt: skip
    """Each service's RPO target against the archive's age. Nothing archived (or archiving off)
    meets no target: no moment can be restored from the archive."""
    rpo = (now - last).total_seconds() if on and last else None
    return Archiving(
        on=on, last_archived_at=last, failed=failed, achieved_rpo_seconds=rpo,
        targets=[
            ArchivingTarget(s.code, s.name, s.rpo_hours,
                            rpo_met=rpo is not None and rpo <= s.rpo_hours * 3600)
            for s in services
        ],
    )  # fmt: skip
