"""Service operations over one year, for the report to the government (issue 16 item 7,
ADR 0847): incidents per priority with the agencies' clocks, availability per service against
its target, and the capacity figures' peaks against last year's (the pandemic question: did
demand double, and did capacity keep up). Counts and service-level figures only: the report is
public, so no agency, incident text or person."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from samdrift.core.actor import Actor

from .capacity import YearlyCapacity, yearly_capacity
from .choices import ClockStatus, Priority
from .models import AffectedAgency
from .selectors import (
    ServiceAvailability,
    incident_list,
    published_availability,
    year_bounds,
    yearly_availability,
)


@dataclass(frozen=True)
class PriorityYear:
    priority: int
    label: str
    opened: int
    major: int
    clocks: int  # the agencies' resolution clocks of those incidents
    breached: int  # of those, breached


@dataclass(frozen=True)
class OperationsYear:
    incidents: list[PriorityYear]
    reportable: dict[str, int]  # regime → incidents classified under it
    availability: list[ServiceAvailability]
    capacity: list[YearlyCapacity] = field(default_factory=list)

    @property
    def opened(self) -> int:
        return sum(row.opened for row in self.incidents)

    @property
    def has_data(self) -> bool:
        return bool(
            self.opened or self.capacity or any(r.percent is not None for r in self.availability)
        )


def operations_year(*, actor: Actor, year: int, language: str = "sv") -> OperationsYear:
    start, end = year_bounds(year)
    opened = incident_list(actor=actor).filter(opened_at__gte=start, opened_at__lt=end)
    counts: dict[int, tuple[int, int]] = {
        row["priority"]: (row["n"], row["major"])
        for row in opened.order_by()
        .values("priority")
        .annotate(n=Count("id"), major=Count("id", filter=Q(major=True)))
    }
    clocks: dict[int, tuple[int, int]] = {
        row["incident__priority"]: (row["n"], row["breached"])
        for row in AffectedAgency.objects.filter(incident__in=opened.values("id"))
        .order_by()
        .values("incident__priority")
        .annotate(
            n=Count("id"),
            breached=Count("id", filter=Q(resolution_status=ClockStatus.BREACHED)),
        )
    }
    rows = [
        PriorityYear(
            priority=level,
            label=str(label),
            opened=counts.get(level, (0, 0))[0],
            major=counts.get(level, (0, 0))[1],
            clocks=clocks.get(level, (0, 0))[0],
            breached=clocks.get(level, (0, 0))[1],
        )
        for level, label in Priority.choices
    ]
    reportable: dict[str, int] = {}
    for regimes in opened.exclude(regimes=[]).values_list("regimes", flat=True):
        for code in regimes:
            reportable[code] = reportable.get(code, 0) + 1
    return OperationsYear(
        incidents=rows,
        reportable=dict(sorted(reportable.items())),
        # As indicator 6: nothing measured while no outage is recorded for the year, rather
        # than a 100 % nobody observed.
        availability=published_availability(actor=actor, year=year, language=language)
        if yearly_availability(actor=actor, year=year)
        else [],
        capacity=yearly_capacity(actor=actor, year=year),
    )
