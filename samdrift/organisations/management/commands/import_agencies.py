"""`samdrift import-agencies FILE.csv`: import the agency register: checked whole (nothing written
if any line is wrong), then written in short batches (ADR 0069)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samdrift.core.actor import SYSTEM
from samdrift.organisations.register_import import import_agencies, unfinished_import


class Command(BaseCommand):
    help = "Import or update agencies from a register CSV (name, org_number, parent, department…)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--confirm-parent-changes",
            action="store_true",
            help="Allow rows to move existing agencies under another parent.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as problem:
            raise CommandError(f"Kan inte läsa {path} / Cannot read {path}: {problem}") from problem
        pending = unfinished_import()
        if pending:
            self.stdout.write(
                f"En import som började {pending.started_at} avbröts; samma fil slutför den. / "
                f"An import started {pending.started_at} stopped before its end "
                f"(sha256 {pending.sha256[:12]}…, {pending.rows} rows); the same file completes it."
            )
        result = import_agencies(
            actor=SYSTEM, text=text, confirm_parent_changes=options["confirm_parent_changes"]
        )
        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"{path}:{error.line}: {error.sv} / {error.en}")
            raise CommandError(
                f"Inget importerades: {len(result.errors)} fel. / Nothing was imported: {len(result.errors)} error(s)."
            )
        self.stdout.write(
            f"Skapade {result.created}, uppdaterade {result.updated}, oförändrade {result.unchanged}. / "
            f"Created {result.created}, updated {result.updated}, unchanged {result.unchanged}."
        )
        if result.groups_created:
            self.stdout.write("Grupper / groups: " + ", ".join(result.groups_created))
