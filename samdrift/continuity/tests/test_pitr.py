"""Point-in-time recovery with pgBackRest (issue 18 item 1, ADR 0974), against a real PostgreSQL
cluster of its own (Debian's server binaries, run as `postgres`) archiving WAL through a real
pgBackRest with samdrift's configuration and server settings: a base backup, rows written
before and after a moment, the archiver's state as the achieved RPO, and a restore to that
moment that has the first rows and not the later ones. A restore over a data directory or to a
moment without its time zone is refused, and nothing is touched."""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone

from samdrift.continuity import pitr, selectors
from samdrift.core.exceptions import ValidationFailed
from samdrift.core.i18n import in_both_languages
from samdrift.tests.factories import ServiceFactory
from samdrift.tests.pgcluster import Cluster, owned_by_postgres, scratch_root

pytestmark = pytest.mark.engine


@pytest.fixture
def root():
    with scratch_root() as folder:
        yield folder


def _rows(cluster: Cluster) -> list[int]:
    cluster.wait_promoted()
    with cluster.connect() as conn:
        return [row[0] for row in conn.execute("SELECT x FROM kept ORDER BY x")]


def test_a_base_backup_and_archived_wal_restore_to_a_moment(root):
    repo = root / "repo"
    config = pitr.write_config(
        root / "pgbackrest.conf", repo=repo, pg_data=root / "live", pg_port=55401,
        pg_socket=str(root), os_user="postgres",
    )  # fmt: skip
    owned_by_postgres(repo)
    owned_by_postgres(root / "pgbackrest.conf", folder=False)
    live = Cluster(root, "live", 55401)
    live.init()
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
        on, last_archived, _failed = pitr.archiving_now(conn.cursor())
    # the drills page's section reads the same server state (selectors.archiving)
    assert on and last_archived == state.last_archived_at
    now = timezone.now()
    measured = selectors.archiving_against(
        on=on, last=last_archived, failed=0, now=now, services=[ServiceFactory.build(rpo_hours=1)]
    )
    assert measured.achieved_rpo_seconds is not None and measured.achieved_rpo_seconds < 60
    assert [t.rpo_met for t in measured.targets] == [True]
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
    owned_by_postgres(restored.data)
    pitr.restore(config, to=moment, into=restored.data)
    restored.start({"archive_mode": "off"})
    assert _rows(restored) == [1, 2]  # as it was at the moment: row 3 came after
    restored.stop()


def test_a_moment_before_any_backup_is_pgbackrests_refusal(root):
    config = pitr.write_config(
        root / "pgbackrest.conf", repo=root / "repo", pg_data=root / "live", os_user="postgres"
    )
    owned_by_postgres(root / "pgbackrest.conf", folder=False)
    owned_by_postgres(root / "repo")
    with pytest.raises(pitr.PitrFailed) as caught:
        pitr.restore(config, to=timezone.now() - datetime.timedelta(days=1), into=root / "none")
    assert "pgBackRest" in str(caught.value)
    with pytest.raises(ValidationFailed):  # the configuration is never overwritten
        pitr.write_config(root / "pgbackrest.conf", repo=root / "repo", pg_data=root / "live")
