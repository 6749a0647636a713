"""Year-end close: true-up, recovery schedules and the outcome per fee area (§5.5, I-10, I-11)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    NotFound,
    ValidationFailed,
)
from samdrift.onboarding.selectors import billed_subscription_rows
from samdrift.organisations.selectors import organisation_names

from ..choices import (
    FundingSource,
    InvoiceStatus,
    LedgerKind,
    LineKind,
    RunStatus,
    ScheduleKind,
    Segment,
)
from ..models import (
    Account,
    AllocationRun,
    BillableService,
    CostEntry,
    FeeArea,
    InvoiceLine,
    InvoiceRun,
    LedgerEntry,
    RecoverySchedule,
    Usage,
    YearEndClose,
)
from ..money import largest_remainder, split_evenly
from ..periods import months_of, period_end
from .allocation import allocate_year, fee_base
from .common import BILLED_BASES, Progress, content_digest, require_fee_model_manager
from .ledger import accounts_for


def full_cost_by_service(
    provider_id: int, year: int, segment: str = Segment.CORE, run: AllocationRun | None = None
) -> dict[int, int]:
    """Direct cost plus allocated pools, per service id of the provider (the självkostnad of
    §4.2)."""
    totals: dict[int, int] = defaultdict(int)
    for service_id, amount in (
        CostEntry.objects.filter(fee_base(provider_id, year, segment), service__isnull=False)
        .values("service_id")
        .annotate(t=Sum("amount_ore"))
        .values_list("service_id", "t")
    ):
        totals[service_id] += amount
    if run is not None:
        for result in run.results.all():
            totals[result.service_id] += result.amount_ore
    return dict(totals)


def project_fee_area_id(provider_id: int) -> int | None:
    """A provider's connection projects are reported in its first core fee area (ADR 0202)."""
    return lead_fee_area_id(provider_id, Segment.CORE)


def lead_fee_area_id(provider_id: int, segment: str) -> int | None:
    """A provider's first fee area of a segment: where the segment's cost without a service is
    reported."""
    return (
        FeeArea.objects.filter(provider_id=provider_id, segment=segment)
        .order_by("code")
        .values_list("id", flat=True)
        .first()
    )


def grant_cost(provider_id: int, year: int, segment: str) -> int:
    """Cost the grant (bidrag) paid for in a provider's segment's year: outside the fee base,
    shown beside the fees that replace it (ADR 0210)."""
    return (
        CostEntry.objects.filter(
            provider_id=provider_id,
            period__year=year,
            segment=segment,
            funding_source=FundingSource.BIDRAG,
        ).aggregate(t=Sum("amount_ore"))["t"]
        or 0
    )


def year_figures(fee_area: FeeArea, year: int, full_cost: dict[int, int]) -> dict[str, int]:
    """Intäkter and Kostnader of a fee area's year (§4.5): fees, instalments, settlements and
    projects in; full cost and project cost out. Projects net to zero by construction (R-10);
    they are the projects its provider invoiced (ADR 0664)."""
    service_ids = list(
        BillableService.objects.filter(fee_area=fee_area).values_list("service_id", flat=True)
    )
    revenue = (
        InvoiceLine.objects.filter(
            invoice__status=InvoiceStatus.FINALISED,
            invoice__period__year=year,
            service_id__in=service_ids,
        ).aggregate(t=Sum("amount_ore"))["t"]
        or 0
    )
    projects = 0
    if fee_area.pk == project_fee_area_id(fee_area.provider_id):
        projects = (
            InvoiceLine.objects.filter(
                invoice__seller_id=fee_area.provider_id,
                invoice__status=InvoiceStatus.FINALISED,
                invoice__period__year=year,
                kind=LineKind.PROJECT,
            ).aggregate(t=Sum("amount_ore"))["t"]
            or 0
        )
    cost = sum(amount for service_id, amount in full_cost.items() if service_id in set(service_ids))
    grant = (
        grant_cost(fee_area.provider_id, year, fee_area.segment)
        if fee_area.pk == lead_fee_area_id(fee_area.provider_id, fee_area.segment)
        else 0
    )
    return {
        "revenue_ore": revenue + projects,
        "cost_ore": cost + projects,
        "projects_ore": projects,
        "result_ore": revenue - cost,
        "grant_ore": grant,
    }


