"""Benchmark of background jobs: 10,000 no-op jobs queued and run through the worker.

    make bench-jobs          (BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres chooses the
                              PostgreSQL server; BENCH_BACKENDS=sqlite skips PostgreSQL;
                              BENCH_JOBS=10000)

Per backend, in a child process with its own fresh database (schema from migrate):
  1. the baseline: the same 10,000 rows (every column `enqueue` writes) inserted into the jobs
     table with one `executemany` in one transaction — the fastest honest bulk insert — then
     removed again;
  2. enqueue: `noop.enqueue()` 10,000 times, one row each, as application code does;
  3. run: `Worker(burst=True)` claims, runs and records each job (lease, result, live event);
     fast jobs are claimed and recorded in growing batches (ADR 0074); once with one thread, and
     on PostgreSQL again with four threads (SKIP LOCKED) on a second set;
  4. enqueue inside one outer transaction, as a service does (no commit of the job's own).
Printed: seconds, jobs/s and the ratio of queue + run to the baseline, with the load average.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from support import pg_execute

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def child(count: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from samdrift.core.jobs.models import Job
    from samdrift.core.jobs.tests.sample_tasks import noop
    from samdrift.core.jobs.worker import Worker

    figures: dict[str, Any] = {"jobs": count, "load_start": os.getloadavg()[0]}
    now = timezone.now()
    columns = (
        "task_path, queue_name, backend, args, kwargs, status, priority, attempts, max_attempts, "
        "run_after, lease_owner, worker_ids, progress_done, progress_total, progress_message, "
        "error_class, error, label, created_at, updated_at"
    )
    row = (noop.module_path, "default", "default", "[]", "{}", "READY", 0, 0, 3)
    rows = [(*row, now, "", "[]", 0, 0, "", "", "", "", now, now) for _ in range(count)]
    marks = ", ".join(["%s"] * len(rows[0]))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO jobs_job ({columns}) VALUES ({marks})", rows)  # noqa: S608
    figures["baseline_s"] = time.perf_counter() - started
    assert Job.objects.count() == count
    Job.objects.all().delete()

    started = time.perf_counter()
    for _ in range(count):
        noop.enqueue()
    figures["enqueue_s"] = time.perf_counter() - started

    started = time.perf_counter()
    ran = Worker(burst=True).run()
    figures["run_s"] = time.perf_counter() - started
    assert ran == count, ran
    assert Job.objects.filter(status="SUCCESSFUL").count() == count

    # Application code mostly enqueues inside its own transaction: no commit of the job's own.
    Job.objects.all().delete()
    started = time.perf_counter()
    with transaction.atomic():
        for _ in range(count):
            noop.enqueue()
    figures["enqueue_tx_s"] = time.perf_counter() - started
    assert Job.objects.count() == count

    if connection.vendor == "postgresql":
        Job.objects.all().delete()
        for _ in range(count):
            noop.enqueue()
        started = time.perf_counter()
        ran = Worker(burst=True, concurrency=4).run()
        figures["run4_s"] = time.perf_counter() - started
        assert Job.objects.filter(status="SUCCESSFUL").count() == count, ran
    figures["load_end"] = os.getloadavg()[0]
    print(json.dumps(figures))


def run_backend(name: str, url: str, count: int) -> dict[str, Any] | None:
    env = dict(
        os.environ,
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        SAMDRIFT_LOG_LEVEL="ERROR",
    )
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(count)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        print(f"{name}: failed\n{result.stderr[-3000:]}")
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def report(name: str, f: dict[str, Any]) -> None:
    n, base = f["jobs"], f["baseline_s"]
    total = f["enqueue_s"] + f["run_s"]
    print(
        f"{name}: {n} no-op jobs (load average {f['load_start']:.2f} at start, "
        f"{f['load_end']:.2f} at end)"
    )
    print(f"  raw bulk insert       {base:7.2f} s  {n / base:9.0f} rows/s   (baseline)")
    print(f"  enqueue               {f['enqueue_s']:7.2f} s  {n / f['enqueue_s']:9.0f} jobs/s")
    print(f"  run (1 thread)        {f['run_s']:7.2f} s  {n / f['run_s']:9.0f} jobs/s")
    print(
        f"  enqueue + run         {total:7.2f} s  {n / total:9.0f} jobs/s   "
        f"{total / base:6.1f}× the raw insert"
    )
    if "enqueue_tx_s" in f:
        tx = f["enqueue_tx_s"]
        print(
            f"  enqueue, one outer transaction {tx:5.2f} s  {n / tx:9.0f} jobs/s   "
            f"{tx / base:6.1f}× the raw insert"
        )
    if "run4_s" in f:
        print(f"  run (4 threads)       {f['run4_s']:7.2f} s  {n / f['run4_s']:9.0f} jobs/s")


def main() -> int:
    count = int(os.environ.get("BENCH_JOBS", "10000"))
    backends = os.environ.get("BENCH_BACKENDS", "sqlite,postgres").split(",")
    server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
    with tempfile.TemporaryDirectory() as tmp:
        if "sqlite" in backends:
            figures = run_backend("SQLite", f"sqlite:///{tmp}/bench_jobs.sqlite3", count)
            if figures is None:
                return 1
            report("SQLite", figures)
        if "postgres" in backends:
            database = f"bench_jobs_{os.getpid()}"
            if not pg_execute(server, f'CREATE DATABASE "{database}"'):
                print("PostgreSQL: not reachable, skipped")
                return 0
            try:
                figures = run_backend(
                    "PostgreSQL", server.rsplit("/", 1)[0] + "/" + database, count
                )
            finally:
                pg_execute(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            if figures is None:
                return 1
            report("PostgreSQL", figures)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]))
    else:
        sys.exit(main())
