"""`samdrift backup pitr …` (ADR 0974): the command line of `pitr`, kept out of the backup
command so each stays short."""

from __future__ import annotations

import datetime
import os
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _

from samdrift.core.exceptions import ValidationFailed

from . import pitr


def pitr_arguments(parser: ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="pitr_action", required=True)
    configure = sub.add_parser("configure", help="write pgBackRest's configuration")
    configure.add_argument("config", type=Path)
    configure.add_argument("--repo", type=Path, required=True)
    configure.add_argument("--pg-data", type=Path, required=True)
    configure.add_argument("--pg-port", type=int, default=5432)
    configure.add_argument("--pg-socket", default="")
    configure.add_argument("--rpo-seconds", type=int, default=60)
    configure.add_argument("--os-user", default=os.environ.get("SAMDRIFT_PITR_OS_USER", ""))
    for name in ("base", "status", "restore"):
        command = sub.add_parser(name)
        command.add_argument("--config", type=Path, default=None)
        command.add_argument("--os-user", default=os.environ.get("SAMDRIFT_PITR_OS_USER", ""))
        if name == "restore":
            command.add_argument("--to", required=True, help="ISO 8601 with its time zone")
            command.add_argument("--into", type=Path, required=True)


def _configured(options: dict[str, Any]) -> pitr.Pitr:
    path = options["config"] or os.environ.get("SAMDRIFT_PITR_CONFIG", "")
    if not path:
        raise ValidationFailed(
            _("Give --config or SAMDRIFT_PITR_CONFIG: pgBackRest's configuration file."),
            errors={"config": ["missing"]},
        )
    return pitr.Pitr(Path(path), os_user=options["os_user"])


def _moment(text: str) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            _("%(value)s is not a moment in ISO 8601 (for example 2026-12-06T14:30:00+01:00)."),
            errors={"to": [text]}, value=text,
        ) from None  # fmt: skip


def pitr_command(options: dict[str, Any]) -> list[str]:
    action = options["pitr_action"]
    if action == "configure":
        made = pitr.write_config(
            options["config"], repo=options["repo"], pg_data=options["pg_data"],
            pg_port=options["pg_port"], pg_socket=options["pg_socket"], os_user=options["os_user"],
        )  # fmt: skip
        settings = pitr.server_settings(made, rpo_seconds=options["rpo_seconds"])
        return [
            f"# {made.config}: written / skriven. postgresql.conf (then restart / starta om):",
            *(f"{key} = '{value}'" for key, value in settings.items()),
        ]
    config = _configured(options)
    if action == "base":
        return [f"base backup / basbackup: {pitr.base_backup(config)}"]
    if action == "restore":
        pitr.restore(config, to=_moment(options["to"]), into=options["into"])
        return [
            f"restored / återställd: {options['into']} ({options['to']}); start PostgreSQL on it"
        ]
    if connection.vendor != "postgresql":
        raise ValidationFailed(
            _("Point-in-time recovery needs PostgreSQL; this samdrift runs on %(vendor)s."),
            errors={"database": [connection.vendor]}, vendor=connection.vendor,
        )  # fmt: skip
    with connection.cursor() as cursor:
        state = pitr.status(config, pitr.archiver_state(cursor))
    rpo = "-" if state.achieved_rpo_seconds is None else f"{state.achieved_rpo_seconds:.0f} s"
    return [
        f"backups / säkerhetskopior: {state.backups}, newest / senaste {state.newest_backup} "
        f"({state.newest_backup_at or '-'})",
        f"WAL {state.wal_from or '-'} … {state.wal_to or '-'}, last archived / senast arkiverad "
        f"{state.last_archived_at or '-'}, failed / misslyckade {state.failed_archives}",
        f"achieved RPO / uppnådd RPO: {rpo}",
    ]