def close_year(
    *,
    actor: Actor,
    year: int,
    fee_area_code: str | None = None,
    recovery_years: int | None = None,
    progress: Progress | None = None,
    provider_id: int | None = None,
) -> list[YearEndClose]:
    """Year-end close of a provider's fee areas (the provider asked for, else the actor's first;
    ADR 0664), one transaction per fee area, idempotent per (fee area, year) (I-11).

    1. Allocate the fee base to services; each service's full cost to its agencies by their
       actual volume of the year (largest remainder; months connected when nothing is metered).
    2. Per account, the year's difference = fees − allocated cost. A deficit is recovered in
       `recovery_years` equal yearly instalments (the last takes the leftover öre); a surplus is
       credited in full next year; instalments or settlements left unbilled are carried into the
       next year's settlement (fee-model.md §4.1, ADR 0202).
    3. The report row, the 25 a § surplus flag and the deficit-horizon alert are stored (I-12),
       and the ledger identity Σ balances = accumulated result is checked before committing (I-02).
    """
    provider = require_fee_model_manager(actor, provider_id)
    if not (2000 <= int(year) <= 2100):
        raise ValidationFailed(_("The year is not valid."), errors={"year": [str(year)]})
    # The provider's own draft runs (ADR 0668): another provider's month is not this one's.
    if InvoiceRun.objects.filter(
        provider_id=provider, period__year=year, status=RunStatus.DRAFT
    ).exists():
        raise BusinessRuleViolation(_("Finalise or remove the year's draft runs before the close."))
    # An area without billable services (SITSSAM, Program 2032 in the demo) invoices nothing and
    # has no accounts to carry a result in: its costs stay in the cost ledger, tagged (ADR 0211).
    own = FeeArea.objects.filter(provider_id=provider)
    areas = own.filter(services__isnull=False).distinct().order_by("code")
    if fee_area_code:
        if not own.filter(code=fee_area_code).exists():
            raise NotFound("fee area")
        areas = areas.filter(code=fee_area_code)
        if not areas.exists():
            raise BusinessRuleViolation(
                _("The fee area %(area)s has no billable services, so it is not closed."),
                area=fee_area_code,
            )
    closes = []
    for area in areas:
        closes.append(_close_area(actor, area, int(year), recovery_years))
        if progress:
            progress(f"{area.code} {year}: closed")
    return closes


