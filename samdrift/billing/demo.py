"""Demo data for billing: illustrative costs, prices and usage 2019–2024 with a build-up deficit
that is recovered over the following years. Not the source report's figures (the pages say so).

Called by `samdrift demo` after the foundation; idempotent (does nothing if the fee area exists).
Every service of the provider becomes billable; every billed subscription gets monthly usage;
each year is invoiced month by month, finalised and closed, so every page has real content.
Each provider agency keeps its own fee model (ADR 0664): the catalogue owner's fee areas hold
its services; the second provider's service is billed in its own fee area, with its own costs,
allocation and closes, which Försäkringskassan's finance staff never see.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.db import transaction

from samdrift.catalogue.models import Service
from samdrift.catalogue.selectors import default_provider_id
from samdrift.core.actor import SYSTEM
from samdrift.onboarding.models import Subscription

from . import services
from .choices import Segment
from .models import BillableService, BillingProfile, FeeArea, PriceVersion

YEARS = range(2019, 2025)
# Price as a share of the year's unit cost: below cost while the platforms are built up.
PRICE_SHARE = {2019: "0.70", 2020: "0.78", 2021: "0.85", 2022: "1.08", 2023: "1.06", 2024: "1.03"}
# The yearly grant (bidrag) for the build-up of multi-customer handling; fully fee-financed from
# 2021 on, as the source report says (ADR 0210). Illustrative amounts in kronor.
GRANT = {2019: "6000000", 2020: "4500000"}
# Each activity financed and reported on its own is its own fee area (ADR 0210). SITSSAM and
# Program 2032 have no catalogue services: their costs are booked, nothing is invoiced.
AREAS = (
    ("it-drift", Segment.CORE, "Samordnad it-drift", "Coordinated IT operations"),
    ("efos", Segment.EFOS, "EFOS", "EFOS"),
    ("sitssam", Segment.SITSSAM, "SITSSAM", "SITSSAM"),
    ("program-2032", Segment.PROGRAM_2032, "Program 2032", "Programme 2032"),
)
SERVICE_AREA = {"EFOS": "efos"}  # every other service is billed in the core area
COST_ONLY = {"sitssam": "1500000", "program-2032": "2500000"}
# Another provider's own fee area (ADR 0664), its services' yearly direct cost and a shared pool
# spread evenly over them: illustrative amounts in kronor.
OTHER_AREA = ("samverkan", "Samverkanstjänster", "Cooperation services")
OTHER_DIRECT, OTHER_POOL = "400000", "100000"


def load(*, stdout: Any) -> None:
    if FeeArea.objects.filter(code="it-drift").exists():
        return
    with transaction.atomic():
        # Every provider service, in one order: the illustrative volumes and costs below are
        # drawn from one seeded sequence over all of them.
        catalogue = list(
            Service.objects.filter(provider__kind="provider").order_by("display_order", "code")
        )
        owner_id = default_provider_id()
        if not catalogue or owner_id is None:
            stdout.write("billing: no provider services; demo billing skipped")
            return
        areas = {
            code: FeeArea.objects.create(
                provider_id=owner_id,
                code=code,
                segment=segment,
                name_sv=sv,
                name_en=en,
                recovery_years=3,
            )
            for code, segment, sv, en in AREAS
        }
        provider = next(s.provider for s in catalogue if s.provider_id == owner_id)
        BillingProfile.objects.get_or_create(
            organisation=provider, defaults={"bankgiro": "50501055", "city": "Stockholm"}
        )
        others: dict[int, list[Service]] = {}
        for service in catalogue:
            if service.provider_id != owner_id:
                others.setdefault(service.provider_id, []).append(service)
                continue
            area = areas[SERVICE_AREA.get(service.code, "it-drift")]
            BillableService.objects.get_or_create(service=service, defaults={"fee_area": area})
        for other_id, own in others.items():
            code, sv, en = OTHER_AREA
            area = FeeArea.objects.create(
                provider_id=other_id, code=code, name_sv=sv, name_en=en, recovery_years=3
            )
            for service in own:
                services.bill_service(actor=SYSTEM, fee_area_id=area.pk, service_code=service.code)
        rng = random.Random(2019)  # noqa: S311 - illustrative demo volumes, not security
        base_volume: dict[tuple[int, int], int] = {}
        subscriptions = list(
            Subscription.objects.filter(
                service__in=catalogue, agreement_basis__in=("assignment", "separate")
            )
            .select_related("organisation")
            .order_by("organisation__name", "service__code")
        )
        unit_cost = {s.pk: Decimal(rng.randrange(200, 900)) for s in catalogue}
        for year in YEARS:
            for service in catalogue:
                PriceVersion.objects.create(
                    service=service,
                    version=year - 2018,
                    unit_price=(unit_cost[service.pk] * Decimal(PRICE_SHARE[year])).quantize(
                        Decimal(1)
                    ),
                    valid_from=datetime.date(year, 1, 1),
                    decision_ref=f"Demo: prisbeslut {year}",
                    decision_date=datetime.date(year - 1, 11, 15),
                )
            rows: list[dict[str, Any]] = []
            for sub in subscriptions:
                if sub.organisation.is_group or not sub.organisation.org_number:
                    continue
                key = (sub.organisation_id, sub.service_id)
                base_volume.setdefault(key, rng.randrange(20, 1500))
                growth = Decimal(1) + Decimal(year - 2019) * Decimal("0.04")
                quantity = str(round(base_volume[key] * growth))
                rows.extend(
                    {
                        "organisation": sub.organisation.name,
                        "service": sub.service.code,
                        "period": f"{year}-{month:02d}",
                        "quantity": quantity,
                        "source": "demo",
                        "key": f"demo:{key[0]}:{key[1]}:{year}-{month:02d}",
                    }
                    for month in range(1, 13)
                )
            volume = dict.fromkeys(unit_cost, Decimal(0))
            for row in rows:
                volume[next(s.pk for s in catalogue if s.code == row["service"])] += Decimal(
                    row["quantity"]
                )
            if rows:
                services.record_usage(actor=SYSTEM, rows=rows)
            # Direct costs carry their service's fee area (EFOS's in the EFOS area).
            costs = [
                {
                    "period": f"{year}-12",
                    "cost_pool": f"direkt-{s.code.lower()}",
                    "service": s.code,
                    "amount": str(
                        (unit_cost[s.pk] * volume[s.pk] / Decimal("1.2")).quantize(Decimal(1))
                    ),
                    "voucher": f"demo-{year}-{s.code}",
                }
                for s in catalogue
            ]
            other_codes = {s.code for own in others.values() for s in own}
            costs = [c for c in costs if c["service"] not in other_codes]
            core_direct = sum(
                (Decimal(c["amount"]) for c in costs if c["service"] not in SERVICE_AREA),
                Decimal(0),
            )
            costs.append(
                {
                    "period": f"{year}-12",
                    "cost_pool": "fk-gemensamt",
                    "amount": str((core_direct / 5).quantize(Decimal(1))),
                    "voucher": f"demo-{year}-overhead",
                }
            )
            costs.extend(
                {
                    "period": f"{year}-06",
                    "cost_pool": code,
                    "segment": areas[code].segment,
                    "amount": amount,
                    "voucher": f"demo-{year}-{code}",
                }
                for code, amount in COST_ONLY.items()
            )
            if year in GRANT:
                costs.append(
                    {
                        "period": f"{year}-12",
                        "cost_pool": "uppbyggnad-flerkund",
                        "funding_source": "bidrag",
                        "amount": GRANT[year],
                        "voucher": f"demo-{year}-bidrag",
                    }
                )
            services.import_costs(actor=SYSTEM, rows=costs, provider_id=owner_id)
            services.create_allocation_rule(
                actor=SYSTEM,
                year=year,
                cost_pool="fk-gemensamt",
                method="proportional",
                decision_ref="Demo: påläggsmetod",
                provider_id=owner_id,
            )
            for other_id, own in others.items():
                _other_provider_costs(other_id, own, year)
            for month in range(1, 13):  # each provider runs its own month (ADR 0668)
                for provider_id in (owner_id, *others):
                    services.run_period(
                        actor=SYSTEM,
                        period=datetime.date(year, month, 1),
                        finalise=True,
                        provider_id=provider_id,
                    )
            services.close_year(actor=SYSTEM, year=year, provider_id=owner_id)
            for other_id in others:
                services.close_year(actor=SYSTEM, year=year, provider_id=other_id)
        stdout.write(
            f"billing: {len(catalogue)} services, {len(subscriptions)} subscriptions invoiced {YEARS.start}–{YEARS.stop - 1}"
        )


def _other_provider_costs(provider_id: int, own: list[Service], year: int) -> None:
    """Another provider's own year (ADR 0664): a direct cost per service and a shared pool
    spread evenly over them, booked and ruled in its own fee model."""
    rows = [
        {
            "period": f"{year}-12",
            "cost_pool": f"direkt-{s.code.lower()}",
            "service": s.code,
            "amount": OTHER_DIRECT,
            "voucher": f"demo-{year}-{s.code}",
        }
        for s in own
    ]
    rows.append(
        {
            "period": f"{year}-12",
            "cost_pool": "samverkan-gemensamt",
            "amount": OTHER_POOL,
            "voucher": f"demo-{year}-samverkan",
        }
    )
    services.import_costs(actor=SYSTEM, rows=rows, provider_id=provider_id)
    services.create_allocation_rule(
        actor=SYSTEM,
        year=year,
        cost_pool="samverkan-gemensamt",
        method="even",
        decision_ref="Demo: lika fördelning",
        provider_id=provider_id,
    )
