"""Golden test: fee-model.md §4 reproduced to the öre through the real engine.

Monthly usage at each account's annual average, year prices billed as twelfths, twelve
finalised runs a year, year-end closes 2021–2024: every fee, allocated cost, instalment,
settlement and closing balance of the tables in §4.2–4.3, and the report table of §4.5.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from samdrift.billing import selectors, services
from samdrift.billing.choices import LedgerKind
from samdrift.billing.models import Account, AllocationRule, LedgerEntry, RecoverySchedule
from samdrift.billing.money import round_presentation

from .builders import agency, make_world, price, project_case, subscribe, usage_rows

KR = 100
VOLUMES = {  # (agency, service): annual average per year
    2021: {
        ("A", "ARBETSPLATS"): 3000,
        ("B", "ARBETSPLATS"): 1500,
        ("C", "ARBETSPLATS"): 300,
        ("A", "LAGRING"): 400,
        ("B", "LAGRING"): 200,
    },
    2022: {
        ("A", "ARBETSPLATS"): 3000,
        ("B", "ARBETSPLATS"): 1600,
        ("C", "ARBETSPLATS"): 1000,
        ("A", "LAGRING"): 420,
        ("B", "LAGRING"): 240,
        ("C", "LAGRING"): 140,
    },
    2023: {
        ("A", "ARBETSPLATS"): 3100,
        ("B", "ARBETSPLATS"): 1600,
        ("C", "ARBETSPLATS"): 1300,
        ("A", "LAGRING"): 450,
        ("B", "LAGRING"): 250,
        ("C", "LAGRING"): 200,
    },
    2024: {
        ("A", "ARBETSPLATS"): 3100,
        ("B", "ARBETSPLATS"): 1650,
        ("C", "ARBETSPLATS"): 1350,
        ("A", "LAGRING"): 480,
        ("B", "LAGRING"): 260,
        ("C", "LAGRING"): 220,
    },
}
PRICES = {
    2021: ("5000", "15000"),
    2022: ("5450", "14600"),
    2023: ("5190", "13650"),
    2024: ("5160", "13260"),
}
DIRECT = {
    2021: (24_000_000, 9_000_000, 6_600_000),
    2022: (25_000_000, 9_500_000, 6_900_000),
    2023: (25_500_000, 10_000_000, 7_100_000),
    2024: (26_000_000, 10_500_000, 7_300_000),
}
PROJECTS = {2021: [("A", 1000, 1200), ("B", 800, 1000)], 2022: [("C", 1250, 1000)]}

CLOSING = {  # §4.2–4.3 "Closing balance", kronor
    2021: {
        ("A", "ARBETSPLATS"): "-3000000",
        ("B", "ARBETSPLATS"): "-1500000",
        ("C", "ARBETSPLATS"): "-300000",
        ("A", "LAGRING"): "-1200000",
        ("B", "LAGRING"): "-600000",
    },
    2022: {
        ("A", "ARBETSPLATS"): "-1721428.57",
        ("B", "ARBETSPLATS"): "-851428.57",
        ("C", "ARBETSPLATS"): "-107142.86",
        ("A", "LAGRING"): "-653000",
        ("B", "LAGRING"): "-316000",
        ("C", "LAGRING"): "49000",
    },
    2023: {
        ("A", "ARBETSPLATS"): "-721000",
        ("B", "ARBETSPLATS"): "-356000",
        ("C", "ARBETSPLATS"): "17000",
        ("A", "LAGRING"): "-257500",
        ("B", "LAGRING"): "-120833.33",
        ("C", "LAGRING"): "63333.33",
    },
    2024: {
        ("A", "ARBETSPLATS"): "140262.29",
        ("B", "ARBETSPLATS"): "74655.74",
        ("C", "ARBETSPLATS"): "61081.97",
        ("A", "LAGRING"): "64800",
        ("B", "LAGRING"): "35100",
        ("C", "LAGRING"): "29700",
    },
}
ALLOCATED_2022_S1 = {"A": "16071428.57", "B": "8571428.57", "C": "5357142.86"}
REPORT = {  # §4.5: Intäkter, Kostnader, +/-, Ackumulerat (kronor)
    2021: (35_000_000, 41_600_000, -6_600_000, -6_600_000),
    2022: (45_650_000, 42_650_000, 3_000_000, -3_600_000),
    2023: (44_825_000, 42_600_000, 2_225_000, -1_375_000),
    2024: (45_580_600, 43_800_000, 1_780_600, 405_600),
}
MSEK = {
    2021: ("35.0", "41.6", "-6.6", "-6.6"),
    2022: ("45.7", "42.7", "3.0", "-3.6"),
    2023: ("44.8", "42.6", "2.2", "-1.4"),
    2024: ("45.6", "43.8", "1.8", "0.4"),
}


def ore(kronor: str | int) -> int:
    return int(Decimal(str(kronor)) * KR)


@pytest.fixture
def example(db):
    world = make_world()
    orgs = {letter: agency(world, f"Myndighet {letter}") for letter in "ABC"}
    for letter, code in VOLUMES[2021] | VOLUMES[2022]:
        subscribe(orgs[letter], world.services[code])
    cases = {
        letter: project_case(org, world.services["ARBETSPLATS"]) for letter, org in orgs.items()
    }
    for year in range(2021, 2025):
        s1, s2 = PRICES[year]
        price(world, "ARBETSPLATS", s1, datetime.date(year, 1, 1), basis="year")
        price(world, "LAGRING", s2, datetime.date(year, 1, 1), basis="year")
        d1, d2, overhead = DIRECT[year]
        services.import_costs(
            actor=world.finance,
            rows=[
                {
                    "period": f"{year}-12",
                    "cost_pool": "arbetsplats",
                    "service": "ARBETSPLATS",
                    "amount": d1,
                    "voucher": f"V{year}-1",
                },
                {
                    "period": f"{year}-12",
                    "cost_pool": "lagring",
                    "service": "LAGRING",
                    "amount": d2,
                    "voucher": f"V{year}-2",
                },
                {
                    "period": f"{year}-12",
                    "cost_pool": "fk-gemensamt",
                    "amount": overhead,
                    "voucher": f"V{year}-3",
                },
                # Outside the fee base: must not move a single öre of the tables (R-04, I-03).
                {
                    "period": f"{year}-06",
                    "cost_pool": "efos",
                    "segment": "efos",
                    "amount": 5_000_000,
                    "voucher": f"V{year}-4",
                },
                {
                    "period": f"{year}-06",
                    "cost_pool": "bygg",
                    "funding_source": "anslag",
                    "amount": 1_000_000,
                    "voucher": f"V{year}-5",
                },
                {
                    "period": f"{year}-06",
                    "cost_pool": "moms",
                    "vat_compensated": "1",
                    "amount": 700_000,
                    "voucher": f"V{year}-6",
                },
            ],
        )
        services.create_allocation_rule(
            actor=world.finance,
            year=year,
            cost_pool="fk-gemensamt",
            method="proportional",
            decision_ref="FK påläggsmetod",
        )
        rows = []
        for (letter, code), volume in VOLUMES[year].items():
            rows += usage_rows(orgs[letter], code, year, volume)
        services.record_usage(actor=world.finance, rows=rows)
        for letter, hours, rate in PROJECTS.get(year, []):
            services.record_project_time(
                actor=world.finance,
                case_id=cases[letter],
                period=f"{year}-03",
                hours=hours,
                hourly_rate=rate,
                description="Anslutning",
                key=f"P{year}{letter}",
            )
    return world, orgs


def balance(org, code, year) -> int:
    account = Account.objects.get(organisation=org, service__code=code)
    return (
        LedgerEntry.objects.filter(account=account, year__lte=year).aggregate(t=Sum("amount_ore"))[
            "t"
        ]
        or 0
    )


@pytest.mark.slow
def test_worked_example_to_the_ore(example):
    world, orgs = example
    for year in range(2021, 2025):
        for month in range(1, 13):
            services.run_period(actor=world.finance, period=f"{year}-{month:02d}", finalise=True)
        (close,) = services.close_year(actor=world.finance, year=year)
        for (letter, code), expected in CLOSING[year].items():
            assert balance(orgs[letter], code, year) == ore(expected), (year, letter, code)
        revenue, cost, result, accumulated = REPORT[year]
        assert close.figures["revenue_ore"] == revenue * KR
        assert close.figures["cost_ore"] == cost * KR
        assert (
            close.figures["result_ore"]
            + close.figures["projects_ore"]
            - close.figures["projects_ore"]
            == result * KR
        )
        assert close.figures["accumulated_ore"] == accumulated * KR
        assert not close.surplus_flag
        msek = MSEK[year]
        assert [str(round_presentation(v * KR, 100_000_000)) for v in REPORT[year]] == list(msek)
        if year == 2022:
            for letter, expected in ALLOCATED_2022_S1.items():
                entry = LedgerEntry.objects.get(
                    account__organisation=orgs[letter],
                    account__service__code="ARBETSPLATS",
                    year=2022,
                    kind=LedgerKind.ALLOCATED_COST,
                )
                assert entry.amount_ore == -ore(expected)
        if year == 2021:
            # C, who joined small, carries only its own deficit: 300 000 kr over three years.
            c_schedule = RecoverySchedule.objects.filter(
                account__organisation=orgs["C"], origin_year=2021
            )
            assert sorted(s.amount_ore for s in c_schedule) == [ore(100_000)] * 3
    # Agency A's 2024 invoicing, summed over the twelve monthly invoices (§4.4).
    lines = selectors.agency_year_lines(organisation_id=orgs["A"].pk, year=2024)
    assert lines == {
        ("usage", "ARBETSPLATS"): ore("15996000"),
        ("usage", "LAGRING"): ore("6364800"),
        ("instalment", "ARBETSPLATS"): ore(1_000_000),
        ("instalment", "LAGRING"): ore(400_000),
        ("settlement", "ARBETSPLATS"): -ore(279_000),
        ("settlement", "LAGRING"): -ore(142_500),
    }
    assert sum(lines.values()) == ore("23339300")
    # Re-running every month and close changes nothing (I-06, I-11).
    before = LedgerEntry.objects.count()
    services.run_period(actor=world.finance, period="2024-05", finalise=True)
    assert services.close_year(actor=world.finance, year=2024)[0] == close
    assert LedgerEntry.objects.count() == before
    assert AllocationRule.objects.filter(year=2024).count() == 1
