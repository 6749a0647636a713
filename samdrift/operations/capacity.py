"""Reading capacity figures (ADR 0846): per service and figure, the trend and headroom
(`headroom.figures`). The provider's staff see their own services' (`permissions.
may_see_capacity`, asked here only); the report reads the yearly peaks of the services it
covers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound

from .calendars import STOCKHOLM
from .choices import CapacityKind
from .headroom import Figures, figures
from .models import CapacityMetric, CapacitySample
from .permissions import ALL_PROVIDER_ROLES, may_see_capacity

HISTORY_DAYS = 2 * 366  # this year's and last year's peaks


@dataclass(frozen=True)
class CapacityRow:
    metric: CapacityMetric
    label: str
    figures: Figures


def _metrics(actor: Actor) -> QuerySet[CapacityMetric]:
    queryset = CapacityMetric.objects.select_related("service")
    if actor.sees_everything:
        return queryset
    staff_of = [
        org_id
        for org_id, roles in actor.provider_roles_by_org.items()
        if roles & set(ALL_PROVIDER_ROLES)
    ]
    return queryset.filter(provider_id__in=staff_of)


def _rows(
    metrics: list[CapacityMetric], today: dt.date, since: dt.date | None = None
) -> list[CapacityRow]:
    start = since or today - dt.timedelta(days=HISTORY_DAYS)
    until = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=STOCKHOLM)
    samples: dict[int, list[tuple[dt.datetime, Decimal]]] = defaultdict(list)
    for metric_id, at, value in CapacitySample.objects.filter(
        metric__in=metrics,
        at__gte=dt.datetime.combine(start, dt.time(), tzinfo=STOCKHOLM),
        at__lt=until,
    ).values_list("metric_id", "at", "value"):
        samples[metric_id].append((at.astimezone(STOCKHOLM), value))
    return [
        CapacityRow(
            metric=m,
            label=str(CapacityKind(m.kind).label),
            figures=figures(samples[m.pk], capacity=m.capacity, today=today),
        )
        for m in metrics
    ]


def capacity_overview(*, actor: Actor, today: dt.date | None = None) -> list[CapacityRow]:
    """Every figure of the services the actor's provider runs, by service code."""
    metrics = list(_metrics(actor).order_by("service__code", "kind"))
    return _rows(metrics, today or timezone.localdate())


def capacity_service(
    *, actor: Actor, code: str, today: dt.date | None = None
) -> tuple[str, list[CapacityRow]]:
    metrics = list(_metrics(actor).filter(service__code=code).order_by("kind"))
    if not metrics or not may_see_capacity(actor=actor, provider_id=metrics[0].provider_id):
        raise NotFound("service")
    return metrics[0].service.code, _rows(metrics, today or timezone.localdate())


@dataclass(frozen=True)
class YearlyCapacity:
    """One figure of one service in the report: this year's peak against last year's."""

    service: str
    label: str
    peak: Decimal
    previous_peak: Decimal | None
    growth: float | None
    capacity: Decimal | None


def yearly_capacity(*, actor: Actor, year: int) -> list[YearlyCapacity]:
    """The report's capacity table: every figure of the actor's provider's services with a
    sample in *year*. Aggregates only (peaks), no agency."""
    today = min(timezone.localdate(), dt.date(year, 12, 31))
    out = []
    metrics = list(_metrics(actor).order_by("service__code", "kind"))
    for row in _rows(metrics, today, since=dt.date(year - 1, 1, 1)):
        peak = row.figures.yearly_peaks.get(year)
        if peak is None:
            continue
        out.append(
            YearlyCapacity(
                service=row.metric.service.code,
                label=row.label,
                peak=peak,
                previous_peak=row.figures.yearly_peaks.get(year - 1),
                growth=row.figures.growth(year),
                capacity=row.metric.capacity,
            )
        )
    return out
