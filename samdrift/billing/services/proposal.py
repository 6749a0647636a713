"""Fee proposal for the coming year (§5.6, ADR 0208)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    PermissionDenied,
)

from ..choices import (
    PriceBasis,
)
from ..models import (
    AllocationRun,
    BillableService,
    LedgerEntry,
    RecoverySchedule,
    Usage,
)
from ..permissions import fee_model_provider
from .closing import full_cost_by_service
from .drafting import PriceBook


@dataclass(frozen=True)
class FeeProposal:
    service_code: str
    current_price: Decimal | None
    unit_cost: Decimal | None
    proposed_price: Decimal | None
    change_pct: Decimal | None
    forecast_cost_ore: int
    forecast_volume: Decimal
    unscheduled_balance_ore: int


def propose_fees(
    *,
    actor: Actor,
    year: int,
    years: int | None = None,
    forecast_volume: dict[str, Decimal] | None = None,
    forecast_cost_ore: dict[str, int] | None = None,
    provider_id: int | None = None,
) -> list[FeeProposal]:
    """For `year`+1, per service: the price that covers forecast full cost and recovers, within
    `years`, the part of the accumulated balance no recovery schedule already covers.

    Forecast defaults: this year's full cost and volume (ADR 0202). Read-only. The services of
    one provider's fee model: the one asked for, else the actor's first (ADR 0664).
    """
    try:
        provider = fee_model_provider(actor, provider_id)
    except PermissionDenied:
        raise PermissionDenied(
            _("Only the provider's finance function sees fee proposals.")
        ) from None
    from decimal import ROUND_HALF_UP

    proposals = []
    cost_by_segment: dict[str, dict[int, int]] = {}
    for bs in (
        BillableService.objects.filter(fee_area__provider_id=provider)
        .select_related("service", "fee_area")
        .order_by("service__code")
    ):
        segment = bs.fee_area.segment
        if segment not in cost_by_segment:
            run = (
                AllocationRun.objects.filter(provider_id=provider, year=year)
                .order_by("-id")
                .first()
            )
            cost_by_segment[segment] = full_cost_by_service(provider, year, segment, run)
        code = bs.service.code
        cost = (forecast_cost_ore or {}).get(code, cost_by_segment[segment].get(bs.service_id, 0))
        volume = (forecast_volume or {}).get(code) or (
            Usage.objects.filter(service=bs.service, period__year=year).aggregate(
                t=Sum("quantity")
            )["t"]
            or Decimal(0)
        )
        balance = (
            LedgerEntry.objects.filter(account__service=bs.service, year__lte=year).aggregate(
                t=Sum("amount_ore")
            )["t"]
            or 0
        )
        scheduled = (
            RecoverySchedule.objects.filter(account__service=bs.service, year__gt=year).aggregate(
                t=Sum("amount_ore")
            )["t"]
            or 0
        )
        unscheduled = balance + scheduled
        horizon = years or bs.fee_area.recovery_years
        current = PriceBook([bs.service_id], datetime.date(year, 12, 1)).version(
            bs.service_id, datetime.date(year, 12, 1)
        )
        current_price = Decimal(current.unit_price) if current else None
        if volume:
            # Volume is the sum of monthly measurements; a year price divides it by 12 (unit-years).
            units = (
                volume / 12 if current is not None and current.basis == PriceBasis.YEAR else volume
            )
            unit_cost = (Decimal(cost) / 100 / units).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            proposed = ((Decimal(cost) - Decimal(unscheduled) / horizon) / 100 / units).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        else:
            unit_cost = proposed = None  # type: ignore[assignment]
        change = None
        if proposed is not None and current_price:
            change = ((proposed - current_price) / current_price * 100).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            )
        proposals.append(
            FeeProposal(
                code, current_price, unit_cost, proposed, change, cost, Decimal(volume), unscheduled
            )
        )
    return proposals
