"""`samdrift dsam …`: DSAM requirement catalogues and evaluation reports (ADR 0963).

samdrift dsam import FILE [--code C] [--name N] [--owner ORGNR] [--as USER]
    import a catalogue from .csv or .json; every problem is named by row, nothing is stored
samdrift dsam report EVALUATION [--pdf OUT] [--language sv|en] [--as USER]
    the first screening and the scores as text, or the accessible PDF report to OUT

Without --as the command acts as the system (then --owner names the keeping provider agency).
Messages are in Swedish and English.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from samdrift.accounts.cli import actor_from_option, add_as_option
from samdrift.core.actor import Actor
from samdrift.core.exceptions import DomainError, ValidationFailed
from samdrift.core.i18n import bilingual_line
from samdrift.organisations.selectors import agencies_with_org_number

from ... import selectors, services
from ...parsing import Parsed, parse_catalogue
from ...permissions import editor_org_ids


class Command(BaseCommand):
    help = "Import DSAM requirement catalogues and report evaluations."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a requirement catalogue (.csv or .json)")
        imp.add_argument("file")
        imp.add_argument("--code", default="")
        imp.add_argument("--name", default="")
        imp.add_argument("--owner", default="", help="the keeping provider agency's org. number")
        report = sub.add_parser("report", help="the first screening and scores of an evaluation")
        report.add_argument("evaluation")
        report.add_argument("--pdf", default="", help="write the accessible PDF report here")
        report.add_argument("--language", default="sv", choices=["sv", "en"])
        for command in (imp, report):
            add_as_option(command)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_option(options["username"])
        try:
            if options["action"] == "import":
                self._import(actor, options)
            else:
                self._report(actor, options)
        except DomainError as error:
            raise CommandError(bilingual_line(error.message, error.params)) from error

    def _parse(self, path: Path) -> Parsed:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"kan inte läsa / cannot read {path}: {error.strerror}") from None
        fmt = path.suffix.lower().lstrip(".")
        try:
            return parse_catalogue(data, fmt)
        except ValidationFailed:
            problems = {}
            for language in ("sv", "en"):
                with translation.override(language):
                    try:
                        parse_catalogue(data, fmt)
                    except ValidationFailed as refused:
                        problems[language] = refused.errors["rows"]
            for sv, en in zip(problems["sv"], problems["en"], strict=True):
                self.stderr.write(f"{sv} / {en}")
            raise CommandError(
                f"Kravkatalogen importerades inte ({len(problems['en'])} fel) / "
                f"The requirement catalogue was not imported ({len(problems['en'])} problems)."
            ) from None

    def _import(self, actor: Actor, options: dict[str, Any]) -> None:
        parsed = self._parse(Path(options["file"]))
        if options["owner"]:
            owner = (
                agencies_with_org_number([options["owner"]]).values_list("id", flat=True).first()
            )
            if owner is None:
                raise CommandError(f"okänd myndighet / unknown agency: {options['owner']}")
        else:
            owners = editor_org_ids(actor)
            if not owners:
                raise CommandError("ange --owner ORGNR / give --owner ORGNR")
            owner = owners[0]
        catalogue = services.import_catalogue(
            actor=actor, owner_id=owner, parsed=parsed, code=options["code"], name=options["name"]
        )
        self.stdout.write(f"{catalogue.code}: {len(parsed.rows)} krav / requirements")

    def _report(self, actor: Actor, options: dict[str, Any]) -> None:
        table = selectors.comparison(actor=actor, code=options["evaluation"])
        if options["pdf"]:
            from ...report import render_report

            Path(options["pdf"]).write_bytes(render_report(table, options["language"]))
            self.stdout.write(options["pdf"])
            return
        self.stdout.write(f"{table.evaluation.code} {table.evaluation.title}")
        for rank, result in enumerate(table.results, start=1):
            score = "–" if result.score is None else f"{result.score} %"
            if result.passed:
                verdict = "godkänd i första gallringen / passed the first screening"
            else:
                failed = ", ".join(f.ref for f in result.failed)
                verdict = f"utesluten / out: {failed}"
            self.stdout.write(f"{rank}. {result.name}: {score}; {verdict}")
