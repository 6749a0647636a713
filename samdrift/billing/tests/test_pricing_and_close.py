"""Price models charged as decided; the 25 a § surplus flag and the deficit alert at close."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from samdrift.billing import services
from samdrift.billing.choices import LedgerKind
from samdrift.billing.models import LedgerEntry
from samdrift.billing.pricing import Price, charges, validate_tiers
from samdrift.tests.factories import SubscriptionFactory

from .builders import agency, make_world, price, subscribe, usage_rows


def test_graduated_package_fixed_and_one_time():
    tiers = tuple(
        (None if up is None else Decimal(up), Decimal(p))
        for up, p in validate_tiers([["100", "10"], ["1000", "8"], [None, "5"]])
    )
    graduated = charges(Price("graduated", "month", Decimal(0), tiers), Decimal(1500))
    assert [(c.quantity, c.price, c.amount_ore) for c in graduated] == [
        (Decimal(100), Decimal(10), 100_000),
        (Decimal(900), Decimal(8), 720_000),
        (Decimal(500), Decimal(5), 250_000),
    ]
    (package,) = charges(
        Price("package", "month", Decimal("2400"), package_size=Decimal(500)), Decimal(1001)
    )
    assert package.quantity == 3 and package.amount_ore == 720_000
    (fixed,) = charges(Price("fixed", "month", Decimal("12500")), Decimal(1))
    assert fixed.amount_ore == 1_250_000
    with pytest.raises(ValueError):
        validate_tiers([["100", "10"], ["50", "8"], [None, "5"]])
    with pytest.raises(ValueError):
        validate_tiers([["100", "10"]])


@pytest.mark.slow
def test_surplus_above_ten_percent_is_flagged_and_old_deficits_alert(db):
    world = make_world(("ARBETSPLATS",), recovery_years=1)
    org = agency(world, "Myndighet A")
    subscribe(org, world.services["ARBETSPLATS"])
    closes = []
    for year, unit_price, cost in (
        (2022, "100", "5000"),
        (2023, "100", "5000"),
        (2024, "3000", "1000"),
    ):
        price(world, "ARBETSPLATS", unit_price, datetime.date(year, 1, 1))
        services.record_usage(
            actor=world.finance, rows=usage_rows(org, "ARBETSPLATS", year, 1, range(1, 2))
        )
        services.import_costs(
            actor=world.finance,
            rows=[
                {
                    "period": f"{year}-12",
                    "cost_pool": "d",
                    "service": "ARBETSPLATS",
                    "amount": cost,
                    "voucher": f"V{year}",
                }
            ],
        )
        for month in range(1, 13):
            services.run_period(actor=world.finance, period=f"{year}-{month:02d}", finalise=True)
        closes.append(services.close_year(actor=world.finance, year=year)[0])
    # 2022: fee 100 − cost 5 000; 2023: fee 100 + the 4 900 instalment − 5 000: still −4 900.
    assert [c.figures["accumulated_ore"] for c in closes[:2]] == [-490_000, -490_000]
    # Negative at more closes than the one-year horizon: the alert fires in 2023, not in 2022.
    assert closes[1].deficit_alert and not closes[0].deficit_alert
    # 2024: 3 000 + 4 900 in, 1 000 out: +2 000 accumulated, far above 10 % of 7 900 turnover.
    assert closes[2].figures["accumulated_ore"] == 200_000 and closes[2].surplus_flag


def test_unmetered_cost_is_spread_by_months_connected_on_billed_bases(db):
    """Nothing metered in the year: each agency bears the service's full cost in proportion to
    the months it was connected on an assignment or separate agreement (own use, ended and
    later subscriptions bear nothing)."""
    world = make_world(("LAGRING",))
    storage = world.services["LAGRING"]
    whole, half = agency(world, "Myndighet A"), agency(world, "Myndighet B")
    subscribe(whole, storage, datetime.date(2021, 1, 1))
    subscribe(half, storage, datetime.date(2024, 7, 1))
    SubscriptionFactory(
        organisation=agency(world, "Myndighet C"),
        service=storage,
        start_date=datetime.date(2021, 1, 1),
        end_date=datetime.date(2023, 12, 31),
    )
    SubscriptionFactory(
        organisation=agency(world, "Myndighet D"),
        service=storage,
        start_date=datetime.date(2025, 1, 1),
    )
    SubscriptionFactory(organisation=world.provider, service=storage, agreement_basis="own_use")
    services.import_costs(
        actor=world.finance,
        rows=[
            {
                "period": "2024-12",
                "cost_pool": "d",
                "service": "LAGRING",
                "amount": "900",
                "voucher": "V1",
            }
        ],
    )
    services.close_year(actor=world.finance, year=2024)
    allocated = dict(
        LedgerEntry.objects.filter(kind=LedgerKind.ALLOCATED_COST).values_list(
            "account__organisation__name", "amount_ore"
        )
    )
    # 12 months against 6: 600 and 300 kronor.
    assert allocated == {"Myndighet A": -60_000, "Myndighet B": -30_000}
