"""The report's Program 2032 and continuity section (issue 18 item 5, ADR 0513), from live data.

Everything is read through continuity's selectors for the actor: the sites, the redundancy check,
"what if a site is lost" for every site, and the year's restore drills against each service's
RPO and RTO. Where nothing is recorded the section says so (ADR 0506) instead of showing zeros.
"""

from __future__ import annotations

from dataclasses import dataclass

from samdrift.continuity import redundancy
from samdrift.continuity.selectors import DrillYear, drill_year, landscape, lose_site
from samdrift.core.actor import Actor


@dataclass(frozen=True)
class SiteLoss:
    code: str
    name: str
    region: str
    stopped: list[str]  # services that stop
    late: list[str]  # services back later than their RTO allows
    degraded: list[str]  # still running, below their policy
    agencies: int
    preparedness: int


@dataclass(frozen=True)
class ContinuitySection:
    sites: int
    services: int
    placed: int  # services with at least one placement
    violations: list[redundancy.Violation]
    losses: list[SiteLoss]
    drills: DrillYear | None

    @property
    def has_sites(self) -> bool:
        return self.sites > 0

    @property
    def rpo_met(self) -> int:
        return sum(t.rpo_met for t in self.drills.targets) if self.drills else 0

    @property
    def rto_met(self) -> int:
        return sum(t.rto_met for t in self.drills.targets) if self.drills else 0


def continuity_section(*, actor: Actor, year: int) -> ContinuitySection:
    world = landscape(actor=actor)
    facts = world.site_facts
    violations = redundancy.violations(world.facts, facts)
    losses = []
    for site in facts:
        report = lose_site(actor=actor, site_code=site.code)
        if not report.placements:
            continue  # none of the actor's services run there: losing it changes nothing here
        loss = report.loss
        losses.append(
            SiteLoss(
                site.code, site.name, site.region,
                [s.name for s in loss.stopped], [m.service.name for m in loss.rto_missed],
                [v.service.name for v in loss.degraded], len(report.agencies), report.preparedness,
            )
        )  # fmt: skip
    return ContinuitySection(
        sites=len(facts),
        services=len(world.facts),
        placed=sum(1 for f in world.facts if f.placements),
        violations=violations,
        losses=losses,
        drills=drill_year(actor=actor, year=year),
    )
