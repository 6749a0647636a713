"""`samdrift restore FILE [--passphrase-file F]`: bring a backup back onto an empty database and
empty storage (ADR 0900). The whole file is authenticated, its schema compared with this
samdrift's and its contents restored into a scratch database and compared before anything is
put in place; a refused restore changes nothing."""

from __future__ import annotations

import os
from argparse import ArgumentParser, FileType
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samdrift.core.exceptions import DomainError
from samdrift.core.i18n import bilingual_line

from ... import services


class Command(BaseCommand):
    help = "Restore a samdrift backup onto an empty database and empty file storage."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--passphrase-file", type=FileType("r"), default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            passphrase = services.read_passphrase(options["passphrase_file"], dict(os.environ))
            outcome = services.restore_backup(options["file"], passphrase)
        except DomainError as error:
            raise CommandError(bilingual_line(error.message, error.params)) from error
        # On record in the restored chain itself: which backup this database came from (ADR 0064).
        services.record_outcome("continuity.restored", outcome)
        self.stdout.write(
            f"restored: {outcome.path} {outcome.tables} tables, {outcome.rows} rows, "
            f"{outcome.files} files, {outcome.seconds:.1f} s"
        )
