"""`samdrift audit …`: the audit chain from the command line.

samdrift audit verify [--checkpoints DIR]     exit 0 if the chain holds, 1 and the first broken link
samdrift audit checkpoint [--checkpoints DIR] anchor the head outside the database (signed, stamped)
samdrift audit prune-security-log [--days N]  forget refused anonymous calls past their retention
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samdrift.audit.checkpoints import ChainBroken, verify, write_checkpoint
from samdrift.audit.services import prune_security_log


class Command(BaseCommand):
    help = "Audit chain: verify it, anchor its head in a checkpoint, prune the security log."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("verify", "verify every event and the chain against its checkpoints"),
            ("checkpoint", "write a signed, time-stamped checkpoint of the head"),
        ):
            command = sub.add_parser(name, help=text)
            command.add_argument("--checkpoints", default=None, help="checkpoint directory")
        prune = sub.add_parser("prune-security-log", help="forget old security-log rows")
        prune.add_argument("--days", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["checkpoints"]) if options.get("checkpoints") else None
        if options["action"] == "verify":
            self._verify(directory)
        elif options["action"] == "checkpoint":
            try:
                checkpoint = write_checkpoint(directory)
            except ChainBroken as exc:
                raise CommandError(f"no checkpoint written: {exc} / ingen kontrollpunkt") from exc
            signer = checkpoint.document.get("anchor", {}).get("signer", "unsigned / osignerad")
            self.stdout.write(
                f"checkpoint {checkpoint.path}: event {checkpoint.event_id}, "
                f"{checkpoint.count} events, hash {checkpoint.hash}, signer {signer}"
            )
        else:
            deleted = prune_security_log(older_than_days=options["days"])
            self.stdout.write(f"security log: {deleted} rows removed / rader borttagna")

    def _verify(self, directory: Path | None) -> None:
        verdict = verify(directory)
        if not verdict.intact:
            where = f"event {verdict.broken_at}: " if verdict.broken_at else ""
            self.stderr.write(f"BROKEN / BRUTEN: {where}{verdict.problem}")
            raise SystemExit(1)
        latest = verdict.anchors[-1] if verdict.anchors else None
        anchored = (
            f", latest signed by {latest.signed_by}, time-stamped {latest.timestamp}"
            if latest
            else ""
        )
        self.stdout.write(
            f"OK: {verdict.events} events, chain intact, "
            f"{verdict.checkpoints} checkpoints hold{anchored}"
        )
