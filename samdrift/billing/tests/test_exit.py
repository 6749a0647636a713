"""I-13: an agency that leaves is settled to zero, and its schedules are no longer billed."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Sum

from samdrift.billing import services
from samdrift.billing.documents import invoice_ubl
from samdrift.billing.models import InvoiceLine, LedgerEntry
from samdrift.billing.schematron import fatal_errors
from samdrift.core.exceptions import BusinessRuleViolation

from .builders import agency, make_world, price, subscribe, usage_rows


@pytest.mark.slow
def test_exit_settlement_brings_every_account_to_zero(db):
    world = make_world(("ARBETSPLATS",))
    leaving, staying = agency(world, "Myndighet A"), agency(world, "Myndighet B")
    for org in (leaving, staying):
        subscribe(org, world.services["ARBETSPLATS"])
    price(world, "ARBETSPLATS", "100", datetime.date(2024, 1, 1))
    services.record_usage(
        actor=world.finance,
        rows=[
            *usage_rows(leaving, "ARBETSPLATS", 2024, 30, range(1, 13, 6)),
            *usage_rows(staying, "ARBETSPLATS", 2024, 10, range(1, 13, 6)),
        ],
    )
    services.import_costs(
        actor=world.finance,
        rows=[
            {
                "period": "2024-12",
                "cost_pool": "d",
                "service": "ARBETSPLATS",
                "amount": "40000",
                "voucher": "V",
            }
        ],
    )
    for month in range(1, 13):
        services.run_period(actor=world.finance, period=f"2024-{month:02d}", finalise=True)
    services.close_year(actor=world.finance, year=2024)
    owed = LedgerEntry.objects.filter(account__organisation=leaving).aggregate(t=Sum("amount_ore"))[
        "t"
    ]
    assert owed < 0  # a deficit with instalments scheduled for 2025–2027
    (invoice,) = services.settle_exit(
        actor=world.finance, organisation_id=leaving.pk, period="2025-01", reason="Avvecklad"
    )
    assert invoice.total_ore == -owed and fatal_errors(invoice_ubl(invoice)) == []
    assert (
        LedgerEntry.objects.filter(account__organisation=leaving).aggregate(t=Sum("amount_ore"))[
            "t"
        ]
        == 0
    )
    with pytest.raises(BusinessRuleViolation):
        services.settle_exit(
            actor=world.finance, organisation_id=leaving.pk, period="2025-01", reason="Igen"
        )
    services.run_period(actor=world.finance, period="2025-02", finalise=True)
    assert not InvoiceLine.objects.filter(organisation=leaving, kind="instalment").exists()
    assert InvoiceLine.objects.filter(organisation=staying, kind="instalment").exists()
