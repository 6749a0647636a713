"""The 2021 report regenerated from the demo: table 4 ("exklusive EFOS, SITSSAM och Program 2032")
holds only the core fee area, on the revenue and on the cost side, with the build-up grant beside
the fees; the PDF (the command's path) shows the same table (issue 10 item 1, ADR 0510)."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import TestCase

from samdrift.billing import demo as billing_demo
from samdrift.billing.models import BillableService, CostEntry, InvoiceLine
from samdrift.catalogue.selectors import default_provider_id
from samdrift.core.actor import SYSTEM
from samdrift.demo.foundation import load_foundation
from samdrift.organisations.preparedness import annex_sectors
from samdrift.reporting.documents import render_document_html
from samdrift.reporting.economy import msek
from samdrift.reporting.selectors import government_report

YEAR = 2021


def _lines(year: int, area: str) -> int:
    services = BillableService.objects.filter(fee_area__code=area).values("service_id")
    return (
        InvoiceLine.objects.filter(
            invoice__status="finalised", invoice__period__year=year, service_id__in=services
        ).aggregate(t=Sum("amount_ore"))["t"]
        or 0
    )


def _costs(year: int, **tags: str) -> int:
    """Försäkringskassan's costs: the report is its fee model's (the second provider's own
    costs are in its own, ADR 0664)."""
    entries = CostEntry.objects.filter(
        provider_id=default_provider_id(), period__year=year, vat_compensated=False, **tags
    )
    return entries.aggregate(t=Sum("amount_ore"))["t"] or 0


def _mkr(ore: int) -> str:
    return str(msek(ore)).replace(".", ",")


@pytest.mark.slow
class DemoTable4Tests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_foundation()
        billing_demo.load(stdout=io.StringIO())

    def _row(self, year: int):
        report = government_report(actor=SYSTEM, year=YEAR)
        return next(line for line in report.economy.lines if line.year == year)

    def test_efos_is_billed_in_its_own_fee_area(self) -> None:
        assert BillableService.objects.get(service__code="EFOS").fee_area.code == "efos"
        assert _lines(YEAR, "efos") > 0  # EFOS is invoiced …
        assert _costs(YEAR, segment="efos") > 0  # … and costs, both in its own area

    def test_table_4_excludes_efos_sitssam_and_program_2032_on_both_sides(self) -> None:
        report = government_report(actor=SYSTEM, year=YEAR)
        assert {line.fee_area for line in report.economy.lines} == {"it-drift"}
        for year in (2019, 2020, 2021):
            row = self._row(year)
            # Revenue: the core area's invoiced fees, not one krona of EFOS.
            core_fees = _lines(year, "it-drift")
            assert row.revenue_msek == msek(core_fees)
            assert row.revenue_msek != msek(core_fees + _lines(year, "efos"))
            # Costs: the core's fee-financed costs plus the grant-financed build-up; EFOS,
            # SITSSAM and Program 2032 costs are out.
            grant = _costs(year, funding_source="bidrag")
            core_cost = _costs(year, segment="core", funding_source="avgift")
            assert row.grant_msek == msek(grant)
            assert row.cost_msek == msek(core_cost + grant)
            for other in ("efos", "sitssam", "program_2032"):
                excluded = _costs(year, segment=other)
                assert excluded > 0
                assert row.cost_msek != msek(core_cost + grant + excluded)
        # The grant paid for the build-up until 2021, when the fees replaced it.
        assert self._row(2019).grant_msek > 0 and self._row(2020).grant_msek > 0
        assert self._row(2021).grant_msek == 0

    def test_the_regenerated_html_and_pdf_show_the_corrected_table(self) -> None:
        report = government_report(actor=SYSTEM, year=YEAR)
        row = self._row(YEAR)
        html = render_document_html(report)
        table = html[html.index("Tabell 4") :]
        table = table[: table.index("</table>")]
        assert "Bidrag" in table and "Avgifter" in table
        assert "EFOS</td>" not in table and "SITSSAM</td>" not in table
        cells = re.findall(r"<td class=\"num\">([^<]*)</td>", table)
        assert _mkr(_lines(YEAR, "it-drift")) in cells
        assert str(row.cost_msek).replace(".", ",") in cells or str(row.cost_msek) in cells

        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "rapport-2021.pdf"
            call_command(
                "report", "government", "--year", str(YEAR), "--out", str(pdf), stderr=io.StringIO()
            )
            text = subprocess.run(  # poppler's pdftotext, fixed arguments
                ["/usr/bin/pdftotext", "-layout", str(pdf), "-"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        table_text = text[text.index("Tabell 4") :]
        table_text = table_text[: table_text.index("Ackumulerat överskott")]
        assert "Samordnad it-drift" in table_text and "Bidrag" in table_text
        assert "EFOS" not in table_text.split("\n", 1)[1].replace("EFOS, SITSSAM", "")
        revenue = str(row.revenue_msek)
        assert revenue in table_text or revenue.replace(".", ",") in table_text
        # Indicator 2 is given, not "uppgift saknas" (issue 10 item 6).
        assert "Indikator 1 och 2" in text

    def test_indicator_2_from_the_register_preparedness_agencies(self) -> None:
        report = government_report(actor=SYSTEM, year=YEAR)
        second = {i.number: i for i in report.indicators}[2]
        assert second.value is not None and second.total == len(annex_sectors())
        coverage = {c.service.code: c for c in {i.number: i for i in report.indicators}[1].coverage}
        # EFOS reaches preparedness agencies in the demo (Domstolsverket, the county boards …).
        assert coverage["EFOS"].preparedness_connected > 0
        html = render_document_html(report)
        row = html[html.index("Andel beredskapsmyndigheter som är anslutna") :]
        assert "no-data" not in row[: row.index("</tr>")]
