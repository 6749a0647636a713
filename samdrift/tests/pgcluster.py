"""A PostgreSQL cluster of its own for tests and benchmarks of point-in-time recovery (ADR 0974):
Debian's server binaries run as `postgres`, on a Unix socket in a folder of its own, so it never
meets the shared server or another test's cluster."""

from __future__ import annotations

import glob
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

BIN = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1]).parent


def as_postgres(*args: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True)


def owned_by_postgres(path: Path, folder: bool = True) -> Path:
    if folder:
        path.mkdir(mode=0o700, exist_ok=True)
    shutil.chown(path, "postgres", "postgres")
    return path


@contextmanager
def scratch_root() -> Iterator[Path]:
    """A folder under /tmp the postgres user may enter; every cluster in it stopped at the end."""
    root = owned_by_postgres(Path(tempfile.mkdtemp(prefix="samdrift-pg-", dir="/tmp")))
    try:
        yield root
    finally:
        for pid in root.glob("*/postmaster.pid"):
            subprocess.run(["runuser", "-u", "postgres", "--", str(BIN / "pg_ctl"), "-D",
                            str(pid.parent), "-m", "immediate", "stop"], capture_output=True)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


class Cluster:
    def __init__(self, root: Path, name: str, port: int) -> None:
        self.data, self.socket, self.port = root / name, root, port

    def init(self) -> None:
        as_postgres(str(BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self, settings: dict[str, str]) -> None:
        options = " ".join(
            f"-c {key}={value!r}" if " " in value else f"-c {key}={value}"
            for key, value in {
                "port": str(self.port), "unix_socket_directories": str(self.socket),
                "listen_addresses": "''", **settings,
            }.items()
        )  # fmt: skip
        as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", f"{self.data}.log", "-w",
                    "-o", options, "start")  # fmt: skip

    def stop(self) -> None:
        as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-w", "-m", "fast", "stop")

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(
            host=str(self.socket), port=self.port, user="postgres", dbname="postgres",
            autocommit=True,
        )  # fmt: skip

    def wait_promoted(self, timeout: float = 60.0) -> None:
        """After a restore: until WAL up to the target is replayed and the server is promoted."""
        deadline = time.monotonic() + timeout
        with self.connect() as conn:
            while conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:  # type: ignore[index]
                if time.monotonic() > deadline:
                    raise TimeoutError("still in recovery")
                time.sleep(0.05)
