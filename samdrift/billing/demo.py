"""Demo data for billing: illustrative costs, prices and usage 2019–2024 with a build-up deficit
that is recovered over the following years. Not the source report's figures (the pages say so).

Called by `samdrift demo` after the foundation; idempotent (does nothing if the fee area exists).
Every service of the provider becomes billable; every billed subscription gets monthly usage;
each year is invoiced month by month, finalised and closed, so every page has real content.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.db import transaction

from samdrift.catalogue.models import Service
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


def load(*, stdout: Any) -> None:
    if FeeArea.objects.filter(code="it-drift").exists():
        return
    with transaction.atomic():
        areas = {
            code: FeeArea.objects.create(
                code=code, segment=segment, name_sv=sv, name_en=en, recovery_years=3
            )
            for code, segment, sv, en in AREAS
        }
        catalogue = list(
            Service.objects.filter(provider__kind="provider").order_by("display_order", "code")
        )
        if not catalogue:
            stdout.write("billing: no provider services; demo billing skipped")
            return
        provider = catalogue[0].provider
        BillingProfile.objects.get_or_create(
            organisation=provider, defaults={"bankgiro": "50501055", "city": "Stockholm"}
        )
        for service in catalogue:
            area = areas[SERVICE_AREA.get(service.code, "it-drift")]
            BillableService.objects.get_or_create(service=service, defaults={"fee_area": area})
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
            services.import_costs(actor=SYSTEM, rows=costs)
            services.create_allocation_rule(
                actor=SYSTEM,
                year=year,
                cost_pool="fk-gemensamt",
                method="proportional",
                decision_ref="Demo: påläggsmetod",
            )
            for month in range(1, 13):
                services.run_period(
                    actor=SYSTEM, period=datetime.date(year, month, 1), finalise=True
                )
            services.close_year(actor=SYSTEM, year=year)
        stdout.write(
            f"billing: {len(catalogue)} services, {len(subscriptions)} subscriptions invoiced {YEARS.start}–{YEARS.stop - 1}"
        )
