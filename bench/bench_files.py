"""`make bench-files`: document upload and download through samdrift vs raw S3, same SeaweedFS.

    make bench-files                    (BENCH_FILES_SIZES=16,64 in MB; BENCH_REPEAT=5)

1. A SeaweedFS (`scripts/seaweedfs.sh`, free ports, its own folder) and a served samdrift
   (`samdrift serve`: gunicorn + uvicorn, production settings, SQLite in a temporary folder)
   whose storage is that SeaweedFS (SAMDRIFT_S3_ENDPOINT_URL). One agency, one connection case,
   one personal token for a customer contact of the agency.
2. Per size, BENCH_REPEAT rounds, alternating in each round:
   - raw: boto3 `put_object` then `get_object(...)["Body"].read()` of the same bytes, straight
     to the same bucket (the baseline);
   - samdrift: `POST /api/v1/cases/{id}/attachments` (multipart, over HTTP with the token; the
     client sends the file's bytes as they are, `support.post_file`, not a copy of the whole
     body built in memory first as requests' `files=` does) and
     `GET .../download`, read in 1 MB pieces. That is the whole path a user takes: the server
     parses the body as it arrives and sends it on to S3 in parts while hashing it (ADR 0050),
     keeps the temporary file the malware scan reads, completes the upload, records the row and
     the audit event; the download is checked against the SHA-256 as it streams and audited.
3. Printed: median MB/s of each, the ratio samdrift/raw per direction (floor: >= 0.70), the
   server's peak resident memory against the largest file (the streaming claim, measured on the
   real server rather than in-process), and the load average before and after, since the
   machine is shared. Exits non-zero if a floor fails or a byte differs.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from support import free_port, post_file, production_env, upload_session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FLOOR = 0.70
MB = 1024 * 1024


def setup_child() -> None:
    """Runs with the server's environment: migrate, then one case and a token (JSON out)."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from samdrift.accounts.selectors import actor_for_user
    from samdrift.accounts.services import token_create
    from samdrift.core.actor import SYSTEM
    from samdrift.onboarding import services
    from samdrift.tests.factories import (
        MembershipFactory,
        OrganisationFactory,
        ProviderFactory,
        ServiceFactory,
        UserFactory,
    )

    ProviderFactory(name="Försäkringskassan", org_number="202100-5521")
    agency = OrganisationFactory(name="Bänkmyndigheten")
    ServiceFactory(code="EFOS")
    user = UserFactory(username="bench")
    MembershipFactory(user=user, organisation=agency, role="contact")
    case = services.case_open(
        actor=SYSTEM, organisation_id=agency.id, scope="single", service_codes=["EFOS"]
    )
    _token, secret = token_create(actor=actor_for_user(user), name="bench")
    print(json.dumps({"case": case.id, "token": secret}))


def process_tree(root_pid: int) -> set[int]:
    pids, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent and int(stat.parent.name) not in pids:
                pids.add(int(stat.parent.name))
                frontier.append(int(stat.parent.name))
    return pids


def cpu_seconds(pids: set[int]) -> float:
    """User + system CPU time used so far by these processes (all their threads)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(root_pid: int) -> float:
    """Largest VmHWM (peak resident set) among the server's processes."""
    pids = process_tree(root_pid)
    peak = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return peak / 1024


class Meter:
    """Wall time and the CPU time of everyone involved: this client, the server's processes and
    SeaweedFS. CPU seconds per MB do not depend on how busy the shared machine is."""

    def __init__(self, server_pid: int, seaweedfs_pid: int) -> None:
        self.server = process_tree(server_pid)
        self.seaweedfs = {seaweedfs_pid}

    def __call__(self, action: Any) -> tuple[float, tuple[float, float, float], Any]:
        cpu0, start = self._cpu(), time.perf_counter()
        result = action()
        wall = time.perf_counter() - start
        cpu = tuple(b - a for a, b in zip(cpu0, self._cpu(), strict=True))
        return wall, cpu, result  # type: ignore[return-value]

    def _cpu(self) -> tuple[float, float, float]:
        own = resource.getrusage(resource.RUSAGE_SELF)
        return (
            own.ru_utime + own.ru_stime,
            cpu_seconds(self.server),
            cpu_seconds(self.seaweedfs),
        )


