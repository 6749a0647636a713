"""SeaweedFS for tests and benchmarks: started by `scripts/seaweedfs.sh` on free ports, stopped by
its process id. Nothing here runs in production code."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .conf import s3_storage

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "seaweedfs.sh"


@dataclass(frozen=True)
class SeaweedFS:
    endpoint_url: str
    bucket: str
    access_key: str
    secret_key: str
    pid: int
    directory: Path

    def storage_settings(self) -> dict[str, Any]:
        return s3_storage(
            endpoint_url=self.endpoint_url,
            bucket=self.bucket,
            access_key=self.access_key,
            secret_key=self.secret_key,
        )

    def client(self) -> Any:
        """A plain boto3 client on the same server: how tests look behind samdrift's back."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
        )


@contextmanager
def running_seaweedfs(directory: Path) -> Iterator[SeaweedFS]:
    # Free ports are picked, released and then bound by weed: another process may take one in
    # between (parallel test workers start theirs together), so a failed start is tried again.
    for _attempt in range(3):
        started = subprocess.run(  # noqa: S603 (our own script, our own temporary folder)
            [str(SCRIPT), "start", str(directory)], capture_output=True, text=True, timeout=120
        )
        if started.returncode == 0:
            break
    else:
        raise RuntimeError(f"SeaweedFS did not start:\n{started.stdout}\n{started.stderr}")
    values = dict(line.split("=", 1) for line in started.stdout.splitlines() if "=" in line)
    try:
        yield SeaweedFS(
            endpoint_url=values["SAMDRIFT_S3_ENDPOINT_URL"],
            bucket=values["SAMDRIFT_S3_BUCKET"],
            access_key=values["SAMDRIFT_S3_ACCESS_KEY_ID"],
            secret_key=values["SAMDRIFT_S3_SECRET_ACCESS_KEY"],
            pid=int(values["SEAWEEDFS_PID"]),
            directory=directory,
        )
    finally:
        subprocess.run([str(SCRIPT), "stop", str(directory)], timeout=30, check=False)  # noqa: S603
