"""`samdrift chat …`: the Matrix homeserver behind SAFOS chat and its rooms (issue 13, ADR 0650).

samdrift chat start [--port N]   generate the configuration, start Synapse in the background (and
                                 its workers, CHAT_WORKERS; on PostgreSQL its database is made
                                 when missing, ADR 0667)
samdrift chat serve [--port N]   the same, in the foreground; Ctrl-C stops it (used by `make run`)
samdrift chat stop               stop the Synapse this data folder started, and its workers
samdrift chat status             whether it and each worker answer, its version, the rooms
samdrift chat config             (re)write homeserver.yaml and the registration, print the path
samdrift chat provision [WORKSPACE …] [--all]
                                 bring rooms in line with their workspaces now (as the system)
samdrift chat export WORKSPACE --out FILE [--pdf sv|en] [--as USER]
                                 the room's history for the archive: FILE (JSON) and FILE.sha256
samdrift chat purge              archive, then purge, what has passed its retention (ADR 0655)
samdrift chat hold WORKSPACE (--reason TEXT | --release) [--as USER]
                                 set or lift the room's legal hold

Messages are in Swedish and English.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samdrift.accounts.cli import actor_from_option, add_as_option
from samdrift.core.engines import serve_in_foreground
from samdrift.core.exceptions import DomainError
from samdrift.core.i18n import bilingual_line

from ... import homeserver, retention, selectors, services


class Command(BaseCommand):
    help = "Run the Matrix homeserver (Synapse) behind SAFOS chat and provision its rooms."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("start", "serve"):
            command = sub.add_parser(name)
            command.add_argument("--port", type=int, default=None)
        sub.add_parser("stop")
        sub.add_parser("status")
        sub.add_parser("config")
        provision = sub.add_parser("provision")
        provision.add_argument("workspaces", nargs="*", type=int)
        provision.add_argument("--all", action="store_true")
        export = sub.add_parser("export")
        export.add_argument("workspace", type=int)
        export.add_argument("--out", required=True)
        export.add_argument(
            "--pdf",
            choices=["sv", "en"],
            help="the readable copy as an accessible PDF in this language (ADR 0654)",
        )
        add_as_option(export)
        sub.add_parser("purge")
        hold = sub.add_parser("hold")
        hold.add_argument("workspace", type=int)
        choice = hold.add_mutually_exclusive_group(required=True)
        choice.add_argument("--reason")
        choice.add_argument("--release", action="store_true")
        add_as_option(hold)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            getattr(self, f"_{action}")(options)
        except homeserver.HomeserverError as error:
            raise CommandError(str(error)) from error
        except DomainError as error:
            raise CommandError(bilingual_line(error.message, error.params)) from error

    def _start(self, options: dict[str, Any]) -> None:
        state = homeserver.start(listen_port=options.get("port"))
        self.stdout.write(f"Synapse {state.version} on {state.url} (pid {state.pid})")
        self._workers(state)

    def _workers(self, state: homeserver.Status) -> None:
        for worker in state.workers:
            said = "answers / svarar" if worker.running else "does not answer / svarar inte"
            self.stdout.write(f"worker / arbetsprocess {worker.name}: {said} (pid {worker.pid})")

    def _serve(self, options: dict[str, Any]) -> None:
        self._start(options)
        serve_in_foreground(lambda: bool(homeserver.status().pid), homeserver.stop)
        self.stdout.write("Synapse stopped / Synapse stoppad")

    def _stop(self, options: dict[str, Any]) -> None:
        stopped = homeserver.stop()
        self.stdout.write(
            "Synapse stopped / Synapse stoppad"
            if stopped
            else "Synapse was not running / Synapse var inte igång"
        )

    def _status(self, options: dict[str, Any]) -> None:
        state = homeserver.status()
        if state.running:
            self.stdout.write(f"running: Synapse {state.version} on {state.url} (pid {state.pid})")
        else:
            self.stdout.write(f"not running / inte igång ({state.url})")
        self._workers(state)
        self.stdout.write(f"rooms / rum: {selectors.room_count()}")
        if not state.running:
            raise CommandError("Synapse does not answer / Synapse svarar inte")
        silent = [w.name for w in state.workers if not w.running]
        if silent:
            raise CommandError(
                f"Synapse's workers {', '.join(silent)} do not answer / "
                f"Synapses arbetsprocesser {', '.join(silent)} svarar inte"
            )

    def _config(self, options: dict[str, Any]) -> None:
        self.stdout.write(str(homeserver.write_config()))

    def _provision(self, options: dict[str, Any]) -> None:
        ids = list(options["workspaces"])
        if options["all"]:
            ids = selectors.all_workspace_ids()
        if not ids:
            raise CommandError("Name workspaces or --all / Ange samarbetsytor eller --all")
        for workspace_id in ids:
            outcome = services.provision_workspace(workspace_id=workspace_id)
            self.stdout.write(
                f"{workspace_id}: {outcome.room_id} created={outcome.created} "
                f"invited={len(outcome.invited)} kicked={len(outcome.kicked)} "
                f"state={','.join(outcome.state_changed) or '-'}"
            )

    def _export(self, options: dict[str, Any]) -> None:
        actor = actor_from_option(options["username"])
        if options.get("pdf"):
            done = services.export_room_pdf(
                actor=actor, workspace_id=options["workspace"], language=options["pdf"]
            )
        else:
            done = services.export_room(actor=actor, workspace_id=options["workspace"])
        out = Path(options["out"])
        out.write_bytes(done.body)
        Path(f"{out}.sha256").write_text(f"{done.sha256}  {out.name}\n")
        self.stdout.write(f"{out}: {done.events} events, sha256 {done.sha256}")

    def _purge(self, options: dict[str, Any]) -> None:
        outcomes = retention.purge_due()
        for purge in outcomes:
            self.stdout.write(f"workspace {purge.workspace_id}: {purge.outcome} ({purge.events})")
        if any(purge.outcome == "failed" for purge in outcomes):
            raise CommandError(
                "Some rooms were not purged; the homeserver did not answer / "
                "Några rum rensades inte; hemservern svarade inte"
            )

    def _hold(self, options: dict[str, Any]) -> None:
        actor = actor_from_option(options["username"])
        if options["release"]:
            retention.hold_release(actor=actor, workspace_id=options["workspace"])
            self.stdout.write("legal hold lifted / bevarandebeslut hävt")
        else:
            retention.hold_set(
                actor=actor, workspace_id=options["workspace"], reason=options["reason"]
            )
            self.stdout.write("on legal hold / bevaras")
