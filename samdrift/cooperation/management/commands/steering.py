"""`samdrift steering …`: the steering group decisions of the cooperating provider agencies
(SITSSAM, Program 2032, DSAM; ADR 0972).

samdrift steering list [--as USER]
    the decisions binding the user's provider agencies (every decision, as the system)
samdrift steering record --for ORGNR --reference REF --date YYYY-MM-DD --title T --text T
                         [--body sitssam|program_2032|dsam] [--bind ORGNR …] [--as USER]
    record a decision for the provider agency ORGNR (its administrator, or the system)

Messages are in Swedish and English.
"""

from __future__ import annotations

import datetime
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samdrift.accounts.cli import actor_from_option, add_as_option
from samdrift.core.actor import Actor
from samdrift.core.exceptions import DomainError
from samdrift.core.i18n import bilingual_line
from samdrift.organisations.selectors import agencies_with_org_number

from ... import selectors, services
from ...choices import SteeringBody


class Command(BaseCommand):
    help = "List and record steering group decisions."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="the decisions binding your provider agencies")
        record = sub.add_parser("record", help="record a decision")
        record.add_argument("--for", dest="recorded_for", required=True, help="org. number")
        record.add_argument("--body", default=SteeringBody.SITSSAM, choices=SteeringBody.values)
        record.add_argument("--reference", required=True)
        record.add_argument("--date", required=True, help="YYYY-MM-DD")
        record.add_argument("--title", required=True)
        record.add_argument("--text", required=True)
        record.add_argument("--bind", nargs="*", default=[], help="org. numbers of agencies bound")
        for command in (listing, record):
            add_as_option(command)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_option(options["username"])
        try:
            if options["action"] == "list":
                self._list(actor)
            else:
                self._record(actor, options)
        except DomainError as error:
            raise CommandError(bilingual_line(error.message, error.params)) from error

    def _list(self, actor: Actor) -> None:
        for d in selectors.decision_list(actor=actor):
            bound = ", ".join(sorted(p.name for p in d.providers.all()))
            self.stdout.write(f"{d.decided_on:%Y-%m-%d}  {d.reference}  {d.title}  ({bound})")

    def _record(self, actor: Actor, options: dict[str, Any]) -> None:
        try:
            decided_on = datetime.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError(
                f"ogiltigt datum / invalid date: {options['date']} (YYYY-MM-DD)"
            ) from None
        numbers = [options["recorded_for"], *options["bind"]]
        ids = dict(agencies_with_org_number(numbers).values_list("org_number", "id"))
        missing = [n for n in numbers if n not in ids]
        if missing:
            raise CommandError(f"okänd myndighet / unknown agency: {', '.join(missing)}")
        decision = services.decision_record(
            actor=actor, recorded_for=ids[options["recorded_for"]], body=options["body"],
            reference=options["reference"], decided_on=decided_on, title=options["title"],
            text=options["text"], provider_ids=[ids[n] for n in options["bind"]],
        )  # fmt: skip
        self.stdout.write(f"beslut / decision {decision.reference}: {decision.pk}")
