"""Allocation of the year's cost pools over services (I-01)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.catalogue.selectors import services_by_code
from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    BusinessRuleViolation,
)

from ..choices import (
    AllocationMethod,
    FundingSource,
    Segment,
)
from ..models import (
    AllocationResult,
    AllocationRule,
    AllocationRun,
    BillableService,
    CostEntry,
    Usage,
)
from ..money import largest_remainder
from .common import content_digest, require_fee_model_manager


def fee_base(provider_id: int, year: int, segment: str = Segment.CORE) -> Q:
    """Cost entries in the fee base of a provider's segment's fee areas (R-04, I-03): that
    provider's, fee-financed, that segment, compensated input VAT left out (ADR 0664)."""
    return Q(
        provider_id=provider_id,
        period__year=year,
        funding_source=FundingSource.AVGIFT,
        segment=segment,
        vat_compensated=False,
    )


def allocate_year(provider_id: int, year: int, segment: str = Segment.CORE) -> AllocationRun:
    """Spread a provider's year's pools over its services by the newest rule of each pool (I-01).

    Only the provider's own costs, rules and services take part (ADR 0664). Idempotent on the
    content hash of the entries and rules used. Must run in a transaction.
    """
    entries = CostEntry.objects.filter(fee_base(provider_id, year, segment))
    pools = dict(
        entries.filter(service__isnull=True)
        .values("cost_pool")
        .annotate(t=Sum("amount_ore"))
        .values_list("cost_pool", "t")
    )
    direct = dict(
        entries.filter(service__isnull=False)
        .values("service__code")
        .annotate(t=Sum("amount_ore"))
        .values_list("service__code", "t")
    )
    segment_services = dict(
        BillableService.objects.filter(
            fee_area__provider_id=provider_id, fee_area__segment=segment
        ).values_list("service__code", "service_id")
    )
    rules: dict[str, AllocationRule] = {}
    for rule in (
        AllocationRule.objects.filter(provider_id=provider_id, year=year, cost_pool__in=list(pools))
        .select_related("target_service")
        .order_by("version")
    ):
        rules[rule.cost_pool] = rule
    missing = sorted(set(pools) - set(rules))
    if missing:
        raise BusinessRuleViolation(
            _("No allocation rule for the cost pool %(pool)s in %(year)s."),
            pool=missing[0],
            year=year,
        )
    volumes = dict(
        Usage.objects.filter(period__year=year)
        .values("service__code")
        .annotate(t=Sum("quantity"))
        .values_list("service__code", "t")
    )
    results: dict[tuple[str, str], int] = {}
    for pool in sorted(pools):
        rule, total = rules[pool], pools[pool]
        weights: dict[str, Decimal | int]
        if rule.method == AllocationMethod.DIRECT:
            weights = {rule.target_service.code: 1} if rule.target_service else {}
        elif rule.method == AllocationMethod.PROPORTIONAL:
            weights = {
                code: direct.get(code, 0) for code in segment_services if direct.get(code, 0) > 0
            }
        elif rule.method == AllocationMethod.DRIVER:
            weights = {
                code: volumes.get(code, Decimal(0))
                for code in segment_services
                if volumes.get(code)
            }
        elif rule.method == AllocationMethod.FIXED_PCT:
            weights = {code: Decimal(value) for code, value in rule.weights.items()}
        else:
            weights = dict.fromkeys(segment_services, 1)
        if not weights:
            raise BusinessRuleViolation(
                _("The rule for %(pool)s finds nothing to spread over in %(year)s."),
                pool=pool,
                year=year,
            )
        for code, amount in largest_remainder(total, weights).items():
            results[(pool, code)] = amount
    payload = {
        "year": year,
        "segment": segment,
        "pools": pools,
        "direct": direct,
        "rules": {p: [r.pk, r.version] for p, r in rules.items()},
        "results": sorted(results.items()),
    }
    content_hash = content_digest(payload)
    run, created = AllocationRun.objects.get_or_create(
        provider_id=provider_id, year=year, input_hash=content_hash
    )
    if created:
        service_ids = dict(
            services_by_code({code for _p, code in results}).values_list("code", "id")
        )
        AllocationResult.objects.bulk_create(
            [
                AllocationResult(
                    run=run, cost_pool=pool, service_id=service_ids[code], amount_ore=amount
                )
                for (pool, code), amount in sorted(results.items())
            ]
        )
    return run


def run_allocation(
    *, actor: Actor, year: int, segment: str = Segment.CORE, provider_id: int | None = None
) -> AllocationRun:
    """Allocate a provider's year's pools on request (the finance page), checked and audited:
    the provider asked for, else the actor's first (ADR 0664).

    `allocate_year` is also the first step of the year-end close, inside the close's transaction.
    """
    provider = require_fee_model_manager(actor, provider_id)
    with transaction.atomic():
        run = allocate_year(provider, year, segment)
        audit_record(
            actor=actor,
            action="billing.allocation_run",
            obj=run,
            after={"year": year, "input_hash": run.input_hash, "results": run.results.count()},
        )
    return run
