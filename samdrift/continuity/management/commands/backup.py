"""`samdrift backup …`: one sealed backup of everything samdrift keeps (ADR 0900).

samdrift backup create FILE [--passphrase-file F]   write the backup (never over an existing file)
samdrift backup verify FILE [--passphrase-file F]   restore into a scratch database and compare
                                                    every table and file by checksum; exit 1 if any differs
samdrift backup drill [FOLDER] [--passphrase-file F] a restore drill of the newest backup in FOLDER
                                                    (default SAMDRIFT_BACKUP_DIR): recorded, and every
                                                    service's RPO/RTO target against it; exit 1 if failed
samdrift backup agency ORGNR FILE [--passphrase-file F] one agency's data alone (rows and files),
                                                    sealed the same way, e.g. for an agency that leaves
samdrift backup pitr configure CONFIG --repo DIR --pg-data DIR [--pg-port N] [--pg-socket DIR]
                    [--os-user postgres] [--rpo-seconds 60]
                                                    write pgBackRest's configuration (never over a file)
                                                    and print the PostgreSQL settings that archive WAL
samdrift backup pitr base|status [--config F]       a base backup; what is restorable and the achieved RPO
samdrift backup pitr restore --to MOMENT --into DIR [--config F]
                                                    the cluster as it was at MOMENT (ISO 8601 with its
                                                    time zone) into an empty data directory
Point-in-time recovery needs PostgreSQL and pgBackRest (ADR 0974); --config defaults to
SAMDRIFT_PITR_CONFIG, the user pgBackRest runs as to SAMDRIFT_PITR_OS_USER.
The passphrase comes from the file's first line or SAMDRIFT_BACKUP_PASSPHRASE, never an argument.
"""

from __future__ import annotations

import os
from argparse import ArgumentParser, FileType
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samdrift.core.exceptions import DomainError
from samdrift.core.i18n import bilingual_line

from ... import drills, services
from ...agency_export import export_agency, organisation_id_for
from ...pitr_cli import pitr_arguments, pitr_command


class Command(BaseCommand):
    help = "Back up everything samdrift keeps into one sealed file, or verify such a file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("create", "write a sealed backup to FILE"),
            ("verify", "restore FILE into a scratch database and compare everything"),
        ):
            command = sub.add_parser(name, help=text)
            command.add_argument("file", type=Path)
            command.add_argument("--passphrase-file", type=FileType("r"), default=None)
        agency = sub.add_parser("agency", help="one agency's data alone, sealed, to FILE")
        agency.add_argument("org_number")
        agency.add_argument("file", type=Path)
        agency.add_argument("--passphrase-file", type=FileType("r"), default=None)
        pitr_arguments(sub.add_parser("pitr", help="point-in-time recovery with pgBackRest"))
        drill = sub.add_parser("drill", help="restore drill of the newest backup in a folder")
        drill.add_argument("folder", type=Path, nargs="?", default=None)
        drill.add_argument("--passphrase-file", type=FileType("r"), default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "pitr":
            try:
                for line in pitr_command(options):
                    self.stdout.write(line)
            except DomainError as error:
                raise CommandError(bilingual_line(error.message, error.params)) from error
            return
        if options["action"] == "drill":
            self._drill(options)
            return
        if options["action"] == "agency":
            self._agency(options)
            return
        try:
            passphrase = services.read_passphrase(options["passphrase_file"], dict(os.environ))
            if options["action"] == "create":
                outcome = services.create_backup(
                    options["file"], passphrase, on_progress=lambda text: self.stderr.write(text)
                )
                services.record_outcome("continuity.backup_created", outcome)
            else:
                outcome = services.verify_backup(options["file"], passphrase)
        except DomainError as error:
            raise CommandError(bilingual_line(error.message, error.params)) from error
        for problem in outcome.problems:
            self.stderr.write(f"DIFFERS / SKILJER SIG: {problem}")
        self.stdout.write(
            f"{options['action']}: {outcome.path} {outcome.bytes} bytes, {outcome.tables} tables, "
            f"{outcome.rows} rows, {outcome.files} files, {outcome.seconds:.1f} s"
        )
        if outcome.problems:
            raise SystemExit(1)

    def _agency(self, options: dict[str, Any]) -> None:
        try:
            passphrase = services.read_passphrase(options["passphrase_file"], dict(os.environ))
            made = export_agency(
                organisation_id_for(options["org_number"]), options["file"], passphrase
            )
        except DomainError as error:
            raise CommandError(bilingual_line(error.message, error.params)) from error
        self.stdout.write(
            f"agency: {made.path} {made.bytes} bytes, {len(made.models)} tables, {made.rows} rows, "
            f"{made.files} files, {made.seconds:.1f} s"
        )

    def _drill(self, options: dict[str, Any]) -> None:
        folder = options["folder"] or drills.backup_dir()
        if folder is None:
            raise CommandError(
                "ange en mapp eller SAMDRIFT_BACKUP_DIR / give a folder or SAMDRIFT_BACKUP_DIR"
            )
        try:
            passphrase = services.read_passphrase(options["passphrase_file"], dict(os.environ))
            drill = drills.run_drill(folder, passphrase)
        except DomainError as error:
            raise CommandError(bilingual_line(error.message, error.params)) from error
        rpo = "-" if drill.rpo_seconds is None else f"{drill.rpo_seconds / 3600:.1f} h"
        verdict = "OK" if drill.succeeded else "FAILED / MISSLYCKADES"
        self.stdout.write(
            f"drill {verdict}: {drill.backup_name}, achieved RPO {rpo}, "
            f"RTO {drill.rto_seconds / 60:.1f} min, {drill.tables} tables, {drill.files} files"
        )
        for problem in drill.problems:
            self.stderr.write(f"  {problem}")
        for row in drills.verdicts(drill):
            marks = ["met" if met else "NOT met" for met in (row.rpo_met, row.rto_met)]
            self.stdout.write(
                f"  {row.code}: RPO {row.rpo_hours} h {marks[0]}, RTO {row.rto_hours} h {marks[1]}"
            )
        if not drill.succeeded:
            raise SystemExit(1)
