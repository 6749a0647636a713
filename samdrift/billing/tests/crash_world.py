"""Builds the crash test's world in a real database file: `python -m samdrift.billing.tests.crash_world`.

Run by test_crash.py in a subprocess with DATABASE_URL pointing at the file (or PostgreSQL
database) under test; 60 agencies, an umbrella with courts, two services, a year of usage.
"""

from __future__ import annotations

import datetime
import os

import django


def build() -> None:
    from samdrift.billing import services
    from samdrift.billing.tests.builders import agency, make_world, price, subscribe, usage_rows

    world = make_world()
    dv = agency(world, "Domstolsverket", org_number="202100-2742")
    orgs = [
        agency(world, f"Domstol {n:02d}", org_number="202100-2742", parent=dv) for n in range(8)
    ]
    orgs += [agency(world, f"Myndighet {n:02d}") for n in range(16)]
    for org in orgs:
        subscribe(org, world.services["ARBETSPLATS"], start=datetime.date(2023, 1, 1))
    price(world, "ARBETSPLATS", "451.25", datetime.date(2024, 1, 1))
    price(world, "LAGRING", "13260", datetime.date(2024, 1, 1), basis="year")
    services.create_allocation_rule(
        actor=world.finance,
        year=2024,
        cost_pool="gemensamt",
        method="proportional",
        decision_ref="FK påläggsmetod",
    )
    services.import_costs(
        actor=world.finance,
        rows=[
            {
                "period": "2024-12",
                "cost_pool": "arbetsplats",
                "service": "ARBETSPLATS",
                "amount": "31000000.00",
                "voucher": "C1",
            },
            {
                "period": "2024-12",
                "cost_pool": "lagring",
                "service": "LAGRING",
                "amount": "9000000.00",
                "voucher": "C2",
            },
            {
                "period": "2024-12",
                "cost_pool": "gemensamt",
                "amount": "7000000.00",
                "voucher": "C3",
            },
        ],
    )
    rows = []
    for index, org in enumerate(orgs):
        rows += usage_rows(org, "ARBETSPLATS", 2024, 50 + index * 7)
        if index % 3 == 0:
            rows += usage_rows(org, "LAGRING", 2024, f"{1 + index / 10:.1f}")
    services.record_usage(actor=world.finance, rows=rows)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.db import transaction

    with transaction.atomic():
        build()
