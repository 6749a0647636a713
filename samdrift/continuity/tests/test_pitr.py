"""Point-in-time recovery with pgBackRest (issue 18 item 1, ADR 0974), against a real PostgreSQL
cluster of its own (Debian's server binaries, run as `postgres`) archiving WAL through a real
pgBackRest with samdrift's configuration and server settings: a base backup, rows written
before and after a moment, the archiver's state as the achieved RPO, and a restore to that
moment that has the first rows and not the later ones. A restore over a data directory or to a
moment without its time zone is refused, and nothing is touched."""

from __future__ import annotations

import datetime
import glob
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.utils import timezone

from samdrift.continuity import pitr
from samdrift.core.exceptions import ValidationFailed
from samdrift.core.i18n import in_both_languages

pytestmark = pytest.mark.engine

BIN = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1]).parent


def _as_postgres(*args: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True)


class Cluster:
    def __init__(self, root: Path, name: str, port: int) -> None:
        self.data, self.socket, self.port = root / name, root, port

    def start(self, settings: dict[str, str]) -> None:
        options = " ".join(
            f"-c {key}={value!r}" if " " in value else f"-c {key}={value}"
            for key, value in {
                "port": str(self.port), "unix_socket_directories": str(self.socket),
                "listen_addresses": "''", **settings,
            }.items()
        )  # fmt: skip
        _as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", f"{self.data}.log", "-w",
                     "-o", options, "start")  # fmt: skip

    def stop(self) -> None:
        _as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-w", "-m", "fast", "stop")

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(
            host=str(self.socket), port=self.port, user="postgres", dbname="postgres",
            autocommit=True,
        )  # fmt: skip


@pytest.fixture
def root():
    folder = Path(tempfile.mkdtemp(prefix="samdrift-pitr-", dir="/tmp"))
    shutil.chown(folder, "postgres", "postgres")
    yield folder
    for data in folder.glob("*/postmaster.pid"):
        subprocess.run(["runuser", "-u", "postgres", "--", str(BIN / "pg_ctl"), "-D",
                        str(data.parent), "-m", "immediate", "stop"], capture_output=True)  # fmt: skip
    shutil.rmtree(folder, ignore_errors=True)


def _rows(cluster: Cluster) -> list[int]:
    with cluster.connect() as conn:
        for _ in range(100):  # the restored server replays WAL, then is promoted
            if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                break
            time.sleep(0.1)
        return [row[0] for row in conn.execute("SELECT x FROM kept ORDER BY x")]


def test_a_base_backup_and_archived_wal_restore_to_a_moment(root):
    repo = root / "repo"
    config = pitr.write_config(
        root / "pgbackrest.conf", repo=repo, pg_data=root / "live", pg_port=55401,
        pg_socket=str(root), os_user="postgres",
    )  # fmt: skip
    for path in (repo, root / "pgbackrest.conf"):
        path.mkdir() if path == repo else None
        shutil.chown(path, "postgres", "postgres")
    live = Cluster(root, "live", 55401)
    _as_postgres(str(BIN / "initdb"), "-D", str(live.data), "-A", "trust", "-U", "postgres")
    live.start(pitr.server_settings(config, rpo_seconds=60))
    label = pitr.base_backup(config)
    assert label.endswith("F")  # a full backup
    with live.connect() as conn:
        conn.execute("CREATE TABLE kept (x int)")
        conn.execute("INSERT INTO kept VALUES (1), (2)")
    time.sleep(1.5)  # pgBackRest chooses the backup by whole seconds of its stop time
    moment = timezone.now()
    time.sleep(0.5)
    with live.connect() as conn:
        conn.execute("INSERT INTO kept VALUES (3)")
        conn.execute("SELECT pg_switch_wal()")
        for _ in range(100):  # the segment holding row 3 reaches the repository
            last, _failed = pitr.archiver_state(conn.cursor())
            if last is not None and last > moment:
                break
            time.sleep(0.1)
        state = pitr.status(config, pitr.archiver_state(conn.cursor()))
    assert state.backups == 1 and state.newest_backup == label and state.failed_archives == 0
    assert state.last_archived_at is not None and state.last_archived_at > moment
    assert state.achieved_rpo_seconds is not None and 0 <= state.achieved_rpo_seconds < 60
    assert state.wal_from and state.wal_to >= state.wal_from
    live.stop()

    # refused, and nothing touched: over a data directory; a moment without a time zone
    for to, into in ((moment, live.data), (moment.replace(tzinfo=None), root / "restored")):
        before = sorted(p.name for p in live.data.iterdir())
        with pytest.raises(ValidationFailed) as caught:
            pitr.restore(config, to=to, into=into)
        both = in_both_languages(caught.value.message, caught.value.params)
        assert both["sv"] != both["en"]
        assert sorted(p.name for p in live.data.iterdir()) == before
    assert not (root / "restored").exists()

    restored = Cluster(root, "restored", 55402)
    restored.data.mkdir(mode=0o700)
    shutil.chown(restored.data, "postgres", "postgres")
    pitr.restore(config, to=moment, into=restored.data)
    restored.start({"archive_mode": "off"})
    assert _rows(restored) == [1, 2]  # as it was at the moment: row 3 came after
    restored.stop()


def test_a_moment_before_any_backup_is_pgbackrests_refusal(root):
    config = pitr.write_config(
        root / "pgbackrest.conf", repo=root / "repo", pg_data=root / "live", os_user="postgres"
    )
    shutil.chown(root / "pgbackrest.conf", "postgres", "postgres")
    (root / "repo").mkdir()
    shutil.chown(root / "repo", "postgres", "postgres")
    with pytest.raises(pitr.PitrFailed) as caught:
        pitr.restore(config, to=timezone.now() - datetime.timedelta(days=1), into=root / "none")
    assert "pgBackRest" in str(caught.value)
    with pytest.raises(ValidationFailed):  # the configuration is never overwritten
        pitr.write_config(root / "pgbackrest.conf", repo=root / "repo", pg_data=root / "live")
