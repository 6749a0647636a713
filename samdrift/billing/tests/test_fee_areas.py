"""Fee areas as the regulation has them: each activity financed and reported on its own is its own
area, its costs and revenue stay in it, and the outcome table's exclusions hold on both sides
(issue 10 item 1, ADR 0210)."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command

from samdrift.billing import services
from samdrift.billing.models import BillableService, CostEntry, FeeArea, YearEndClose
from samdrift.billing.selectors import outcome_report
from samdrift.core.exceptions import BusinessRuleViolation, ValidationFailed
from samdrift.core.i18n import in_both_languages
from samdrift.tests.factories import ServiceFactory

from .builders import agency, make_world, price, subscribe, usage_rows

pytestmark = pytest.mark.django_db
YEAR = 2021


def _efos_world():
    """Core service ARBETSPLATS in it-drift, EFOS in its own area, one agency using both."""
    world = make_world(("ARBETSPLATS",))
    efos_area = FeeArea.objects.create(code="efos", segment="efos", name_sv="EFOS", name_en="EFOS")
    efos = ServiceFactory(code="EFOS", name_sv="EFOS", name_en="EFOS", provider=world.provider)
    BillableService.objects.create(service=efos, fee_area=efos_area)
    world.services["EFOS"] = efos
    org = agency(world, "Myndighet A")
    for code in ("ARBETSPLATS", "EFOS"):
        subscribe(org, world.services[code])
        price(world, code, "100", datetime.date(YEAR, 1, 1))
        services.record_usage(actor=world.finance, rows=usage_rows(org, code, YEAR, 10))
    return world, efos_area


def _costs(rows):
    return [
        {"period": f"{YEAR}-12", "voucher": f"v{n}", **row} for n, row in enumerate(rows, start=1)
    ]


def test_a_direct_cost_takes_its_service_area_and_a_contrary_segment_is_refused():
    world, _area = _efos_world()
    services.import_costs(
        actor=world.finance,
        rows=_costs([{"cost_pool": "efos-drift", "service": "EFOS", "amount": "1000"}]),
    )
    assert CostEntry.objects.get(source_ref="v1").segment == "efos"
    with pytest.raises(ValidationFailed) as caught:
        services.import_costs(
            actor=world.finance,
            rows=[
                {
                    "period": f"{YEAR}-12",
                    "voucher": "v9",
                    "cost_pool": "efos-drift",
                    "service": "EFOS",
                    "segment": "core",
                    "amount": "1000",
                }
            ],
        )
    assert "EFOS" in str(caught.value.errors)
    assert not CostEntry.objects.filter(source_ref="v9").exists()


@pytest.mark.slow
def test_the_outcome_table_excludes_efos_sitssam_and_program_2032_on_both_sides():
    world, efos_area = _efos_world()
    FeeArea.objects.create(code="sitssam", segment="sitssam", name_sv="SITSSAM", name_en="SITSSAM")
    services.import_costs(
        actor=world.finance,
        rows=_costs(
            [
                {"cost_pool": "arbetsplats", "service": "ARBETSPLATS", "amount": "15000"},
                {"cost_pool": "efos-drift", "service": "EFOS", "amount": "9000"},
                {"cost_pool": "sitssam", "segment": "sitssam", "amount": "7000"},
                {"cost_pool": "program", "segment": "program_2032", "amount": "6000"},
                {"cost_pool": "uppbyggnad", "funding_source": "bidrag", "amount": "4000"},
            ]
        ),
    )
    for month in range(1, 13):
        services.run_period(
            actor=world.finance, period=datetime.date(YEAR, month, 1), finalise=True
        )
    closes = services.close_year(actor=world.finance, year=YEAR)
    # EFOS is closed in its own area; SITSSAM invoices nothing and has no close.
    assert sorted(c.fee_area.code for c in closes) == ["efos", "it-drift"]
    efos = YearEndClose.objects.get(fee_area=efos_area, year=YEAR).figures
    assert (efos["revenue_ore"], efos["cost_ore"]) == (12_000_00, 9000_00)

    (row,) = outcome_report(actor=world.finance, year=YEAR)
    assert row.fee_area == "it-drift"
    # Revenue side: only the core service's fees (12 months × 10 units × 100 kr), no EFOS fee.
    assert row.revenue_ore == 12_000_00
    # Cost side: only the core service's cost; EFOS, SITSSAM, Program 2032 and the grant stay out.
    assert row.cost_ore == 15_000_00
    # The grant is reported beside the fees, outside the result.
    assert row.grant_ore == 4000_00
    assert row.result_ore == (12_000 - 15_000) * 100

    everything = outcome_report(
        actor=world.finance, year=YEAR, include_segments=("efos", "sitssam", "program_2032")
    )
    assert sorted(r.fee_area for r in everything) == ["efos", "it-drift"]


@pytest.mark.slow
def test_the_billing_report_gives_every_area_its_own_result_when_asked():
    world, _area = _efos_world()
    services.import_costs(
        actor=world.finance,
        rows=_costs(
            [
                {"cost_pool": "arbetsplats", "service": "ARBETSPLATS", "amount": "15000"},
                {"cost_pool": "efos-drift", "service": "EFOS", "amount": "9000"},
                {"cost_pool": "uppbyggnad", "funding_source": "bidrag", "amount": "4000"},
            ]
        ),
    )
    for month in range(1, 13):
        services.run_period(
            actor=world.finance, period=datetime.date(YEAR, month, 1), finalise=True
        )
    services.close_year(actor=world.finance, year=YEAR)

    def report(*extra: str) -> dict:
        out = io.StringIO()
        call_command("billing", "report", "--format", "json", *extra, stdout=out)
        return {row["fee_area"]: row for row in json.loads(out.getvalue())["rows"]}

    assert set(report()) == {"it-drift"}
    both = report("--all-areas")
    assert set(both) == {"it-drift", "efos"}
    # EFOS has its own full-cost result and accumulated result: 12 000 kr fees − 9 000 kr cost.
    assert (both["efos"]["result"], both["efos"]["accumulated"]) == ("3000.00", "3000.00")
    assert both["it-drift"]["grant"] == "4000.00" and both["efos"]["grant"] == "0.00"


def test_closing_an_area_without_services_by_name_says_why():
    world, _area = _efos_world()
    FeeArea.objects.create(code="sitssam", segment="sitssam", name_sv="SITSSAM", name_en="SITSSAM")
    with pytest.raises(BusinessRuleViolation) as caught:
        services.close_year(actor=world.finance, year=YEAR, fee_area_code="sitssam")
    assert "sitssam" in in_both_languages(caught.value.message, caught.value.params)["en"]
    assert "bokslutas" in in_both_languages(caught.value.message, caught.value.params)["sv"]
    assert not YearEndClose.objects.exists()
