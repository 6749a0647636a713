"""Point-in-time recovery on PostgreSQL with pgBackRest (issue 18 item 1, ADR 0974).

samdrift does not archive WAL itself: PostgreSQL hands every finished WAL segment to pgBackRest
(`archive_command`), which keeps it with the base backups in its repository. samdrift is the
control plane: it writes pgBackRest's configuration and the server settings that go with it,
takes base backups, reads what is restorable (the achieved RPO: how old the newest archived WAL
is), and restores to a moment into an empty data directory. pgBackRest runs as the data
directory's owner (`os_user`, usually `postgres`) when samdrift runs as another user.
"""

from __future__ import annotations

import datetime
import json
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.core.exceptions import DomainError, ValidationFailed


class PitrFailed(DomainError):
    """pgBackRest refused or failed; its own message is kept."""

    code = "pitr_failed"
    http_status = 503


@dataclass(frozen=True)
class Pitr:
    config: Path  # pgBackRest's configuration file
    stanza: str = "samdrift"
    os_user: str = ""  # run pgBackRest as this user (the data directory's owner)

    def command(self, *args: str) -> list[str]:
        base = ["pgbackrest", f"--config={self.config}", f"--stanza={self.stanza}", *args]
        return ["runuser", "-u", self.os_user, "--", *base] if self.os_user else base

    def archive_command(self) -> str:
        """What PostgreSQL runs for each finished WAL segment (as the server's own user)."""
        return (
            shlex.join(
                ["pgbackrest", f"--config={self.config}", f"--stanza={self.stanza}", "archive-push"]
            )
            + " %p"
        )


def write_config(
    path: Path, *, repo: Path, pg_data: Path, pg_port: int = 5432, pg_socket: str = "",
    stanza: str = "samdrift", os_user: str = "",
) -> Pitr:  # fmt: skip
    """pgBackRest's configuration for one cluster and one local repository; never over an
    existing file. Full backups are kept two at a time (and the WAL they need)."""
    if path.exists():
        raise ValidationFailed(
            _("%(path)s already exists: samdrift does not overwrite a configuration."),
            errors={"config": [str(path)]}, path=str(path),
        )  # fmt: skip
    for name, folder in (("repo", repo), ("pg_data", pg_data)):
        if not folder.is_absolute():
            raise ValidationFailed(
                _("%(name)s must be an absolute path."), errors={name: [str(folder)]}, name=name
            )
    lines = [
        "[global]", f"repo1-path={repo}", "repo1-retention-full=2", "start-fast=y",
        f"log-path={repo}/log", f"lock-path={repo}/lock", f"spool-path={repo}/spool",
        "log-level-console=warn", "", f"[{stanza}]", f"pg1-path={pg_data}", f"pg1-port={pg_port}",
    ]  # fmt: skip
    if pg_socket:
        lines.append(f"pg1-socket-path={pg_socket}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Pitr(path, stanza, os_user)


def server_settings(pitr: Pitr, *, rpo_seconds: int = 60) -> dict[str, str]:
    """The PostgreSQL settings that archive through pgBackRest. `archive_timeout` bounds the
    RPO when little is written: a segment is switched and archived at least that often."""
    return {
        "wal_level": "replica",
        "archive_mode": "on",
        "archive_command": pitr.archive_command(),
        "archive_timeout": str(max(rpo_seconds, 1)),
    }


def _run(pitr: Pitr, *args: str, timeout: int = 3600) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - fixed program, arguments as a list
            pitr.command(*args), capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PitrFailed(
            _("pgBackRest could not be run: %(problem)s"), problem=str(error)
        ) from None
    if done.returncode != 0:
        problem = (done.stderr or done.stdout).strip().splitlines()
        raise PitrFailed(
            _("pgBackRest failed: %(problem)s"), problem=(problem[0] if problem else "?")[:300]
        )
    return done.stdout


def base_backup(pitr: Pitr, *, full: bool = True) -> str:
    """Create the stanza when it is new, then take a base backup; its label."""
    if not info(pitr).get("backup"):
        _run(pitr, "stanza-create")
    _run(pitr, f"--type={'full' if full else 'incr'}", "backup")
    return str(info(pitr)["backup"][-1]["label"])


def info(pitr: Pitr) -> dict[str, Any]:
    stanzas = json.loads(_run(pitr, "info", "--output=json") or "[]")
    return stanzas[0] if stanzas else {}


@dataclass(frozen=True)
class PitrStatus:
    backups: int
    newest_backup: str
    newest_backup_at: datetime.datetime | None
    wal_from: str
    wal_to: str
    last_archived_at: datetime.datetime | None
    failed_archives: int
    achieved_rpo_seconds: float | None  # data newer than the last archived WAL would be lost


def status(pitr: Pitr, archiver: tuple[datetime.datetime | None, int]) -> PitrStatus:
    """What is restorable: pgBackRest's backups and WAL range, with the server's archiver
    state (`pg_stat_archiver`'s last archived time and failure count, see `archiver_state`)."""
    stanza = info(pitr)
    backups = stanza.get("backup") or []
    archive = (stanza.get("archive") or [{}])[-1]
    newest = backups[-1] if backups else {}
    stopped = (newest.get("timestamp") or {}).get("stop")
    last_archived, failed = archiver
    return PitrStatus(
        backups=len(backups),
        newest_backup=str(newest.get("label", "")),
        newest_backup_at=(
            datetime.datetime.fromtimestamp(stopped, tz=datetime.UTC) if stopped else None
        ),
        wal_from=str(archive.get("min") or ""),
        wal_to=str(archive.get("max") or ""),
        last_archived_at=last_archived,
        failed_archives=failed,
        achieved_rpo_seconds=(
            (timezone.now() - last_archived).total_seconds() if last_archived else None
        ),
    )


def archiver_state(cursor: Any) -> tuple[datetime.datetime | None, int]:
    """`pg_stat_archiver` of the server the cursor is connected to."""
    cursor.execute("SELECT last_archived_time, failed_count FROM pg_stat_archiver")
    last, failed = cursor.fetchone()
    return last, int(failed or 0)


def archiving_now(cursor: Any) -> tuple[bool, datetime.datetime | None, int]:
    """Whether the server archives its WAL at all (`archive_mode`), and `archiver_state`'s
    last archived time and failure count, in one query."""
    cursor.execute(
        "SELECT current_setting('archive_mode') <> 'off', last_archived_time, failed_count "
        "FROM pg_stat_archiver"
    )
    on, last, failed = cursor.fetchone()
    return bool(on), last, int(failed or 0)


def restore(pitr: Pitr, *, to: datetime.datetime, into: Path) -> None:
    """Restore the cluster as it was at `to` into `into`, which must be empty (or absent): a
    restore never overwrites a data directory. PostgreSQL started on it replays the archived WAL
    up to that moment and is then promoted."""
    if timezone.is_naive(to):
        raise ValidationFailed(
            _("Give the moment with its time zone (for example 2026-12-06T14:30:00+01:00)."),
            errors={"to": [to.isoformat()]},
        )
    if into.exists() and any(into.iterdir()):
        raise ValidationFailed(
            _("%(path)s is not empty: a restore never overwrites a data directory."),
            errors={"into": [str(into)]}, path=str(into),
        )  # fmt: skip
    moment = to.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")
    _run(
        pitr, f"--pg1-path={into}", "--type=time", f"--target={moment}",
        "--target-action=promote", "restore",
    )  # fmt: skip
