"""A real kill: two `samdrift worker` processes; the one running the job is SIGKILLed mid-way;
the other takes the job once its lease expires and finishes it exactly once.

Runs against a file SQLite database, or a fresh PostgreSQL database when the suite runs on
PostgreSQL (DATABASE_URL). `samdrift jobs show ID --follow` runs alongside and must print the
progress as it happens.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

from .databases import Target, subprocess_database

TOTAL = 12
LEASE_SECONDS = "2"


def _env(target: Target, extra: dict[str, str] | None = None) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=target.url,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        SAMDRIFT_DB_CONN_MAX_AGE="0",
        SAMDRIFT_JOBS_LEASE_SECONDS=LEASE_SECONDS,
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        **(extra or {}),
    )


def _manage(
    target: Target, *args: str, extra_env: dict[str, str] | None = None, **popen: object
) -> subprocess.Popen[str]:
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        env=_env(target, extra_env),
        cwd=settings.BASE_DIR,
        text=True,
        **popen,
    )


def _wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # no open transaction: the schema can be copied out
def test_a_job_killed_mid_way_is_finished_exactly_once_by_another_worker(tmp_path):
    with subprocess_database(tmp_path, "jobs_kill") as db:
        p = db.placeholder
        enqueue = _manage(
            db,
            "shell",
            "-c",
            "from samdrift.core.jobs.tests.kill_world import enqueue; "
            f"enqueue('kill', {TOTAL}, 0.3)",
            stdout=subprocess.PIPE,
        )
        out, _ = enqueue.communicate(timeout=60)
        assert enqueue.returncode == 0
        job_id = int(out.strip().splitlines()[-1])

        def steps_done() -> int:
            return db.rows("SELECT COUNT(*) FROM jobs_kill_step")[0][0]

        def job() -> tuple[str, str, int]:
            return db.rows(
                f"SELECT status, lease_owner, attempts FROM jobs_job WHERE id = {p}",  # noqa: S608
                (job_id,),
            )[0]

        follow = _manage(
            db,
            "jobs",
            "show",
            str(job_id),
            "--follow",
            "--interval",
            "0.1",
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        workers = [
            _manage(
                db,
                "worker",
                "--poll",
                "0.1",
                "--schedules",
                "none",  # the test counts the jobs a worker ran: no recurring ones
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            ),
            _manage(
                db,
                "worker",
                "--poll",
                "0.1",
                "--concurrency",
                "2",
                "--schedules",
                "none",
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            ),
        ]
        try:
            _wait_for(lambda: steps_done() >= 4, 60, "four steps")
            status, owner, attempts = job()
            assert (status, attempts) == ("RUNNING", 1)
            owner_pid = int(owner.split(":")[-2])
            victim = next(w for w in workers if w.pid == owner_pid)
            survivor = next(w for w in workers if w is not victim)
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=10)
            killed_at = steps_done()
            assert 4 <= killed_at < TOTAL, "the kill must land mid-way"
            assert job()[0] == "RUNNING"  # nobody recorded an outcome for the dead worker

            _wait_for(lambda: job()[0] != "RUNNING", 90, "the job to finish")
            status, owner, attempts = job()
            assert (status, owner, attempts) == ("SUCCESSFUL", "", 2)

            # Exactly once: every step and the final effect once, though the job ran twice.
            step_rows = db.rows("SELECT step, pid FROM jobs_kill_step ORDER BY step")
            assert [step for step, _pid in step_rows] == list(range(1, TOTAL + 1))
            assert db.rows("SELECT name, steps FROM jobs_kill_effect") == [("kill", TOTAL)]
            attempt_pids = [pid for (pid,) in db.rows("SELECT pid FROM jobs_kill_attempt")]
            assert attempt_pids == [victim.pid, survivor.pid]
            assert {pid for _step, pid in step_rows} == {victim.pid, survivor.pid}
            (done, total, result) = db.rows(
                f"SELECT progress_done, progress_total, result FROM jobs_job WHERE id = {p}",  # noqa: S608
                (job_id,),
            )[0]
            assert (done, total) == (TOTAL, TOTAL)
            assert '"steps": 12' in str(result).replace("'", '"')

            survivor.send_signal(signal.SIGTERM)  # graceful: exits 0 once idle
            out, err = survivor.communicate(timeout=30)
            assert survivor.returncode == 0, err[-2000:]
            assert "1 jobs run" in out

            printed, err = follow.communicate(timeout=30)
            assert follow.returncode == 0, err[-2000:]
        finally:
            for process in (*workers, follow):
                if process.poll() is None:
                    process.kill()
                    process.wait()
        lines = printed.splitlines()
        progress_lines = [line for line in lines if f"/{TOTAL} (" in line]
        assert len(progress_lines) >= 3, printed  # progress seen while it ran, not only at the end
        assert any("RUNNING" in line and "attempt 2/3" in line for line in lines), printed
        assert f"#{job_id}  SUCCESSFUL" in lines[-2], printed
        assert lines[-1].startswith("result: ")
