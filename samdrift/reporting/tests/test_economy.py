"""The economic outcome and indicators 3–5 come from billing, read with the viewer's rights."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from samdrift.accounts.selectors import actor_for_user
from samdrift.billing.models import CostEntry, FeeArea, PriceVersion, Usage, YearEndClose
from samdrift.reporting.documents import render_document_html
from samdrift.reporting.selectors import government_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing_data(world):
    area = FeeArea.objects.create(code="it-drift", name_sv="It-drift", name_en="IT operations")
    for year, revenue, cost, accumulated in (
        (2020, 2_000_000_000, 2_500_000_000, -500_000_000),
        (2021, 3_000_000_000, 2_750_000_000, -250_000_000),
    ):
        YearEndClose.objects.create(
            fee_area=area,
            year=year,
            input_hash="0" * 64,
            closed_at=timezone.now(),
            figures={"revenue_ore": revenue, "cost_ore": cost, "accumulated_ore": accumulated},
        )
    for month in (1, 2):
        Usage.objects.create(
            organisation=world.agency,
            service=world.itarb,
            period=datetime.date(2021, month, 1),
            billed_period=datetime.date(2021, month, 1),
            quantity=Decimal(50),
            source="test",
            source_key=f"u{month}",
        )
    CostEntry.objects.create(
        period=datetime.date(2021, 3, 1),
        gl_account="5000",
        cost_pool="arbetsplats",
        service=world.itarb,
        amount_ore=5_000_000,
        source_ref="v1",
    )
    for version, (start, end, price) in enumerate(
        (
            (datetime.date(2020, 1, 1), datetime.date(2020, 12, 31), "400"),
            (datetime.date(2021, 1, 1), None, "420"),
        ),
        start=1,
    ):
        PriceVersion.objects.create(
            service=world.itarb,
            version=version,
            unit_price=Decimal(price),
            valid_from=start,
            valid_to=end,
            decision_ref=f"Beslut {version}",
            decision_date=start,
        )
    return area


def test_outcome_lines_in_million_kronor(billing_data, provider_admin):
    report = government_report(actor=actor_for_user(provider_admin), year=2021)
    outcome = report.economy
    assert outcome.available and outcome.has_lines
    assert [(x.year, x.revenue_msek, x.cost_msek, x.result_msek) for x in outcome.lines] == [
        (2020, Decimal("20.0"), Decimal("25.0"), Decimal("-5.0")),
        (2021, Decimal("30.0"), Decimal("27.5"), Decimal("2.5")),
    ]
    assert outcome.accumulated_msek == Decimal("-2.5")
    html = render_document_html(report)
    assert "Tabell 4" in html and "-2,5" in html and "<td>It-drift</td>" in html


def test_billing_indicators(billing_data, provider_admin):
    report = government_report(actor=actor_for_user(provider_admin), year=2021)
    values = {i.number: i.value for i in report.indicators}
    assert values[3] == "ITARB: 100,00"
    assert values[4] == "ITARB: 500,00 kr"  # 50 000 kr / 100 units
    assert values[5] == "ITARB: 5,00 %"  # 400 → 420


def test_only_earlier_years_count(billing_data, provider_admin):
    outcome = government_report(actor=actor_for_user(provider_admin), year=2020).economy
    assert [line.year for line in outcome.lines] == [2020]


def test_viewer_without_billing_rights_sees_why_the_section_is_missing(
    billing_data, service_manager
):
    report = government_report(actor=actor_for_user(service_manager), year=2021)
    assert report.economy.available is False and report.economy.lines == []
    assert {i.number: i.value for i in report.indicators}[3] is None
    html = render_document_html(report)
    assert "faktureringsuppgifter" in html and "Tabell 4" not in html
