"""Point-in-time recovery on PostgreSQL (issue 18, Measure: "achieved RPO under continuous
archiving on PostgreSQL"; ADR 0974).

    make bench-pitr     (python bench/bench_pitr.py [--seconds 60] [--rpo-seconds 10] [--rows 200000])

A PostgreSQL cluster of its own (Debian's binaries) archives WAL through pgBackRest with the
settings `samdrift backup pitr configure` prints (`archive_timeout` = --rpo-seconds).

1. **base backup** of a database of --rows rows through `pitr.base_backup` (with the server
   running, as in production) against the **baseline** of a raw copy of the stopped data
   directory (`cp -a`, after the run).
2. **achieved RPO**: a writer commits small transactions for --seconds while the bench reads
   `pitr.status` twice a second; the achieved RPO is the age of the last archived WAL segment.
   Printed: median, p95 and worst against the target.
3. **restore to a moment** in the middle of the run through `pitr.restore`, then PostgreSQL's
   replay until promoted, against the **baseline** of copying the raw data directory back.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from samdrift.continuity import pitr  # noqa: E402
from samdrift.tests.pgcluster import Cluster, as_postgres, owned_by_postgres, scratch_root  # noqa: E402


def _timed(work) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _copy(source: Path, target: Path) -> float:
    return _timed(lambda: as_postgres("cp", "-a", str(source), str(target)))


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rpo-seconds", type=int, default=10)
    parser.add_argument("--rows", type=int, default=200_000)
    options = parser.parse_args()
    with scratch_root() as root:
        return run(root, options)


def run(root: Path, options: argparse.Namespace) -> int:
    config = pitr.write_config(
        root / "pgbackrest.conf", repo=owned_by_postgres(root / "repo"), pg_data=root / "live",
        pg_port=55501, pg_socket=str(root), os_user="postgres",
    )  # fmt: skip
    owned_by_postgres(config.config, folder=False)
    live = Cluster(root, "live", 55501)
    live.init()
    settings = pitr.server_settings(config, rpo_seconds=options.rpo_seconds)
    # Loaded before archiving is on: until `base` has made the stanza, every archive attempt
    # fails and PostgreSQL waits a minute before the next (see ADR 0974).
    live.start({"archive_mode": "off"})
    with live.connect() as conn:
        conn.execute("CREATE TABLE load (id bigserial PRIMARY KEY, at timestamptz, body text)")
        conn.execute(
            "INSERT INTO load (at, body) SELECT now(), repeat('x', 200) FROM generate_series(1, %s)",
            (options.rows,),
        )
        size = conn.execute("SELECT pg_database_size('postgres')").fetchone()[0]  # type: ignore[index]
    print(f"bench-pitr: PostgreSQL {live.data.name} {size / 1e6:.0f} MB, archive_timeout "
          f"{options.rpo_seconds} s, {options.seconds} s of writes; load average "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip

    live.stop()
    live.start(settings)
    backup_s = _timed(lambda: pitr.base_backup(config))
    # No restart between the base backup and the run: after one, PostgreSQL 15 here let
    # archive_timeout pass without a segment switch for 15 s and more (ADR 0974).

    stop = threading.Event()
    commits = [0]

    def writer() -> None:
        with live.connect() as conn:
            while not stop.is_set():
                conn.execute("INSERT INTO load (at, body) VALUES (now(), 'w')")
                commits[0] += 1
                time.sleep(0.005)

    thread = threading.Thread(target=writer)
    thread.start()
    samples: list[float] = []
    started = time.monotonic()
    moment = None
    with live.connect() as conn:
        while time.monotonic() - started < options.seconds:
            state = pitr.status(config, pitr.archiver_state(conn.cursor()))
            if state.achieved_rpo_seconds is not None:
                samples.append(state.achieved_rpo_seconds)
            if moment is None and time.monotonic() - started > options.seconds / 2:
                moment = timezone.now()
            time.sleep(0.5)
        stop.set()
        thread.join()
        before = conn.execute("SELECT count(*) FROM load WHERE at <= %s", (moment,)).fetchone()
        conn.execute("SELECT pg_switch_wal()")
        time.sleep(2)
        failed = pitr.archiver_state(conn.cursor())[1]
    print(f"  achieved RPO  median {statistics.median(samples):5.1f} s   p95 {_p95(samples):5.1f} s"
          f"   worst {max(samples):5.1f} s   (target {options.rpo_seconds} s; {len(samples)} "
          f"samples, {commits[0]:,} commits, {failed} failed archive attempts)")  # fmt: skip
    live.stop()
    raw_s = _copy(live.data, root / "raw")  # the baseline: the stopped data directory copied
    print(f"  base backup   {backup_s:6.2f} s   raw copy of the data directory {raw_s:6.2f} s"
          f"   ratio {backup_s / raw_s:4.2f}x")  # fmt: skip
    if failed:  # what PostgreSQL said of the failed attempts
        log = Path(f"{live.data}.log").read_text(errors="replace").splitlines()
        for line in [x for x in log if "archive" in x.lower() and ("fail" in x or "ERROR" in x)][
            -3:
        ]:
            print(f"    {line[:200]}")

    assert moment is not None
    restored = Cluster(root, "restored", 55502)
    owned_by_postgres(restored.data)
    restore_s = _timed(lambda: pitr.restore(config, to=moment, into=restored.data))
    replay_s = _timed(lambda: (restored.start({"archive_mode": "off"}), restored.wait_promoted()))
    with restored.connect() as conn:
        rows = conn.execute("SELECT count(*) FROM load").fetchone()
    restored.stop()
    back_s = _copy(root / "raw", root / "raw-back")
    exact = "exact" if rows == before else f"DIFFERS ({rows} vs {before})"
    print(f"  restore       {restore_s:6.2f} s + replay to the moment {replay_s:6.2f} s   raw copy "
          f"back {back_s:6.2f} s   ratio {(restore_s + replay_s) / back_s:4.2f}x   rows at the "
          f"moment: {exact}")  # fmt: skip
    subprocess.run(["sync"], check=False)
    return 0 if rows == before else 1


if __name__ == "__main__":
    raise SystemExit(main())
