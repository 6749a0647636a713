"""Property-based tests (hypothesis) of the invariants; example counts kept modest for speed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samdrift.billing import services
from samdrift.billing.models import Invoice, LedgerEntry, YearEndClose
from samdrift.billing.money import largest_remainder, split_evenly, to_ore
from samdrift.billing.pricing import Price, charges

from .builders import agency, make_world, price, subscribe, usage_rows

weights = st.dictionaries(
    st.text(min_size=1, max_size=4),
    st.integers(min_value=0, max_value=10**9),
    min_size=1,
    max_size=12,
)


@settings(max_examples=100, deadline=None)
@given(total=st.integers(min_value=-(10**13), max_value=10**13), weights=weights)
def test_allocation_parts_sum_to_the_pool(total, weights):
    parts = largest_remainder(total, weights)
    assert sum(parts.values()) == total  # I-01
    assert set(parts) == set(weights)
    weight_sum = sum(weights.values())
    for key, part in parts.items():  # each part is within one öre of its exact share
        exact = Decimal(total) * (weights[key] if weight_sum else 1) / (weight_sum or len(weights))
        assert abs(Decimal(part) - exact) < 1


@settings(max_examples=100, deadline=None)
@given(total=st.integers(min_value=0, max_value=10**12), weights=weights, seed=st.randoms())
def test_allocation_is_independent_of_input_order(total, weights, seed):
    items = list(weights.items())
    seed.shuffle(items)
    assert largest_remainder(total, dict(items)) == largest_remainder(total, weights)


@settings(max_examples=100, deadline=None)
@given(
    total=st.integers(min_value=-(10**12), max_value=10**12),
    count=st.integers(min_value=1, max_value=36),
)
def test_even_split_conserves(total, count):
    parts = split_evenly(total, count)
    assert sum(parts) == total and max(parts) - min(parts) <= 1


@settings(max_examples=40, deadline=None)
@given(
    quantities=st.lists(
        st.decimals(min_value=0, max_value=100000, places=2), min_size=12, max_size=12
    ),
    unit_price=st.decimals(min_value=0, max_value=100000, places=2),
)
def test_twelve_months_of_a_year_price_add_up_to_the_year(quantities, unit_price):
    price = Price(model="per_unit", basis="year", unit_price=unit_price)
    before = Decimal(0)
    months = []
    for quantity in quantities:
        (charge,) = charges(price, quantity, before)
        # Peppol R120: line = quantity × price / base quantity, within 0.02 SEK.
        assert abs(Decimal(charge.amount_ore) - quantity * unit_price / 12 * 100) <= 2
        months.append(charge.amount_ore)
        before += quantity
    assert sum(months) == to_ore(sum(quantities, Decimal(0)) * unit_price / 12)


years = st.lists(
    st.fixed_dictionaries(
        {
            "volumes": st.lists(st.integers(min_value=0, max_value=500), min_size=3, max_size=3),
            "price": st.integers(min_value=100, max_value=900),
            "cost": st.integers(min_value=0, max_value=3_000_000),
        }
    ),
    min_size=1,
    max_size=3,
)


@pytest.mark.slow
@pytest.mark.django_db
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=years)
def test_ledger_balances_equal_the_accumulated_result(plan):
    """I-02 after random sequences of years, with reruns that must change nothing (I-06, I-11)."""
    from django.db import transaction

    with transaction.atomic():
        world = make_world(("ARBETSPLATS",), recovery_years=2)
        orgs = [agency(world, f"Prop {n}") for n in range(3)]
        for org in orgs:
            subscribe(org, world.services["ARBETSPLATS"], start=datetime.date(2020, 1, 1))
        for offset, year_plan in enumerate(plan):
            year = 2021 + offset
            price(world, "ARBETSPLATS", str(year_plan["price"]), datetime.date(year, 1, 1))
            rows = []
            for org, volume in zip(orgs, year_plan["volumes"], strict=True):
                rows += usage_rows(org, "ARBETSPLATS", year, volume, range(1, 13, 4))
            services.record_usage(actor=world.finance, rows=rows)
            services.import_costs(
                actor=world.finance,
                rows=[
                    {
                        "period": f"{year}-12",
                        "cost_pool": "direkt",
                        "service": "ARBETSPLATS",
                        "amount": year_plan["cost"],
                        "voucher": f"P{year}",
                    }
                ],
            )
            for month in range(1, 13):
                services.run_period(
                    actor=world.finance, period=f"{year}-{month:02d}", finalise=True
                )
            count = Invoice.objects.count()
            services.run_period(actor=world.finance, period=f"{year}-05", finalise=True)
            assert Invoice.objects.count() == count
            (close,) = services.close_year(actor=world.finance, year=year)
            balances = (
                LedgerEntry.objects.filter(year__lte=year).aggregate(t=Sum("amount_ore"))["t"] or 0
            )
            assert balances == close.figures["accumulated_ore"]
            assert services.close_year(actor=world.finance, year=year) == [close]
            assert close.figures["cost_ore"] == year_plan["cost"] * 100
        assert YearEndClose.objects.count() == len(plan)
        transaction.set_rollback(True)
