"""Capacity figures of services (issue 16 item 4, ADR 0846): what each figure's capacity is,
samples imported as CSV (or sent by the API), and samples queried from Prometheus by a schedule.

An import is all or nothing: one bad line refuses the whole file, naming every bad line, and
nothing is stored. A sample at a moment already stored replaces its value, so importing the same
export twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.parse
import urllib.request
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.catalogue.selectors import services_by_code
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, ValidationFailed

from ..calendars import STOCKHOLM
from ..choices import CapacityKind
from ..headroom import Row, parse_csv
from ..models import CapacityMetric, CapacitySample
from ..permissions import may_keep_capacity
from ._common import _now, _text

log = logging.getLogger(__name__)
BAD_FILE = _("The figures could not be imported: %(problems)s")


def capacity_metric_set(
    *,
    actor: Actor,
    service_code: str,
    kind: str,
    capacity: Any = None,
    prometheus_query: str = "",
) -> CapacityMetric:
    """What a figure of a service counts against (empty: unbounded) and how monitoring measures
    it; the provider's operators only."""
    if kind not in CapacityKind.values:
        raise ValidationFailed(
            _("Choose one of the figures: %(kinds)s."),
            errors={"kind": [str(kind)]},
            kinds=", ".join(CapacityKind.values),
        )
    limit = _capacity(capacity)
    query = _text(prometheus_query, "prometheus_query", required=False, limit=1000)
    service = _service(actor, service_code)
    with transaction.atomic():
        metric, created = CapacityMetric.objects.select_for_update().get_or_create(
            service=service,
            kind=kind,
            defaults={
                "provider_id": service.provider_id,
                "capacity": limit,
                "prometheus_query": query,
            },
        )
        before = {"capacity": str(metric.capacity), "query": metric.prometheus_query}
        if not created:
            metric.capacity, metric.prometheus_query = limit, query
            metric.save(update_fields=["capacity", "prometheus_query"])
        audit_record(
            actor=actor,
            action="operations.capacity_metric",
            obj=metric,
            organisation_id=service.provider_id,
            before=None if created else before,
            after={"service": service.code, "kind": kind, "capacity": str(limit), "query": query},
        )
    return metric


def _capacity(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        limit = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        limit = Decimal(0)
    if not limit.is_finite() or limit <= 0 or limit >= Decimal("1e12"):
        raise ValidationFailed(
            _("The capacity is a number above 0, or empty when the figure has no limit."),
            errors={"capacity": [str(value)]},
        )
    return limit.quantize(Decimal("0.01"))


def _service(actor: Actor, code: str) -> Any:
    service = services_by_code([(code or "").strip().upper()]).first()
    if service is None or not may_keep_capacity(actor=actor, provider_id=service.provider_id):
        raise NotFound("service")
    return service


def capacity_import(*, actor: Actor, text: str, now: dt.datetime | None = None) -> int:
    """Store every row of a CSV export (``service;figure;time;value``); returns how many."""
    moment = _now(now)
    rows, errors = parse_csv(text, tz=STOCKHOLM, now=moment)
    if not rows and not errors:
        errors.append(("Filen har inga rader.", "The file has no lines."))
    codes = sorted({row.service for row in rows})
    # Unscoped lookup; the actor's rule is asked per service just below.
    found = {service.code: service for service in services_by_code(codes)}
    for code in codes:
        service = found.get(code)
        if service is None or not may_keep_capacity(actor=actor, provider_id=service.provider_id):
            lines = ", ".join(str(r.line) for r in rows if r.service == code)
            errors.append(
                (
                    # The code is not repeated: an unknown and a foreign service read the same.
                    f"Rad {lines}: ingen tjänst som du för in mått för.",
                    f"Line {lines}: no service you record figures for.",
                )
            )
    if errors:
        problems = " ".join(f"{sv} / {en}" for sv, en in errors)
        raise ValidationFailed(
            BAD_FILE, errors={"text": [f"{sv} / {en}" for sv, en in errors]}, problems=problems
        )
    with transaction.atomic():
        _store(rows, found, source="csv")
        audit_record(
            actor=actor,
            action="operations.capacity_import",
            object_type="operations.capacitysample",
            object_id="import",
            after={"rows": len(rows), "services": codes},
        )
    return len(rows)


def _store(rows: list[Row], services: dict[str, Any], *, source: str) -> None:
    metrics: dict[tuple[str, str], CapacityMetric] = {}
    for code, kind in sorted({(r.service, r.kind) for r in rows}):
        service = services[code]
        metrics[(code, kind)], _created = CapacityMetric.objects.get_or_create(
            service=service, kind=kind, defaults={"provider_id": service.provider_id}
        )
    CapacitySample.objects.bulk_create(
        [
            CapacitySample(
                metric=metrics[(r.service, r.kind)], at=r.at, value=r.value, source=source
            )
            for r in rows
        ],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["metric", "at"],
        update_fields=["value", "source"],
    )


def prometheus_value(base_url: str, query: str, *, timeout: float = 10.0) -> Decimal:
    """The sum of an instant vector (or a scalar) from Prometheus' HTTP API `/api/v1/query`."""
    if not base_url.startswith(("http://", "https://")):
        raise ValueError("SAMDRIFT_PROMETHEUS_URL must be an http(s) address")
    url = f"{base_url.rstrip('/')}/api/v1/query?" + urllib.parse.urlencode({"query": query})
    with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 (http(s) only)
        body = json.loads(answer.read())
    if body.get("status") != "success":
        raise ValueError(body.get("error") or "Prometheus refused the query")
    data = body["data"]
    if data["resultType"] == "scalar":
        return Decimal(data["result"][1])
    if data["resultType"] != "vector":
        raise ValueError(f"a {data['resultType']} is not one figure")
    return sum((Decimal(item["value"][1]) for item in data["result"]), Decimal(0))


def capacity_scrape(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One sample per figure that has a Prometheus query (`SAMDRIFT_PROMETHEUS_URL`); a query
    that fails is logged and skipped, so one broken query does not stop the others."""
    base = getattr(settings, "OPERATIONS_PROMETHEUS_URL", "")
    moment = _now(now)
    if not base:
        return {"stored": 0, "failed": 0}
    stored = failed = 0
    for metric in CapacityMetric.objects.exclude(prometheus_query=""):
        try:
            value = prometheus_value(base, metric.prometheus_query)
        except (OSError, ValueError, KeyError, InvalidOperation) as error:
            log.warning("capacity query of %s failed: %s", metric, error)
            failed += 1
            continue
        if not value.is_finite() or value < 0:
            failed += 1
            continue
        CapacitySample.objects.update_or_create(
            metric=metric,
            at=moment.replace(microsecond=0),
            defaults={"value": value.quantize(Decimal("0.01")), "source": "prometheus"},
        )
        stored += 1
    return {"stored": stored, "failed": failed}
