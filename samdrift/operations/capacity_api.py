"""API of the capacity figures (ADR 0846), under /api/v1/operations/capacity: the same reading
(`capacity`) and services as the pages."""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
from decimal import Decimal
from typing import Any

from ninja import Router, Schema, Status
from ninja.pagination import paginate

from samdrift.core.api import ApiRequest, Page, errors

from . import capacity, services

router = Router(tags=["operations"])


class CapacityMonthPeak(Schema):
    month: str
    peak: Decimal


class CapacityOut(Schema):
    service: str
    kind: str
    latest: Decimal | None
    latest_at: datetime.datetime | None
    peak_30d: Decimal | None
    capacity: Decimal | None
    headroom: Decimal | None
    trend_per_30d: float | None
    full_on: datetime.date | None
    monthly_peaks: list[CapacityMonthPeak]


class CapacityImportIn(Schema):
    text: str


class CapacityImportOut(Schema):
    imported: int


class CapacityMetricIn(Schema):
    service: str
    kind: str
    capacity: str | None = None
    prometheus_query: str = ""


def _row(row: capacity.CapacityRow) -> dict[str, Any]:
    f = row.figures
    return {
        "service": row.metric.service.code,
        "kind": row.metric.kind,
        "latest": f.latest,
        "latest_at": f.latest_at,
        "peak_30d": f.peak_30d,
        "capacity": f.capacity,
        "headroom": f.headroom,
        "trend_per_30d": f.trend_per_30d,
        "full_on": f.full_on,
        "monthly_peaks": [{"month": m, "peak": p} for m, p in f.monthly_peaks],
    }


@router.get(
    "",
    response={200: list[CapacityOut], **errors(422)},
    summary="Capacity figures of the caller's provider's services",
    description="Peak of 30 days, capacity, headroom, trend of the daily peaks per 30 days.",
)
@paginate(Page)
def list_capacity(request: ApiRequest) -> list[dict[str, Any]]:
    return [_row(r) for r in capacity.capacity_overview(actor=request.auth)]


@router.get(
    "/services/{code}",
    response={200: list[CapacityOut], **errors(404)},
    summary="The capacity figures of one service",
)
def service_capacity(request: ApiRequest, code: str) -> list[dict[str, Any]]:
    _code, rows = capacity.capacity_service(actor=request.auth, code=code.upper())
    return [_row(r) for r in rows]


@router.post(
    "/samples",
    response={201: CapacityImportOut, **errors(404, 422)},
    summary="Import capacity figures",
    description="`text`: `service;figure;time;value` per line (figure users, licences,"
    " bandwidth or visits). All or nothing: one bad line refuses the whole import.",
)
def import_samples(request: ApiRequest, payload: CapacityImportIn) -> Status:
    count = services.capacity_import(actor=request.auth, text=payload.text)
    return Status(201, {"imported": count})


@router.post(
    "/metrics",
    response={200: list[CapacityOut], **errors(404, 422)},
    summary="Set a figure's capacity and Prometheus query",
)
def set_metric(request: ApiRequest, payload: CapacityMetricIn) -> list[dict[str, Any]]:
    metric = services.capacity_metric_set(
        actor=request.auth,
        service_code=payload.service,
        kind=payload.kind,
        capacity=payload.capacity,
        prometheus_query=payload.prometheus_query,
    )
    _code, rows = capacity.capacity_service(actor=request.auth, code=metric.service.code)
    return [_row(r) for r in rows]
