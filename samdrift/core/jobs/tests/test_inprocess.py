"""`make run`'s in-process worker: `samdrift serve` with SAMDRIFT_INPROCESS_WORKER=1 runs queued
jobs in the serving process once it has served a request (a real server on a free port)."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from .databases import subprocess_database
from .test_kill import _env, _manage, _wait_for


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_serve_runs_jobs_in_process(tmp_path, monkeypatch):
    with subprocess_database(tmp_path, "jobs_inprocess") as db:
        queued = _manage(
            db,
            "shell",
            "-c",
            "from samdrift.core.jobs.tests.sample_tasks import add; print(add.enqueue(2, 5).id)",
            stdout=subprocess.PIPE,
        )
        out, _ = queued.communicate(timeout=60)
        job_id = int(out.strip().splitlines()[-1])
        port = _free_port()
        monkeypatch.setenv("SAMDRIFT_INPROCESS_WORKER", "1")
        monkeypatch.setenv("SAMDRIFT_DATA_DIR", str(tmp_path))
        server = _manage(
            db,
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as r:
                        assert r.status == 200
                        break
                except OSError:
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.2)

            def finished() -> bool:
                rows = db.rows(f"SELECT status, result FROM jobs_job WHERE id = {job_id}")  # noqa: S608
                return rows[0][0] == "SUCCESSFUL"

            _wait_for(finished, 30, "the in-process worker")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        assert "SAMDRIFT_INPROCESS_WORKER" in _env(db)
