"""The demand report as CSV and XLSX, with the same columns as the page."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .selectors import DemandReport


def _header(report: DemandReport) -> list[str]:
    return [
        *([_("Provider")] if report.across_providers else []),
        _("Service code"),
        _("Service"),
        _("Asked"),
        _("Connected"),
        _("Asked (legal agencies)"),
        _("Connected (legal agencies)"),
        # xgettext:no-python-format
        _("Coverage (% of all agencies)"),
    ]


def _rows(report: DemandReport) -> list[list[object]]:
    return [
        [
            *([r.service.provider.name] if report.across_providers else []),
            r.service.code,
            r.service.name,
            r.requested,
            r.connected,
            r.requested_legal,
            r.connected_legal,
            float(r.coverage_pct),
        ]
        for r in report.rows
    ]


def demand_csv(report: DemandReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")  # Swedish spreadsheets expect semicolons
    writer.writerow(_header(report))
    writer.writerows(_rows(report))
    return buffer.getvalue()


def demand_xlsx(report: DemandReport) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook always has one sheet
    sheet.title = str(report.year)
    sheet.append(_header(report))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _rows(report):
        sheet.append(row)
    sheet.column_dimensions["C" if report.across_providers else "B"].width = 42
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
