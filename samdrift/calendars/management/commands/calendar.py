"""`samdrift calendar …`: calendars from and to .ics files (issue 12).

samdrift calendar list --as USER                  the calendars USER reaches, with their ids
samdrift calendar import CALENDAR FILE --as USER  every event and task of FILE, all or nothing
samdrift calendar export CALENDAR --as USER [--out FILE]
                                                  the whole calendar as .ics (stdout without --out)
samdrift calendar mailgate < MESSAGE              one e-mail with a scheduling message (a reply,
                                                  counter, invitation or cancellation), as a mail
                                                  server's pipe transport hands it over (ADR 0644);
                                                  exit 65 for a message that is not one, 77 for a
                                                  sender who was not invited

USER must be a member who may write (import) or read (export) the calendar; the command runs on
the server, so the class's e-ID level is taken as met. Messages are in Swedish and English.
"""

from __future__ import annotations

import dataclasses
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samdrift.accounts.cli import actor_from_option
from samdrift.core.actor import Actor
from samdrift.core.exceptions import DomainError, PermissionDenied
from samdrift.core.i18n import bilingual_line

from ... import mailgate, selectors, services


class Command(BaseCommand):
    help = "Import and export SAFOS calendars as iCalendar (.ics) files."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list")
        listing.add_argument("--as", dest="username", required=True)
        load = sub.add_parser("import")
        load.add_argument("calendar", type=int)
        load.add_argument("file")
        load.add_argument("--as", dest="username", required=True)
        dump = sub.add_parser("export")
        dump.add_argument("calendar", type=int)
        dump.add_argument("--out", default=None)
        dump.add_argument("--as", dest="username", required=True)
        sub.add_parser("mailgate")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "mailgate":
            self._mailgate()
            return
        actor = dataclasses.replace(actor_from_option(options["username"]), loa_rank=3)
        try:
            getattr(self, f"_{options['action']}")(actor, options)
        except DomainError as error:
            raise CommandError(bilingual_line(error.message, error.params)) from error

    def _mailgate(self) -> None:
        raw = sys.stdin.buffer.read()
        try:
            outcome = mailgate.receive(raw)
        except PermissionDenied as error:
            raise CommandError(
                bilingual_line(error.message, error.params), returncode=77
            ) from error
        except DomainError as error:
            raise CommandError(
                bilingual_line(error.message, error.params), returncode=65
            ) from error
        self.stdout.write(f"{outcome.method} {outcome.uid}: {outcome.changed}")

    def _list(self, actor: Actor, options: dict[str, Any]) -> None:
        services.ensure_calendars(actor=actor)
        for access in selectors.calendars_for(actor=actor):
            mode = "rw" if access.abilities["write"] else "r"
            self.stdout.write(f"{access.calendar.id}\t{mode}\t{access.calendar.name}")

    def _import(self, actor: Actor, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"kan inte läsa / cannot read {path}: {error}") from error
        count = services.import_ics(actor=actor, calendar_id=options["calendar"], text=text)
        self.stdout.write(f"{count} poster importerades / {count} entries imported")

    def _export(self, actor: Actor, options: dict[str, Any]) -> None:
        access = selectors.calendar_get(actor=actor, calendar_id=options["calendar"])
        text = services.export_calendar(actor=actor, access=access)
        if options["out"]:
            Path(options["out"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
