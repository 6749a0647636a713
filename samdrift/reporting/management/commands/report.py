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
from samdrift.onboarding.selectors import demand_report
from samdrift.reporting.documents import render_document_html, render_pdf
from samdrift.reporting.selectors import check_year, government_report


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
        report = demand_report(
            actor=SYSTEM, year=check_year(options["year"]), basis=None if basis == "all" else basis
        )
        rows: list[dict[str, Any]] = [
            {
                "service": row.service.code,
                "requested": row.requested,
                "connected": row.connected,
                "connected_legal": row.connected_legal,
            }
            for row in report.rows
        ]
        fmt = options["format"]
        if fmt == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        elif fmt == "csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(
                buffer, fieldnames=["service", "requested", "connected", "connected_legal"]
            )
            writer.writeheader()
            writer.writerows(rows)
            self.stdout.write(buffer.getvalue(), ending="")
        else:
            header = ("service", "requested", "connected", "connected_legal")
            width = max([len(header[0]), *(len(r["service"]) for r in rows)])
            self.stdout.write(
                f"{header[0]:<{width}}  {header[1]:>9}  {header[2]:>9}  {header[3]:>15}"
            )
            for r in rows:
                self.stdout.write(
                    f"{r['service']:<{width}}  {r['requested']:>9}  {r['connected']:>9}  {r['connected_legal']:>15}"
                )
            self.stdout.write(
                f"year {report.year}, basis {basis}, {report.legal_agency_total} legal agencies in the register"
            )
