"""`samdrift demo [--scale national] [--if-empty]`: load the demo data and print the logins."""

from __future__ import annotations

import importlib
import time
from typing import Any, TextIO, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from samdrift.accounts.demo import DEMO_USERS
from samdrift.demo.foundation import DEMO_PASSWORD, load_foundation
from samdrift.demo.national import load_national
from samdrift.organisations.models import Organisation

# Apps that add their own demo data after the foundation, in this order.
DEMO_HOOKS = (
    "identity",
    "efos",
    "billing",
    "reporting",
    "accessibility",
    "collaboration",
    "calendars",
    "coediting",
    "meetings",
    "operations",
    "security",
    "continuity",
    "cooperation",
)


class Command(BaseCommand):
    help = "Load the demo data (the source report's 2021 picture) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=["report", "national"],
            default="report",
            help="national: add 270,000 officials, 5,000 cases and 20,000 requests",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if agencies already exist"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if Organisation.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Demo data already loaded.")
                if options["scale"] != "national":
                    self._print_logins()
                    return
            elif options["scale"] != "national":
                raise CommandError(
                    "The database already has agencies. Use a new database for the demo."
                )
        else:
            loaded = load_foundation()
            self.stdout.write(
                f"Loaded {loaded.organisations} organisations, {loaded.services} services, {loaded.cases} cases, "
                f"{loaded.requests} requests, {loaded.subscriptions} subscriptions."
            )
            for app in DEMO_HOOKS:
                self._run_hook(app)
        if options["scale"] == "national":
            counts = load_national(stdout=cast(TextIO, self.stdout))
            self.stdout.write(", ".join(f"{value:,} {name}" for name, value in counts.items()))
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")
        self._print_logins()

    def _run_hook(self, app: str) -> None:
        try:
            module = importlib.import_module(f"samdrift.{app}.demo")
        except ModuleNotFoundError as error:
            if error.name != f"samdrift.{app}.demo":
                raise
            return
        module.load(stdout=self.stdout)

    def _print_logins(self) -> None:
        if not settings.SAMDRIFT_LOCAL_LOGIN:
            return
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for username, _first, _last, agency, _role, what in DEMO_USERS:
            self.stdout.write(f"  {username:<16} {agency:<28} {what}")
