"""`samdrift security …`: register components and import scanner reports (ADR 0951).

samdrift security component NAME --kind image|library|application|host --service CODE …
                           [--version V] [--purl P] [--as USER]
samdrift security import FILE --component NAME [--as USER]
samdrift security status [--component NAME] [--as USER]   open findings by severity
samdrift security kev FILE [--as USER]     CISA's KEV catalogue (known_exploited_vulnerabilities.json)
samdrift security epss FILE [--as USER]    FIRST's EPSS scores (epss_scores-….csv.gz or .csv)
samdrift security advisories [--publish VULN --title T --summary S] [--csaf ID] [--as USER]

Without --as the command acts as the system. Refusals are printed in Swedish and English and
change nothing.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samdrift.accounts.cli import actor_from_option, add_as_option
from samdrift.core.actor import Actor
from samdrift.core.exceptions import DomainError
from samdrift.core.i18n import bilingual_line

from ... import selectors, services
from ...advisories import advisory_publish
from ...choices import SEVERITY_ORDER, FindingStatus


class Command(BaseCommand):
    help = "Register components, import scanner reports and show open findings."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        component = sub.add_parser("component", help="register a component")
        component.add_argument("name")
        component.add_argument("--kind", required=True)
        component.add_argument("--service", dest="services", action="append", default=[])
        component.add_argument("--version", dest="component_version", default="")
        component.add_argument("--purl", default="")
        report = sub.add_parser("import", help="import a scanner report for a component")
        report.add_argument("file")
        report.add_argument("--component", required=True)
        status = sub.add_parser("status", help="open findings by severity")
        status.add_argument("--component", default="")
        kev = sub.add_parser("kev", help="replace CISA's Known Exploited Vulnerabilities")
        kev.add_argument("file")
        epss = sub.add_parser("epss", help="replace FIRST's EPSS scores")
        epss.add_argument("file")
        advisories = sub.add_parser(
            "advisories", help="list advisories, or publish one with --publish VULNERABILITY"
        )
        advisories.add_argument("--publish", default="", metavar="VULNERABILITY")
        advisories.add_argument("--title", default="")
        advisories.add_argument("--summary", default="")
        advisories.add_argument("--csaf", type=int, default=None, metavar="ID",
                                help="print the CSAF 2.0 document of advisory ID")  # fmt: skip
        for command in (component, report, status, kev, epss, advisories):
            add_as_option(command)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_option(options["username"])
        try:
            action = options["action"]
            if action == "component":
                made = services.component_register(
                    actor=actor, name=options["name"], kind=options["kind"],
                    service_codes=options["services"], version=options["component_version"],
                    purl=options["purl"],
                )  # fmt: skip
                self.stdout.write(f"component / komponent: {made.name}")
            elif action == "import":
                self._import(actor, options["file"], options["component"])
            elif action in ("kev", "epss"):
                feed = services.import_kev if action == "kev" else services.import_epss
                count = feed(actor=actor, data=_read(options["file"]))
                self.stdout.write(f"{action}: {count} imported / importerade")
            elif action == "advisories":
                self._advisories(actor, options)
            else:
                self._status(actor, options["component"])
        except DomainError as error:
            raise CommandError(bilingual_line(error.message, error.params)) from error

    def _import(self, actor: Actor, file: str, component: str) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"filen finns inte / no such file: {file}")
        outcome = services.import_report(actor=actor, component_name=component, path=path)
        run = outcome.run
        if outcome.already_imported:
            self.stdout.write(
                f"already imported / redan importerad: {run.tool} {run.imported_at:%Y-%m-%d %H:%M}"
            )
            return
        self.stdout.write(
            f"{run.get_report_format_display()} ({run.tool}): {outcome.reported} reported / "
            f"rapporterade, {outcome.created} new / nya, {outcome.updated} updated / "
            f"uppdaterade, {outcome.fixed} fixed / åtgärdade"
        )

    def _advisories(self, actor: Actor, options: dict[str, Any]) -> None:
        if options["publish"]:
            published = advisory_publish(
                actor=actor, vulnerability_id=options["publish"], title=options["title"],
                summary=options["summary"],
            )  # fmt: skip
            self.stdout.write(
                f"{published.advisory.vulnerability_id} version {published.advisory.revision}: "
                f"{len(published.agencies)} agencies / myndigheter, {published.told} told / "
                f"underrättade"
            )
            return
        if options["csaf"] is not None:
            copy = selectors.advisory_copy(actor=actor, advisory_id=options["csaf"])
            self.stdout.write(json.dumps(copy.document, ensure_ascii=False, indent=2))
            return
        for advisory in selectors.advisory_list(actor=actor).order_by("-published_at", "-id"):
            self.stdout.write(
                f"{advisory.id}\t{advisory.vulnerability_id}\t{advisory.severity}\t"
                f"v{advisory.revision}\t{advisory.published_at:%Y-%m-%d}\t{advisory.title}"
            )

    def _status(self, actor: Actor, component: str) -> None:
        findings = selectors.finding_list(
            actor=actor, status=FindingStatus.OPEN, component=component
        )
        counts = Counter(findings.values_list("severity", flat=True))
        for severity in SEVERITY_ORDER:
            self.stdout.write(f"{severity}: {counts.get(severity, 0)}")
        self.stdout.write(f"open / öppna: {sum(counts.values())}")


def _read(file: str) -> bytes:
    path = Path(file)
    if not path.is_file():
        raise CommandError(f"filen finns inte / no such file: {file}")
    return path.read_bytes()