def _close_area(actor: Actor, area: FeeArea, year: int, recovery_years: int | None) -> YearEndClose:
    with transaction.atomic():
        FeeArea.objects.select_for_update().filter(pk=area.pk).first()
        existing = YearEndClose.objects.filter(fee_area=area, year=year).first()
        if existing is not None:
            return existing
        run = allocate_year(area.provider_id, year, area.segment)
        full_cost = full_cost_by_service(area.provider_id, year, area.segment, run)
        allocations = _allocate_to_agencies(area, year, full_cost)
        accounts = accounts_for({(org, svc) for org, svc in allocations if org is not None})
        for service_id in sorted({svc for org, svc in allocations if org is None}):
            accounts[(None, service_id)] = Account.objects.get_or_create(
                organisation=None, service_id=service_id, defaults={"fee_area": area}
            )[0]
        cost_by_account = {accounts[key].pk: amount for key, amount in allocations.items()}

        # The year's own difference per account (fees − allocated cost) decides next years' lines.
        year_fees = dict(
            LedgerEntry.objects.filter(account__fee_area=area, year=year, kind=LedgerKind.FEE)
            .values("account_id")
            .annotate(t=Sum("amount_ore"))
            .values_list("account_id", "t")
        )
        due = dict(
            RecoverySchedule.objects.filter(account__fee_area=area, year=year)
            .values("account_id")
            .annotate(t=Sum("amount_ore"))
            .values_list("account_id", "t")
        )
        billed = dict(
            InvoiceLine.objects.filter(
                schedule__account__fee_area=area,
                schedule__year=year,
                invoice__status=InvoiceStatus.FINALISED,
            )
            .values("schedule__account_id")
            .annotate(t=Sum("amount_ore"))
            .values_list("schedule__account_id", "t")
        )
        horizon = recovery_years or area.recovery_years
        planned: list[
            tuple[int, int, str, int, int, int]
        ] = []  # account, year, kind, part, parts, amount
        for account in Account.objects.filter(fee_area=area, organisation__isnull=False).order_by(
            "id"
        ):
            difference = (year_fees.get(account.pk) or 0) - cost_by_account.get(account.pk, 0)
            settlement = (due.get(account.pk) or 0) - (billed.get(account.pk) or 0)  # left unbilled
            if difference < 0:
                parts = list(
                    reversed(split_evenly(-difference, horizon))
                )  # the last takes the leftover öre
                planned.extend(
                    (account.pk, year + index, ScheduleKind.INSTALMENT, index, horizon, amount)
                    for index, amount in enumerate(parts, start=1)
                    if amount
                )
            else:
                settlement -= difference
            if settlement:
                planned.append((account.pk, year + 1, ScheduleKind.SETTLEMENT, 1, 1, settlement))

        figures = year_figures(area, year, full_cost)
        previous = (
            YearEndClose.objects.filter(fee_area=area, year__lt=year).order_by("-year").first()
        )
        balances_before = (
            LedgerEntry.objects.filter(account__fee_area=area, year__lte=year).aggregate(
                t=Sum("amount_ore")
            )["t"]
            or 0
        )
        balances = balances_before - sum(allocations.values())
        # The first close starts from the ledger as it stands; later ones must reconcile (I-02).
        accumulated_before = (
            previous.figures.get("accumulated_ore", 0)
            if previous
            else balances - figures["result_ore"]
        )
        accumulated = accumulated_before + figures["result_ore"]
        if balances != accumulated:
            raise BusinessRuleViolation(
                _(
                    "The ledger does not reconcile with the accumulated result (%(balances)s ≠ %(accumulated)s öre)."
                ),
                balances=balances,
                accumulated=accumulated,
            )
        figures.update(accumulated_before_ore=accumulated_before, accumulated_ore=accumulated)
        surplus = accumulated > 0 and accumulated * 10 > figures["revenue_ore"]
        recent = list(
            YearEndClose.objects.filter(fee_area=area, year__lt=year).order_by("-year")[:horizon]
        )
        alert = (
            accumulated < 0
            and len(recent) >= horizon
            and all(c.figures.get("accumulated_ore", 0) < 0 for c in recent)
        )
        content = {
            "year": year,
            "area": area.code,
            "allocation": run.input_hash,
            "figures": figures,
            "costs": sorted(cost_by_account.items()),
            "schedules": planned,
        }
        close = YearEndClose.objects.create(
            fee_area=area,
            year=year,
            input_hash=content_digest(content),
            figures=figures,
            surplus_flag=surplus,
            deficit_alert=alert,
            closed_at=timezone.now(),
        )
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    account_id=account_id,
                    year=year,
                    period=datetime.date(year, 12, 1),
                    kind=LedgerKind.ALLOCATED_COST,
                    amount_ore=-amount,
                    close=close,
                    idempotency_key=f"close:{area.code}:{year}:cost:{account_id}",
                )
                for account_id, amount in sorted(cost_by_account.items())
            ]
        )
        RecoverySchedule.objects.bulk_create(
            [
                RecoverySchedule(
                    account_id=account_id,
                    close=close,
                    origin_year=year,
                    year=due_year,
                    kind=kind,
                    part=part,
                    parts=parts,
                    amount_ore=amount,
                )
                for account_id, due_year, kind, part, parts, amount in planned
            ]
        )
        audit_record(
            actor=actor,
            action="billing.year_closed",
            obj=close,
            after={"figures": figures, "surplus_flag": surplus, "deficit_alert": alert},
        )
    return close


def _allocate_to_agencies(
    area: FeeArea, year: int, full_cost: dict[int, int]
) -> dict[tuple[int | None, int], int]:
    """Each service's full cost over its agencies by actual volume of the year (largest remainder,
    ties by agency name); months connected when nothing is metered; else the unallocated account."""
    names = organisation_names()
    allocations: dict[tuple[int | None, int], int] = {}
    for bs in BillableService.objects.filter(fee_area=area).order_by("service__code"):
        cost = full_cost.get(bs.service_id, 0)
        if cost == 0:
            continue
        weights: dict[Any, Decimal | int] = {
            (names[row["organisation_id"]], row["organisation_id"]): row["t"]
            for row in Usage.objects.filter(service_id=bs.service_id, period__year=year)
            .values("organisation_id")
            .annotate(t=Sum("quantity"))
            if row["t"] > 0
        }
        if not weights:
            weights = _connected_months(bs.service_id, year, names)
        if not weights:
            allocations[(None, bs.service_id)] = cost
            continue
        for (_name, org_id), amount in largest_remainder(cost, weights).items():
            allocations[(org_id, bs.service_id)] = amount
    return allocations


def _connected_months(
    service_id: int, year: int, names: dict[int, str]
) -> dict[Any, Decimal | int]:
    weights: dict[Any, Decimal | int] = defaultdict(int)
    for org_id, _service, start, end in billed_subscription_rows(
        service_ids=[service_id],
        bases=BILLED_BASES,
        started_by=datetime.date(year, 12, 31),
        ended_from=datetime.date(year, 1, 1),
    ):
        for month in months_of(year):
            if start <= period_end(month) and (end is None or end >= month):
                weights[(names[org_id], org_id)] += 1
    return dict(weights)
