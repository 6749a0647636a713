"""`samdrift operations incidents|clocks|legal|raci|capacity|holidays|recompute|monitoring-token|
mailgate`:
service operations from the shell.

Runs as the system actor (whoever runs commands on the server holds every right already);
`recompute` is what to run after a service's agreed hours change (ADR 0803).
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import DomainError, PermissionDenied
from samdrift.core.i18n import bilingual_line

from ... import capacity, intake, legal, legal_document, matrices, selectors, services
from ...calendars import swedish_holidays


class Command(BaseCommand):
    help = "Service operations: incidents, each agency's clocks, holidays, recompute."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        incidents = sub.add_parser("incidents", help="Incidents: id, state, priority, service.")
        incidents.add_argument("--state", default="")
        clocks = sub.add_parser("clocks", help="Every affected agency's clocks of an incident.")
        clocks.add_argument("incident", type=int)
        legal_ = sub.add_parser(
            "legal",
            help="An incident's legal reporting deadlines; with --key, that report as text or PDF.",
        )
        legal_.add_argument("incident", type=int)
        legal_.add_argument("--key", default="", help="e.g. cert-se/first")
        legal_.add_argument("--format", choices=["txt", "pdf"], default="txt")
        legal_.add_argument("--language", choices=["sv", "en"], default="sv")
        legal_.add_argument("--output", default="-", help="a file (default: standard output)")
        matrix = sub.add_parser(
            "raci",
            help="Responsibility matrices: list them, or enter a version from a file "
            "(function;role;party per line).",
        )
        matrix.add_argument("file", nargs="?", help="the version to enter ('-': standard input)")
        matrix.add_argument("--service", help="the service's code")
        matrix.add_argument("--name", help="the jointly delivered service's name")
        matrix.add_argument("--effective", help="the date it takes effect (YYYY-MM-DD)")
        matrix.add_argument("--publish", action="store_true", help="publish it if it is valid")
        figures = sub.add_parser(
            "capacity",
            help="Capacity figures: list them, or import a CSV file (service;figure;time;value).",
        )
        figures.add_argument("file", nargs="?", help="the export to import ('-': standard input)")
        holidays = sub.add_parser("holidays", help="Swedish public holidays of a year.")
        holidays.add_argument("year", type=int)
        recompute = sub.add_parser(
            "recompute", help="Replay the clocks of incidents reaching agencies via a service."
        )
        recompute.add_argument("service")
        token = sub.add_parser(
            "monitoring-token",
            help="A new bearer token for a provider's Alertmanager (printed once).",
        )
        token.add_argument("provider", type=int, help="The provider agency's id.")
        token.add_argument("name")
        gate = sub.add_parser(
            "mailgate",
            help="One e-mail (standard input) to a provider's intake address becomes an incident.",
        )
        gate.add_argument("--to", required=True, help="The address it was sent to.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['what'].replace('-', '_')}")(options)
        except DomainError as error:
            raise CommandError(bilingual_line(error.message, error.params)) from None

    def _mailgate(self, options: dict[str, Any]) -> None:
        """Exit 77 for a sender who may not report here (the mail server bounces it with the
        reason), 65 for a message that cannot become an incident."""
        try:
            incident = intake.receive(sys.stdin.buffer.read(), recipient=options["to"])
        except PermissionDenied as error:
            raise CommandError(bilingual_line(error.message, error.params), returncode=77) from None
        except DomainError as error:
            raise CommandError(bilingual_line(error.message, error.params), returncode=65) from None
        self.stdout.write(f"{incident.id}\t{incident.service.code}\t{incident.title}")

    def _incidents(self, options: dict[str, Any]) -> None:
        for i in selectors.incident_list(actor=SYSTEM, state=options["state"]):
            major = "major" if i.major else ""
            self.stdout.write(
                f"{i.id}\t{i.state}\tP{i.priority}\t{i.service.code}\t{major}\t{i.title}"
            )

    def _clocks(self, options: dict[str, Any]) -> None:
        incident = selectors.incident_get(actor=SYSTEM, incident_id=options["incident"])
        for row in selectors.clocks_for(actor=SYSTEM, incident=incident):
            self.stdout.write(
                f"{row.organisation.name}\t{row.support_hours}\t"
                f"response {row.response_status} {row.response_elapsed}/{row.response_target}s\t"
                f"resolution {row.resolution_status} "
                f"{row.resolution_elapsed}/{row.resolution_target}s"
            )

    def _legal(self, options: dict[str, Any]) -> None:
        incident = selectors.incident_get(actor=SYSTEM, incident_id=options["incident"])
        if not options["key"]:
            for row in legal.legal_rows(actor=SYSTEM, incident=incident):
                due = row.deadline.due_at.isoformat() if row.deadline.due_at else "-"
                met = row.deadline.met_at.isoformat() if row.deadline.met_at else "-"
                self.stdout.write(f"{row.key}\t{row.deadline.status}\tdue {due}\tmet {met}")
            return
        row = legal.legal_row(actor=SYSTEM, incident=incident, key=options["key"])
        language = options["language"]
        if options["format"] == "pdf":
            data = legal_document.render_pdf(SYSTEM, row, incident, language)
        else:
            data = legal_document.render_text(SYSTEM, row, incident, language).encode()
        if options["output"] == "-":
            sys.stdout.buffer.write(data)
        else:
            with open(options["output"], "wb") as out:
                out.write(data)

    def _raci(self, options: dict[str, Any]) -> None:
        if not options["file"]:
            for m in matrices.matrix_list(actor=SYSTEM):
                state = "published" if m.published_at else "draft"
                self.stdout.write(
                    f"{m.id}\t{m.service.code}\tv{m.version}\t{m.effective_from}\t{state}\t{m.name}"
                )
            return
        missing = [f"--{o}" for o in ("service", "name", "effective") if not options[o]]
        if missing:
            names = ", ".join(missing)
            raise CommandError(f"Ange {names}. / Give {names}.")
        source = options["file"]
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8-sig") as handle:
                text = handle.read()
        matrix = services.matrix_draft(
            actor=SYSTEM,
            service_code=options["service"],
            name=options["name"],
            effective_from=options["effective"],
            text=text,
        )
        if options["publish"]:
            services.matrix_publish(actor=SYSTEM, matrix_id=matrix.pk)
        self.stdout.write(f"{matrix.pk}\tv{matrix.version}")

    def _capacity(self, options: dict[str, Any]) -> None:
        if options["file"]:
            source = options["file"]
            if source == "-":
                text = sys.stdin.read()
            else:
                with open(source, encoding="utf-8-sig") as handle:
                    text = handle.read()
            self.stdout.write(f"{services.capacity_import(actor=SYSTEM, text=text)}")
            return
        for row in capacity.capacity_overview(actor=SYSTEM):
            f = row.figures
            self.stdout.write(
                f"{row.metric.service.code}\t{row.metric.kind}\tlatest {f.latest}\t"
                f"peak30 {f.peak_30d}\tcapacity {f.capacity}\theadroom {f.headroom}"
            )

    def _holidays(self, options: dict[str, Any]) -> None:
        for day, name in sorted(swedish_holidays(options["year"]).items()):
            self.stdout.write(f"{day.isoformat()}\t{name}")

    def _recompute(self, options: dict[str, Any]) -> None:
        count = services.recompute_service(actor=SYSTEM, service_code=options["service"])
        self.stdout.write(f"{count}")

    def _monitoring_token(self, options: dict[str, Any]) -> None:
        _token, secret = services.monitoring_token_create(
            actor=SYSTEM, provider_id=options["provider"], name=options["name"]
        )
        self.stdout.write(secret)
