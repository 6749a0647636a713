"""`samdrift report government …` (the yearly report) and `samdrift report demand …` (the table).

The command runs as the system actor: whoever can run management commands on the server already
holds every right.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import DomainError
from samdrift.core.i18n import bilingual_line
from samdrift.onboarding.selectors import DemandRow, demand_report
from samdrift.reporting.documents import render_document_html, render_pdf
from samdrift.reporting.selectors import (
    PreparednessRow,
    check_year,
    government_report,
    preparedness_coverage,
)


class Command(BaseCommand):
    help = "Reports: `government` builds the yearly report to the government; `demand` prints the demand table."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True, metavar="{government,demand}")
        gov = sub.add_parser(
            "government", help="The yearly report to the government (HTML or tagged PDF)."
        )
        gov.add_argument("--year", required=True)
        gov.add_argument("--format", choices=["html", "pdf"], default="pdf")
        gov.add_argument("--language", choices=["sv", "en"], default="sv")
        gov.add_argument("--out", help="File to write (default: standard output)")
        dem = sub.add_parser(
            "demand", help="Agencies that requested and are connected, per service."
        )
        dem.add_argument("--year", required=True)
        dem.add_argument("--basis", default="assignment", help="assignment|separate|own_use|all")
        dem.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["kind"] == "government":
                self._government(options)
            else:
                self._demand(options)
        except DomainError as exc:
            raise CommandError(bilingual_line(exc.message, exc.params or None)) from exc

    def _government(self, options: dict[str, Any]) -> None:
        report = government_report(
            actor=SYSTEM, year=check_year(options["year"]), language=options["language"]
        )
        data: bytes
        if options["format"] == "pdf":
            data = render_pdf(report)
        else:
            data = render_document_html(report).encode()
        out = options.get("out")
        if out:
            path = Path(out)
            try:
                path.write_bytes(data)
            except OSError as exc:
                raise CommandError(
                    bilingual_line(_("Cannot write %(path)s."), {"path": str(path)})
                ) from exc
            self.stderr.write(f"{path} ({len(data)} bytes)")
        elif options["format"] == "pdf" and sys.stdout.isatty():
            raise CommandError(
                bilingual_line(_("A PDF is not written to a terminal; give --out FILE."))
            )
        else:
            self.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()

    def _demand(self, options: dict[str, Any]) -> None:
        basis = options["basis"]
        if basis not in ("assignment", "separate", "own_use", "all"):
            raise CommandError(
                bilingual_line(_("The basis must be assignment, separate, own_use or all."))
            )
        year, counted = check_year(options["year"]), None if basis == "all" else basis
        report = demand_report(actor=SYSTEM, year=year, basis=counted)
        ready = preparedness_coverage(
            actor=SYSTEM, year=year, basis=counted, services=[row.service for row in report.rows]
        )
        rows = [_demand_row(row, ready.for_service(row.service.id)) for row in report.rows]
        fmt = options["format"]
        if fmt == "json":
            # The API's shape (GET /api/v1/reports/demand) plus indicator 2 (ADR 0512).
            document = {
                "year": report.year,
                "basis": report.basis,
                "legal_agency_total": report.legal_agency_total,
                "across_providers": report.across_providers,
                "preparedness_agency_total": ready.total,
                "rows": rows,
            }
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
        elif fmt == "csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=list(DEMAND_COLUMNS))
            writer.writeheader()
            writer.writerows(rows)
            self.stdout.write(buffer.getvalue(), ending="")
        else:
            self._demand_table(rows)
            self.stdout.write(
                f"year {report.year}, basis {basis}, {report.legal_agency_total} legal agencies "
                f"and {ready.total} preparedness agencies in the register"
            )

    def _demand_table(self, rows: list[dict[str, Any]]) -> None:
        width = max([len("service"), *(len(r["service_code"]) for r in rows)])
        head = ("requested", "connected", "connected_legal", "share_%", "preparedness", "share_%")
        self.stdout.write(f"{'service':<{width}}  " + "  ".join(f"{h:>15}" for h in head))
        for r in rows:
            values = (
                r["requested"],
                r["connected"],
                r["connected_legal"],
                r["coverage_pct"],
                r["preparedness_connected"],
                r["preparedness_pct"],
            )
            self.stdout.write(
                f"{r['service_code']:<{width}}  " + "  ".join(f"{v:>15}" for v in values)
            )


DEMAND_COLUMNS = (
    "service_code",
    "name_sv",
    "name_en",
    "requested",
    "connected",
    "requested_legal",
    "connected_legal",
    "coverage_pct",
    "preparedness_connected",
    "preparedness_pct",
    "provider",  # last: the columns before it kept their places when it came (SITSSAM)
)


def _demand_row(row: DemandRow, ready: PreparednessRow | None) -> dict[str, Any]:
    """One service: its code and both names, as the API gives them (issue 10 item 9)."""
    return {
        "service_code": row.service.code,
        "provider": row.service.provider.name,
        "name_sv": row.service.name_sv,
        "name_en": row.service.name_en,
        "requested": row.requested,
        "connected": row.connected,
        "requested_legal": row.requested_legal,
        "connected_legal": row.connected_legal,
        "coverage_pct": float(row.coverage_pct),
        "preparedness_connected": ready.connected if ready else 0,
        "preparedness_pct": float(ready.share_pct) if ready else 0.0,
    }
