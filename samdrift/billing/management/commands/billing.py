"""`samdrift billing run|close|report|export-ubl|import-costs|import-usage|validate-ubl|…`.

    samdrift billing run --period 2024-01 [--finalise]      the provider's drafts, or finalised
    samdrift billing run --year 2024 --finalise            the twelve months in order
    samdrift billing close --year 2024 [--fee-area CODE]   year-end close (idempotent)
    samdrift billing report --year 2024 --format table|csv|json
    samdrift billing fee-areas                              the provider's fee areas
    samdrift billing fee-area-create --code CODE --name-sv NAMN --name-en NAME [--segment core]
    samdrift billing bill-service --fee-area CODE --service CODE [--unit-code C62]
    samdrift billing allocate --year 2024                   the provider's allocation run
    samdrift billing export-ubl --period 2024-01 --out DIR  one validated UBL file per document
    samdrift billing correct --invoice F0000012 [--text "line 1=…"] [--dry-run]
        credit an invoice with unreadable text in full and issue a clean replacement (ADR 0217)

Runs as the system actor unless `--as USERNAME` names a finance user. Each provider agency has
its own fee model (ADR 0664) and its own monthly runs (ADR 0668): run, close, report,
import-costs, allocate and the fee-area actions act on `--provider ID`'s, else on the actor's
first (the default provider first). Errors are
printed in Swedish and English and the exit status is 1; nothing partial is written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samdrift.accounts.cli import actor_from_option, add_as_option
from samdrift.billing import documents, exports, selectors, services
from samdrift.billing.choices import EXCLUDED_SEGMENTS
from samdrift.billing.documents import invoice_ubl
from samdrift.billing.periods import label, months_of, parse_period
from samdrift.billing.schematron import fatal_errors
from samdrift.core.actor import Actor
from samdrift.core.exceptions import DomainError, ValidationFailed
from samdrift.core.i18n import bilingual_line


class Command(BaseCommand):
    help = "Invoice runs, year-end close, the outcome report and Peppol UBL export."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=[
                "run",
                "close",
                "report",
                "export-ubl",
                "import-costs",
                "import-usage",
                "correct",
                "fee-areas",
                "fee-area-create",
                "bill-service",
                "allocate",
            ],
        )
        parser.add_argument(
            "--provider",
            type=int,
            help="the provider agency (id) whose fee model or runs; the actor's first when left out",
        )
        parser.add_argument("--code", help="fee-area-create: the new fee area's code")
        parser.add_argument("--name-sv", dest="name_sv", help="fee-area-create: Swedish name")
        parser.add_argument("--name-en", dest="name_en", help="fee-area-create: English name")
        parser.add_argument("--segment", default="core", help="fee-area-create, allocate")
        parser.add_argument("--service", help="bill-service: the service's code")
        parser.add_argument("--unit-code", dest="unit_code", default="C62")
        parser.add_argument("file", nargs="?", help="CSV file for import-costs / import-usage")
        parser.add_argument("--period", help="YYYY-MM")
        parser.add_argument("--year", type=int)
        parser.add_argument("--finalise", "--finalize", action="store_true", dest="finalise")
        parser.add_argument("--fee-area", dest="fee_area")
        parser.add_argument("--recovery-years", type=int, dest="recovery_years")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
        parser.add_argument(
            "--all-areas",
            action="store_true",
            help="report: every fee area, EFOS, SITSSAM and Program 2032 included (ADR 0210)",
        )
        parser.add_argument("--out", help="directory for export-ubl")
        parser.add_argument(
            "--late",
            choices=["reject", "adjust"],
            default="reject",
            help="usage for an invoiced month: refuse it, or bill it next month",
        )
        parser.add_argument("--invoice", help="correct: the invoice's number (or id)")
        parser.add_argument(
            "--text",
            action="append",
            default=[],
            help='correct: FIELD=VALUE replacing a suggested text, e.g. "line 1=Arbetsplats"',
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="correct: print the suggested texts only"
        )
        add_as_option(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_option(options["username"])
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(actor, options)
        except DomainError as error:
            detail = ""
            if isinstance(error, ValidationFailed) and error.errors:
                detail = "\n" + "\n".join(
                    f"  {key}: {'; '.join(map(str, values))}"
                    for key, values in error.errors.items()
                )
            raise CommandError(
                bilingual_line(error.message, error.params or None) + detail
            ) from None

    def _progress(self, message: str) -> None:
        self.stderr.write(message)
        self.stderr.flush()

    def _periods(self, options: dict[str, Any]) -> list[Any]:
        if options.get("period"):
            try:
                return [parse_period(options["period"])]
            except ValueError:
                raise CommandError("--period ska vara ÅÅÅÅ-MM / --period must be YYYY-MM") from None
        if options.get("year"):
            return months_of(options["year"])
        raise CommandError("ange --period eller --year / give --period or --year")

    def _correct(self, actor: Actor, options: dict[str, Any]) -> None:
        if not options.get("invoice"):
            raise CommandError("ange --invoice / give --invoice")
        invoice = selectors.invoice_by_number_or_id(actor=actor, reference=options["invoice"])
        texts = {}
        for item in options["text"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError("--text ska vara FÄLT=VÄRDE / --text must be FIELD=VALUE")
            texts[name.strip()] = value
        if options["dry_run"]:
            unreadable = documents.unreadable_text(invoice)
            self.stdout.write(f"{invoice.number} unreadable: {', '.join(unreadable) or '-'}")
            for name, value in {**services.suggested_texts(invoice), **texts}.items():
                self.stdout.write(f"  {name}={value}")
            return
        note, replacement = services.correct_unreadable_invoice(
            actor=actor, invoice_id=invoice.pk, texts=texts or None
        )
        self.stdout.write(
            f"{invoice.number} credited by {note.number}, replaced by {replacement.number}"
        )

    def _run(self, actor: Actor, options: dict[str, Any]) -> None:
        periods = self._periods(options)
        for index, period in enumerate(periods, start=1):
            prefix = f"[{index}/{len(periods)}] "

            def progress(message: str, prefix: str = prefix) -> None:
                self._progress(prefix + message)

            outcome = services.run_period(
                actor=actor,
                period=period,
                finalise=options["finalise"],
                progress=progress,
                provider_id=options.get("provider"),
            )
            for warning in outcome.warnings:
                self._progress(f"  varning / warning: {warning}")
            self.stdout.write(
                f"{label(period)} {outcome.run.status} invoices={outcome.invoices} "
                f"{'unchanged' if outcome.unchanged else 'written'}"
            )

    def _close(self, actor: Actor, options: dict[str, Any]) -> None:
        if not options.get("year"):
            raise CommandError("ange --year / give --year")
        closes = services.close_year(
            actor=actor,
            year=options["year"],
            fee_area_code=options.get("fee_area"),
            recovery_years=options.get("recovery_years"),
            progress=self._progress,
            provider_id=options.get("provider"),
        )
        for close in closes:
            figures = close.figures
            self.stdout.write(
                f"{close.fee_area.code} {close.year} closed: result={figures.get('result_ore', 0)} öre "
                f"accumulated={figures.get('accumulated_ore', 0)} öre surplus_flag={close.surplus_flag} "
                f"deficit_alert={close.deficit_alert}"
            )

    def _report(self, actor: Actor, options: dict[str, Any]) -> None:
        everything = tuple(EXCLUDED_SEGMENTS) if options.get("all_areas") else ()
        records = exports.report_records(
            selectors.outcome_report(
                actor=actor,
                year=options.get("year"),
                include_segments=everything,
                provider_id=options.get("provider"),
            )
        )
        if options["format"] == "csv":
            self.stdout.write(exports.to_csv(exports.REPORT_HEADERS, records), ending="")
        elif options["format"] == "json":
            self.stdout.write(exports.to_json(records), ending="")
        else:
            self.stdout.write(exports.to_table(records), ending="")

    def _export_ubl(self, actor: Actor, options: dict[str, Any]) -> None:
        if not options.get("out"):
            raise CommandError("ange --out KATALOG / give --out DIR")
        (period,) = self._periods({"period": options.get("period")})
        out = Path(options["out"])
        documents = list(
            selectors.invoice_list(actor=actor, period=period, status="finalised").order_by(
                "number"
            )
        )
        rendered = {document.number: invoice_ubl(document) for document in documents}
        problems = []
        for document in documents:  # every document is validated before anything is written (I-10)
            errors = fatal_errors(rendered[document.number])
            if errors:
                problems.append(f"{document.number}: {', '.join(e.rule_id for e in errors)}")
        if problems:
            raise CommandError(
                "UBL klarar inte valideringen / UBL fails validation:\n" + "\n".join(problems)
            )
        out.mkdir(parents=True, exist_ok=True)
        for index, document in enumerate(documents, start=1):
            (out / f"{document.number}.xml").write_bytes(rendered[document.number])
            if index % 50 == 0:
                self._progress(f"{index}/{len(documents)}")
        self.stdout.write(f"{len(documents)} UBL files in {out}")

    def _import_costs(self, actor: Actor, options: dict[str, Any]) -> None:
        result = services.import_costs_csv(
            actor=actor, text=self._file(options), provider_id=options.get("provider")
        )
        self.stdout.write(f"created={result.created} unchanged={result.unchanged}")

    def _import_usage(self, actor: Actor, options: dict[str, Any]) -> None:
        result = services.import_usage_csv(
            actor=actor, text=self._file(options), late=options["late"]
        )
        self.stdout.write(
            f"created={result.created} unchanged={result.unchanged} adjustments={result.adjustments}"
        )

    def _fee_areas(self, actor: Actor, options: dict[str, Any]) -> None:
        areas = list(selectors.fee_area_list(actor=actor, provider_id=options.get("provider")))
        billed = selectors.billed_codes(fee_area_ids=[area.pk for area in areas])
        for area in areas:
            self.stdout.write(
                f"{area.code} ({area.segment}) {area.name_sv} / {area.name_en}: "
                f"{', '.join(billed.get(area.pk, [])) or '-'}"
            )

    def _fee_area_create(self, actor: Actor, options: dict[str, Any]) -> None:
        area = services.create_fee_area(
            actor=actor,
            code=options.get("code") or "",
            name_sv=options.get("name_sv") or "",
            name_en=options.get("name_en") or "",
            segment=options["segment"],
            recovery_years=options.get("recovery_years") or 3,
            provider_id=options.get("provider"),
        )
        self.stdout.write(f"{area.code} created (id {area.pk})")

    def _bill_service(self, actor: Actor, options: dict[str, Any]) -> None:
        if not options.get("fee_area") or not options.get("service"):
            raise CommandError("ange --fee-area och --service / give --fee-area and --service")
        # The code names a fee area of the provider: unique within it, not across providers.
        area = (
            selectors.fee_area_list(actor=actor, provider_id=options.get("provider"))
            .filter(code=options["fee_area"])
            .first()
        )
        if area is None:
            raise CommandError(
                f"okänt avgiftsområde {options['fee_area']} / unknown fee area {options['fee_area']}"
            )
        billed = services.bill_service(
            actor=actor,
            fee_area_id=area.pk,
            service_code=options["service"],
            unit_code=options["unit_code"],
        )
        self.stdout.write(f"{billed.service.code} billed in {area.code}")

    def _allocate(self, actor: Actor, options: dict[str, Any]) -> None:
        if not options.get("year"):
            raise CommandError("ange --year / give --year")
        run = services.run_allocation(
            actor=actor,
            year=options["year"],
            segment=options["segment"],
            provider_id=options.get("provider"),
        )
        self.stdout.write(f"{run.year} allocated: run {run.pk} inputs {run.input_hash[:12]}")

    def _file(self, options: dict[str, Any]) -> str:
        if not options.get("file"):
            raise CommandError("ange en CSV-fil / give a CSV file")
        if options["file"] == "-":
            return sys.stdin.read()
        return Path(options["file"]).read_text(encoding="utf-8")
