"""`samdrift files sweep [--hours 24]`: delete stored objects no file row names (crash leftovers).
`samdrift files verify`: read every stored file and check its size and SHA-256."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samdrift.core.files.models import StoredFile
from samdrift.core.files.services import sweep_orphans, verify


class Command(BaseCommand):
    help = "Maintain the stored files: remove orphaned objects, verify checksums."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="Delete objects without a row, older than --hours.")
        sweep.add_argument("--hours", type=float, default=24, help="Older than this (24).")
        sub.add_parser("verify", help="Check every stored file against its SHA-256.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            gone = sweep_orphans(older_than=datetime.timedelta(hours=max(options["hours"], 0)))
            self.stdout.write(
                f"Removed {len(gone)} objects without a row / Tog bort {len(gone)} objekt utan rad"
            )
            return
        bad = [stored for stored in StoredFile.objects.iterator() if not verify(stored)]
        for stored in bad:
            self.stdout.write(f"{stored.id} {stored.key} {stored.name}")
        if bad:
            raise CommandError(
                f"{len(bad)} files do not match their checksum / "
                f"{len(bad)} filer stämmer inte med sin kontrollsumma"
            )
        self.stdout.write("Every stored file matches its checksum / Alla lagrade filer stämmer")