def main() -> int:
    sizes = [int(s) * MB for s in os.environ.get("BENCH_FILES_SIZES", "16,64").split(",")]
    repeat = int(os.environ.get("BENCH_REPEAT", "5"))
    from samdrift.core.files.testing import running_seaweedfs

    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-files-") as tmp:
        work = Path(tmp)
        with running_seaweedfs(work / "seaweedfs") as s3:
            port = free_port()
            env = production_env(
                work / "data",
                base_url=f"http://127.0.0.1:{port}",
                DATABASE_URL=f"sqlite:///{work / 'samdrift.sqlite3'}",
                SAMDRIFT_S3_ENDPOINT_URL=s3.endpoint_url,
                SAMDRIFT_S3_BUCKET=s3.bucket,
                SAMDRIFT_S3_ACCESS_KEY_ID=s3.access_key,
                SAMDRIFT_S3_SECRET_ACCESS_KEY=s3.secret_key,
                SAMDRIFT_FILES_MAX_BYTES=str(max(sizes) + MB),
            )
            made = subprocess.run(
                [sys.executable, __file__, "--setup"],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            fixture = json.loads(made.stdout.strip().splitlines()[-1])
            log = (work / "server.log").open("wb")
            argv = [sys.executable, "-m", "samdrift.cli", "serve", "--port", str(port)]
            if os.environ.get("BENCH_FILES_SERVER") == "wsgi":  # for comparison only
                gunicorn = str(Path(sys.executable).with_name("gunicorn"))
                argv = [gunicorn, "config.wsgi", "-b", f"127.0.0.1:{port}", "--threads", "4"]
            server = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                base = f"http://127.0.0.1:{port}"
                wait_for(f"{base}/healthz", server, work / "server.log")
                rss_idle = peak_rss_mb(server.pid)
                results = run(base, fixture, s3, sizes, repeat, Meter(server.pid, s3.pid))
                rss_peak = peak_rss_mb(server.pid)
            finally:
                server.terminate()
                server.wait(timeout=30)
                log.close()
    load_end = os.getloadavg()
    return report(results, sizes, repeat, rss_idle, rss_peak, load_start, load_end)


def wait_for(url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped:\n{log.read_text()[-4000:]}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not come up within {timeout:.0f} s")


def run(
    base: str, fixture: dict[str, Any], s3: Any, sizes: list[int], repeat: int, meter: Meter
) -> dict[int, dict[str, list[Any]]]:
    client = s3.client()
    http = upload_session()
    http.headers["Authorization"] = f"Bearer {fixture['token']}"
    upload_url = f"{base}/api/v1/cases/{fixture['case']}/attachments"
    return {
        size: one_size(size, repeat, meter, client, s3.bucket, http, base, upload_url)
        for size in sizes
    }


def one_size(
    size: int,
    repeat: int,
    meter: Meter,
    client: Any,
    bucket: str,
    http: requests.Session,
    base: str,
    upload_url: str,
) -> dict[str, list[Any]]:
    body = os.urandom(size)
    digest = hashlib.sha256(body).hexdigest()
    rounds: dict[str, list[Any]] = {
        "raw_up": [],
        "raw_down": [],
        "up": [],
        "down": [],
    }

    def raw_put(key: str) -> None:
        client.put_object(Bucket=bucket, Key=key, Body=body)

    def raw_get(key: str) -> None:  # checked as samdrift's download is: by its SHA-256
        got = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert hashlib.sha256(got).hexdigest() == digest, "raw S3 returned other bytes"

    def ours_put(n: int) -> str:
        created = post_file(http, upload_url, f"bench-{n}.bin", body, "application/octet-stream")
        assert created.status_code == 201, created.text
        assert created.json()["sha256"] == digest, "samdrift recorded another checksum"
        return f"{base}{created.json()['download']}"

    def ours_get(url: str) -> None:
        got = http.get(url, stream=True)
        assert got.status_code == 200, got.text
        check = hashlib.sha256()
        for chunk in got.iter_content(MB):
            check.update(chunk)
        assert check.hexdigest() == digest, "samdrift sent other bytes"

    # Round 0 warms both paths (connections, the first volume) and is not counted.
    for n in range(repeat + 1):
        key = f"bench/raw-{size}-{n}"
        measured = {
            "raw_up": meter(lambda key=key: raw_put(key)),
            "raw_down": meter(lambda key=key: raw_get(key)),
            "up": meter(lambda n=n: ours_put(n)),
        }
        url = measured["up"][2]
        measured["down"] = meter(lambda url=url: ours_get(url))
        if n:
            for name, (wall, cpu, _result) in measured.items():
                rounds[name].append((wall, cpu))
    return rounds


def _cpu_per_mb(rounds: list[Any], megabytes: float) -> str:
    parts = [1000 * statistics.median(c[i] for _w, c in rounds) / megabytes for i in range(3)]
    return f"{parts[0]:.1f} + {parts[1]:.1f} + {parts[2]:.1f} = {sum(parts):.1f}"


def report(
    results: dict[int, dict[str, list[Any]]],
    sizes: list[int],
    repeat: int,
    rss_idle: float,
    rss_peak: float,
    load_start: tuple[float, float, float],
    load_end: tuple[float, float, float],
) -> int:
    print("bench-files: samdrift (served, S3 backend) vs raw boto3, same SeaweedFS, same run")
    print(f"  load average at start: {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}")
    failed = False
    for size in sizes:
        rounds = results[size]
        megabytes = size / MB
        print(f"  {size // MB} MB, {repeat} interleaved rounds (medians):")
        for direction, ours, raw, label in (
            ("upload", "up", "raw_up", "raw PUT"),
            ("download", "down", "raw_down", "raw GET"),
        ):
            ours_mbps = megabytes / statistics.median(w for w, _c in rounds[ours])
            raw_mbps = megabytes / statistics.median(w for w, _c in rounds[raw])
            # Each round's ratio compares two transfers made seconds apart, so a busy moment
            # of the shared machine weighs on both; the floor is judged on their median.
            paired = statistics.median(
                r[0] / o[0] for o, r in zip(rounds[ours], rounds[raw], strict=True)
            )
            cpu_ours = _cpu_per_mb(rounds[ours], megabytes)
            cpu_raw = _cpu_per_mb(rounds[raw], megabytes)
            verdict = "PASS" if paired >= FLOOR else "FAIL"
            failed |= paired < FLOOR
            print(
                f"    {direction:8s}  samdrift {ours_mbps:7.1f} MB/s  {label} {raw_mbps:7.1f} MB/s"
                f"  ratio {ours_mbps / raw_mbps:.2f}, paired {paired:.2f}  {verdict}"
            )
            print(
                f"    {'':8s}  CPU ms per MB, client + server + SeaweedFS: samdrift {cpu_ours}"
                f"; raw {cpu_raw}"
            )
    print(
        f"  server peak resident memory: {rss_peak:.0f} MB (idle {rss_idle:.0f} MB) with files "
        f"of up to {max(sizes) // MB} MB"
    )
    print(f"  load average at end: {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}")
    print(f"  floor: paired ratio >= {FLOOR:.2f} each way: {'FAIL' if failed else 'PASS'}")
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--setup"]:
        setup_child()
    else:
        sys.exit(main())
