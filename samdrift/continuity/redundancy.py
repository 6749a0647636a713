"""The redundancy rules of Program 2032 sites as pure functions over plain facts (ADR 0911,
0912): which policy a service must meet, what it lacks, and what losing one site does.

No database here: `selectors` gathers the facts for an actor, so the check, the pages, the API
and the CLI all reason the same way, and the tests can state every rule directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

#: A service with a preparedness agency among its customers needs at least this spread
#: (issue 18: "at least two sites in different regions"), whatever its own policy says.
PREPAREDNESS_FLOOR = (2, 2)


@dataclass(frozen=True)
class SiteFact:
    code: str
    name: str
    region: str
    security_class: int
    capacity: int
    used: int = 0


@dataclass(frozen=True)
class PlacementFact:
    site_code: str
    role: str
    rto_hours: int


@dataclass(frozen=True)
class Policy:
    min_sites: int
    min_regions: int
    min_security_class: int = 0
    source: str = "default"  # "default", "policy" or "preparedness"


@dataclass(frozen=True)
class ServiceFact:
    code: str
    name: str
    rto_hours: int
    placements: tuple[PlacementFact, ...] = ()
    policy: Policy | None = None
    preparedness_customers: int = 0


@dataclass(frozen=True)
class Missing:
    """One thing a service lacks: a lazy message and its parameters (rendered per language)."""

    message: Any
    params: dict[str, Any] = field(default_factory=dict)
    kind: str = ""  # "placed", "primary", "class", "sites", "regions", "rto"

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


@dataclass(frozen=True)
class Violation:
    service: ServiceFact
    policy: Policy
    missing: tuple[Missing, ...]


def effective_policy(service: ServiceFact) -> Policy:
    """The service's own policy (or one site anywhere), raised to the preparedness floor when a
    preparedness agency is among its customers."""
    own = service.policy or Policy(1, 1, 0, "default")
    if not service.preparedness_customers:
        return own
    floor_sites, floor_regions = PREPAREDNESS_FLOOR
    if own.min_sites >= floor_sites and own.min_regions >= floor_regions:
        return own
    return Policy(
        max(own.min_sites, floor_sites),
        max(own.min_regions, floor_regions),
        own.min_security_class,
        "preparedness",
    )


def _counted(
    placements: Iterable[PlacementFact], sites: dict[str, SiteFact], min_class: int
) -> tuple[int, int]:
    """Sites and distinct regions among the placements on sites approved for the class."""
    good = [
        sites[p.site_code] for p in placements if sites[p.site_code].security_class >= min_class
    ]
    return len(good), len({site.region for site in good})


def missing_for(service: ServiceFact, sites: dict[str, SiteFact]) -> tuple[Policy, list[Missing]]:
    policy = effective_policy(service)
    missing: list[Missing] = []
    if not service.placements:
        missing.append(Missing(_("The service is placed on no site."), kind="placed"))
    elif not any(p.role == "primary" for p in service.placements):
        missing.append(Missing(_("No site is the service's primary."), kind="primary"))
    for placement in service.placements:
        site = sites[placement.site_code]
        if site.security_class < policy.min_security_class:
            missing.append(
                Missing(
                    _("Site %(site)s is approved for security class %(has)d, the policy needs %(needs)d."),
                    {"site": site.code, "has": site.security_class, "needs": policy.min_security_class},
                    "class",
                )
            )  # fmt: skip
    count, regions = _counted(service.placements, sites, policy.min_security_class)
    if count < policy.min_sites:
        missing.append(
            Missing(
                _("%(missing)d more site(s): on %(count)d of at least %(needed)d."),
                {"missing": policy.min_sites - count, "count": count, "needed": policy.min_sites},
                "sites",
            )
        )
    if regions < policy.min_regions:
        missing.append(
            Missing(
                _("%(missing)d more region(s): in %(count)d of at least %(needed)d."),
                {"missing": policy.min_regions - regions, "count": regions,
                 "needed": policy.min_regions},
                "regions",
            )
        )  # fmt: skip
    if service.placements and min(p.rto_hours for p in service.placements) > service.rto_hours:
        missing.append(
            Missing(
                _("No site can restore it within its RTO of %(target)d h (best %(best)d h)."),
                {"target": service.rto_hours,
                 "best": min(p.rto_hours for p in service.placements)},
                "rto",
            )
        )  # fmt: skip
    return policy, missing


def violations(services: Iterable[ServiceFact], sites: Sequence[SiteFact]) -> list[Violation]:
    """Every service that breaks its effective policy, with what it lacks, in the given order."""
    by_code = {site.code: site for site in sites}
    found = []
    for service in services:
        policy, missing = missing_for(service, by_code)
        if missing:
            found.append(Violation(service, policy, tuple(missing)))
    return found


@dataclass(frozen=True)
class RtoMiss:
    service: ServiceFact
    target_hours: int
    best_hours: int


@dataclass(frozen=True)
class Loss:
    """What losing one site does to the services placed on it."""

    site: SiteFact
    stopped: tuple[ServiceFact, ...]
    rto_missed: tuple[RtoMiss, ...]
    degraded: tuple[Violation, ...]  # still running, but no longer meet their policy

    @property
    def hit_codes(self) -> set[str]:
        """Services whose customers are let down: stopped or back later than agreed."""
        return {s.code for s in self.stopped} | {m.service.code for m in self.rto_missed}


def lose(site_code: str, services: Iterable[ServiceFact], sites: Sequence[SiteFact]) -> Loss:
    """Remove `site_code` and every placement on it; what stops, what cannot be back within its
    RTO from the remaining placements, and what still runs but breaks its policy."""
    by_code = {site.code: site for site in sites}
    lost = by_code[site_code]
    remaining_sites = {code: site for code, site in by_code.items() if code != site_code}
    stopped: list[ServiceFact] = []
    missed: list[RtoMiss] = []
    degraded: list[Violation] = []
    for service in services:
        if not any(p.site_code == site_code for p in service.placements):
            continue
        rest = tuple(p for p in service.placements if p.site_code != site_code)
        if not rest:
            stopped.append(service)
            continue
        best = min(p.rto_hours for p in rest)
        if best > service.rto_hours:
            missed.append(RtoMiss(service, service.rto_hours, best))
        after = ServiceFact(
            service.code, service.name, service.rto_hours, rest, service.policy,
            service.preparedness_customers,
        )  # fmt: skip
        policy, missing = missing_for(after, remaining_sites)
        # A lost primary is no breach here (failover makes a secondary primary); RTO is its own list.
        missing = [m for m in missing if m.kind not in ("primary", "rto")]
        if missing:
            degraded.append(Violation(after, policy, tuple(missing)))
    return Loss(lost, tuple(stopped), tuple(missed), tuple(degraded))


def achievable(
    policy: Policy, sites: Sequence[SiteFact], hosting: Iterable[str] = ()
) -> tuple[int, int]:
    """How many sites and distinct regions could hold a service under this policy: approved for
    its class and with room left (or already hosting it)."""
    already = set(hosting)
    usable = [
        site
        for site in sites
        if site.security_class >= policy.min_security_class
        and (site.used < site.capacity or site.code in already)
    ]
    return len(usable), len({site.region for site in usable})
