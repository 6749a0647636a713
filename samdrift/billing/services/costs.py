"""Cost entries and allocation rules (fee-model.md §5.1)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.catalogue.selectors import services_by_code
from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    ValidationFailed,
)

from ..choices import (
    AllocationMethod,
    FundingSource,
    Segment,
)
from ..models import (
    AllocationRule,
    BillableService,
    CostEntry,
)
from ..money import parse_decimal, to_ore
from ..periods import parse_period
from .common import is_closed_year, require_fee_model_manager

COST_COLUMNS = (
    "period",
    "gl_account",
    "cost_pool",
    "service",
    "funding_source",
    "segment",
    "vat_compensated",
    "amount",
    "voucher",
)


@dataclass
class ImportResult:
    created: int = 0
    unchanged: int = 0
    adjustments: int = 0
    messages: list[str] = field(default_factory=list)


def csv_rows(text: str, required: Iterable[str]) -> list[dict[str, str]]:
    reader = csv.DictReader(
        io.StringIO(text.lstrip("\ufeff")), delimiter=";" if ";" in text.split("\n", 1)[0] else ","
    )
    missing = [name for name in required if name not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(_("The file lacks required columns."), errors={"columns": missing})
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def import_costs(
    *, actor: Actor, rows: list[dict[str, Any]], provider_id: int | None = None
) -> ImportResult:
    """Cost entries from a provider's general ledger: the provider asked for, else the actor's
    first (ADR 0664). Every row is checked first; one bad row, nothing written.

    A direct cost names one of the provider's own billable services: another provider's is as
    unknown as one that does not exist. A voucher already imported with the same content is
    skipped (re-importing a file is safe); the same voucher with other content is an error,
    because a booked cost is corrected by a new voucher. Vouchers are the provider's own.
    """
    provider = require_fee_model_manager(actor, provider_id)
    services = {
        s.code: s for s in services_by_code().filter(billing__isnull=False, provider_id=provider)
    }
    # A direct cost belongs to its service's fee area: the segment comes from there (ADR 0210).
    area_segment = dict(
        BillableService.objects.filter(fee_area__provider_id=provider).values_list(
            "service__code", "fee_area__segment"
        )
    )
    errors: dict[str, list[str]] = {}
    parsed: list[CostEntry] = []
    for index, row in enumerate(rows, start=1):
        key = f"row {index}"
        try:
            period = parse_period(str(row.get("period", "")))
        except ValueError:
            errors.setdefault(key, []).append(str(_("period must be YYYY-MM")))
            continue
        service = None
        code = str(row.get("service") or "").strip()
        if code:
            service = services.get(code)
            if service is None:
                errors.setdefault(key, []).append(
                    str(_("unknown service %(code)s") % {"code": code})
                )
        funding = str(row.get("funding_source") or FundingSource.AVGIFT)
        segment = str(row.get("segment") or area_segment.get(code) or Segment.CORE)
        if service is not None and segment != area_segment.get(code, segment):
            errors.setdefault(key, []).append(
                str(
                    _("%(code)s is billed in a fee area of segment %(area)s, not %(value)s")
                    % {"code": code, "area": area_segment[code], "value": segment}
                )
            )
        if funding not in FundingSource.values:
            errors.setdefault(key, []).append(
                str(_("unknown funding source %(value)s") % {"value": funding})
            )
        if segment not in Segment.values:
            errors.setdefault(key, []).append(
                str(_("unknown segment %(value)s") % {"value": segment})
            )
        try:
            amount = to_ore(parse_decimal(row.get("amount", "")))
        except ValueError:
            errors.setdefault(key, []).append(str(_("amount must be a number")))
            continue
        voucher = str(row.get("voucher") or "").strip()
        pool = str(row.get("cost_pool") or "").strip()
        if not voucher or not pool:
            errors.setdefault(key, []).append(str(_("voucher and cost pool are required")))
            continue
        parsed.append(
            CostEntry(
                provider_id=provider,
                period=period,
                gl_account=str(row.get("gl_account") or ""),
                cost_pool=pool,
                service=service,
                funding_source=funding,
                segment=segment,
                vat_compensated=str(row.get("vat_compensated") or "").lower()
                in ("1", "true", "yes", "ja"),
                amount_ore=amount,
                source_ref=voucher,
                description=str(row.get("description") or "")[:200],
            )
        )
    closed = sorted(
        {entry.period.year for entry in parsed if is_closed_year(entry.period.year, provider)}
    )
    if closed:
        errors.setdefault("period", []).append(
            str(_("year %(year)s is closed") % {"year": closed[0]})
        )
    existing = {
        entry.source_ref: entry
        for entry in CostEntry.objects.filter(
            provider_id=provider, source_ref__in=[p.source_ref for p in parsed]
        )
    }
    result = ImportResult()
    new: list[CostEntry] = []
    seen: set[str] = set()
    for entry in parsed:
        if entry.source_ref in seen:
            errors.setdefault(entry.source_ref, []).append(
                str(_("voucher appears twice in the file"))
            )
            continue
        seen.add(entry.source_ref)
        old = existing.get(entry.source_ref)
        if old is None:
            new.append(entry)
        elif (old.amount_ore, old.period, old.cost_pool, old.service_id) == (
            entry.amount_ore,
            entry.period,
            entry.cost_pool,
            entry.service.pk if entry.service else None,
        ):
            result.unchanged += 1
        else:
            errors.setdefault(entry.source_ref, []).append(
                str(_("voucher already imported with other content"))
            )
    if errors:
        raise ValidationFailed(_("The cost file has errors; nothing was imported."), errors=errors)
    with transaction.atomic():
        CostEntry.objects.bulk_create(new)
        result.created = len(new)
        audit_record(
            actor=actor,
            action="billing.costs_imported",
            object_type="billing.costentry",
            object_id="import",
            after={"provider": provider, "created": result.created, "unchanged": result.unchanged},
        )
    return result


def import_costs_csv(*, actor: Actor, text: str, provider_id: int | None = None) -> ImportResult:
    return import_costs(
        actor=actor,
        rows=csv_rows(text, ("period", "cost_pool", "amount", "voucher")),
        provider_id=provider_id,
    )


def create_allocation_rule(
    *,
    actor: Actor,
    year: int,
    cost_pool: str,
    method: str,
    decision_ref: str,
    target_service: str = "",
    weights: dict[str, Any] | None = None,
    provider_id: int | None = None,
) -> AllocationRule:
    """A new version of a provider's pool's rule; the newest version of a year is the one used
    (I-14). Only the provider's own billable services can be its targets (ADR 0664)."""
    provider = require_fee_model_manager(actor, provider_id)
    billable = services_by_code().filter(billing__isnull=False, provider_id=provider)
    errors: dict[str, list[str]] = {}
    if method not in AllocationMethod.values:
        errors["method"] = [str(_("unknown allocation method"))]
    if not decision_ref.strip():
        errors["decision_ref"] = [str(_("a decision reference is required"))]
    target = None
    if method == AllocationMethod.DIRECT:
        target = billable.filter(code=target_service).first()
        if target is None:
            errors["target_service"] = [str(_("a direct rule needs a known billable service"))]
    clean_weights: dict[str, str] = {}
    if method == AllocationMethod.FIXED_PCT:
        try:
            clean_weights = {
                code: str(parse_decimal(value)) for code, value in (weights or {}).items()
            }
        except ValueError:
            errors["weights"] = [str(_("percentages must be numbers"))]
        else:
            known = set(
                billable.filter(code__in=list(clean_weights)).values_list("code", flat=True)
            )
            if set(clean_weights) - known:
                errors["weights"] = [str(_("unknown service in the weights"))]
            elif sum(Decimal(v) for v in clean_weights.values()) != 100 or any(
                Decimal(v) < 0 for v in clean_weights.values()
            ):
                errors["weights"] = [str(_("percentages must be non-negative and add up to 100"))]
    if is_closed_year(year, provider):
        errors["year"] = [str(_("the year is closed"))]
    if errors:
        raise ValidationFailed(_("The allocation rule is not valid."), errors=errors)
    with transaction.atomic():
        latest = (
            AllocationRule.objects.filter(
                provider_id=provider, year=year, cost_pool=cost_pool
            ).aggregate(v=Max("version"))["v"]
            or 0
        )
        rule = AllocationRule.objects.create(
            provider_id=provider,
            year=year,
            cost_pool=cost_pool,
            version=latest + 1,
            method=method,
            target_service=target,
            weights=clean_weights,
            decision_ref=decision_ref.strip(),
        )
        audit_record(
            actor=actor, action="billing.allocation_rule_created", obj=rule, after=snapshot(rule)
        )
    return rule
