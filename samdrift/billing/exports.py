"""Reports and invoices as CSV, JSON, text tables, XLSX and PDF. Pure rendering of given rows.

Report figures are derived from öre at presentation time, each cell rounded on its own, half up;
the note says rows may not add up because of rounding (fee-model.md §4.5).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _

from samdrift.core import pdf

from .choices import InvoiceKind
from .money import ore_to_decimal

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Invoice

ROUNDING_NOTE_SV = "Beloppen avrundas var för sig; summor kan avvika på grund av avrundning."
ROUNDING_NOTE_EN = "Each figure is rounded on its own; totals may differ because of rounding."
REPORT_HEADERS = (
    "fee_area",
    "year",
    "revenue",
    "cost",
    "result",
    "accumulated",
    "accumulated_pct_of_revenue",
    "revenue_msek",
    "cost_msek",
    "result_msek",
    "accumulated_msek",
    "surplus_flag",
    "deficit_alert",
    "grant",
    "grant_msek",
)


def report_records(rows: Iterable[Any]) -> list[dict[str, Any]]:
    records = []
    for row in rows:
        msek = row.msek()
        records.append(
            {
                "fee_area": row.fee_area,
                "year": row.year,
                "revenue": str(ore_to_decimal(row.revenue_ore)),
                "cost": str(ore_to_decimal(row.cost_ore)),
                "result": str(ore_to_decimal(row.result_ore)),
                "accumulated": str(ore_to_decimal(row.accumulated_ore)),
                "accumulated_pct_of_revenue": row.accumulated_pct,
                "revenue_msek": msek["revenue"],
                "cost_msek": msek["cost"],
                "result_msek": msek["result"],
                "accumulated_msek": msek["accumulated"],
                "surplus_flag": row.surplus_flag,
                "deficit_alert": row.deficit_alert,
                # The build-up grant (bidrag): outside the result, beside the fees (ADR 0210).
                "grant": str(ore_to_decimal(row.grant_ore)),
                "grant_msek": msek["grant"],
            }
        )
    return records


def to_csv(headers: Sequence[str], records: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(headers), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({key: record.get(key) for key in headers})
    return buffer.getvalue()


def to_json(records: list[dict[str, Any]]) -> str:
    return (
        json.dumps({"rows": records, "note": ROUNDING_NOTE_EN}, ensure_ascii=False, indent=2) + "\n"
    )


def to_table(records: list[dict[str, Any]]) -> str:
    headers = (
        "fee_area",
        "year",
        "revenue_msek",
        "cost_msek",
        "result_msek",
        "accumulated_msek",
        "accumulated_pct_of_revenue",
    )
    titles = (
        "Avgiftsområde",
        "År",
        "Intäkter MSEK",
        "Kostnader MSEK",
        "+/- MSEK",
        "Ack. +/- MSEK",
        "Ack. % av oms.",
    )
    cells = [titles, *[tuple("" if r[h] is None else str(r[h]) for h in headers) for r in records]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(
            cell.rjust(width) if i > 1 else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in cells
    ]
    flags = [
        f"{r['fee_area']} {r['year']}: överskott > 10 % av omsättningen (25 a §)"
        for r in records
        if r["surplus_flag"]
    ]
    flags += [
        f"{r['fee_area']} {r['year']}: underskott äldre än beslutad återhämtningstid"
        for r in records
        if r["deficit_alert"]
    ]
    return "\n".join([*lines, "", ROUNDING_NOTE_SV, *flags]) + "\n"


def to_xlsx(title: str, headers: Sequence[str], records: Iterable[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook always has one sheet
    sheet.title = title[:31]
    sheet.append(list(headers))
    for record in records:
        sheet.append([record.get(key) for key in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def invoice_pdf(
    invoice: Invoice, lines: Iterable[Any], *, language: str, request: HttpRequest | None = None
) -> bytes:
    """The invoice or credit note as tagged PDF/UA-1 (core's one renderer, ADR 0090)."""
    with translation.override(language):
        title = f"{invoice.get_kind_display()} {invoice.number or invoice.pk}"
    return pdf.render(
        "billing/invoice_print.html",
        {"invoice": invoice, "lines": lines},
        kind="billing.credit-note"
        if invoice.kind == InvoiceKind.CREDIT_NOTE
        else "billing.invoice",
        language=language,
        title=title,
        request=request,
    )


def outcome_report_pdf(
    records: Sequence[dict[str, Any]], *, language: str, request: HttpRequest | None = None
) -> bytes:
    """The outcome per fee area and year as tagged PDF/UA-1 (ADR 0090)."""
    with translation.override(language):
        title = str(_("Outcome per fee area and year (MSEK)"))
    note = ROUNDING_NOTE_SV if language == "sv" else ROUNDING_NOTE_EN
    return pdf.render(
        "billing/report_print.html",
        {"records": records, "note": note},
        kind="billing.outcome-report",
        language=language,
        title=title,
        request=request,
    )
