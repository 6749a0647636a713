"""`make bench-files`: document upload and download through samdrift vs raw S3, same SeaweedFS.

    make bench-files                    (BENCH_FILES_SIZES=4,64 in MB; BENCH_REPEAT=5)

1. A SeaweedFS (`scripts/seaweedfs.sh`, free ports, its own folder) and a served samdrift
   (`samdrift serve`: gunicorn + uvicorn, production settings, SQLite in a temporary folder)
   whose storage is that SeaweedFS (SAMDRIFT_S3_ENDPOINT_URL). One agency, one connection case,
   one personal token for a customer contact of the agency.
2. Per size, BENCH_REPEAT rounds, alternating in each round:
   - raw: boto3 `put_object` then `get_object(...)["Body"].read()` of the same bytes, straight
     to the same bucket (the baseline);
   - samdrift: `POST /api/v1/cases/{id}/attachments` (multipart, over HTTP with the token) and
     `GET .../download`, read in 1 MB pieces. That is the whole path a user takes: the server
     spools the body, parses it, streams it to S3 with its SHA-256, records the row and the
     audit event; the download is checked against the SHA-256 as it streams and audited.
3. Printed: median MB/s of each, the ratio samdrift/raw per direction (floor: >= 0.70), the
   server's peak resident memory against the largest file (the streaming claim, measured on the
   real server rather than in-process), and the load average before and after, since the
   machine is shared. Exits non-zero if a floor fails or a byte differs.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FLOOR = 0.70
MB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


def peak_rss_mb(root_pid: int) -> float:
    """Largest VmHWM (peak resident set) among the server's processes."""
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
    peak = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return peak / 1024


def timed(action: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main() -> int:
    sizes = [int(s) * MB for s in os.environ.get("BENCH_FILES_SIZES", "4,64").split(",")]
    repeat = int(os.environ.get("BENCH_REPEAT", "5"))
    from samdrift.core.files.testing import running_seaweedfs

    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-files-") as tmp:
        work = Path(tmp)
        with running_seaweedfs(work / "seaweedfs") as s3:
            port = free_port()
            env = dict(
                os.environ,
                DJANGO_SETTINGS_MODULE="config.settings.prod",
                DATABASE_URL=f"sqlite:///{work / 'samdrift.sqlite3'}",
                SAMDRIFT_DATA_DIR=str(work / "data"),
                SAMDRIFT_SECURE_COOKIES="0",
                SAMDRIFT_ALLOWED_HOSTS="127.0.0.1",
                SAMDRIFT_BASE_URL=f"http://127.0.0.1:{port}",
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
                results = run(base, fixture, s3, sizes, repeat)
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


def run(base: str, fixture: dict[str, Any], s3: Any, sizes: list[int], repeat: int) -> dict:
    client = s3.client()
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {fixture['token']}"
    upload_url = f"{base}/api/v1/cases/{fixture['case']}/attachments"
    results: dict[int, dict[str, list[float]]] = {}
    for size in sizes:
        body = os.urandom(size)
        digest = hashlib.sha256(body).hexdigest()
        times: dict[str, list[float]] = {"raw_up": [], "raw_down": [], "up": [], "down": []}
        # One warm-up of each path (connections, first volume growth), not counted.
        for n in range(repeat + 1):
            key = f"bench/raw-{size}-{n}"
            up_s, _ = timed(
                lambda key=key, body=body: client.put_object(Bucket=s3.bucket, Key=key, Body=body)
            )
            down_s, raw = timed(
                lambda key=key: client.get_object(Bucket=s3.bucket, Key=key)["Body"].read()
            )
            assert raw == body, "raw S3 returned other bytes"
            files = {"file": (f"bench-{n}.bin", body, "application/octet-stream")}
            ours_up_s, created = timed(lambda files=files: http.post(upload_url, files=files))
            assert created.status_code == 201, created.text
            out = created.json()
            assert out["sha256"] == digest, "samdrift recorded another checksum"

            def download(url: str = f"{base}{out['download']}") -> str:
                got = http.get(url, stream=True)
                assert got.status_code == 200, got.text
                check = hashlib.sha256()
                for chunk in got.iter_content(MB):
                    check.update(chunk)
                return check.hexdigest()

            ours_down_s, down_digest = timed(download)
            assert down_digest == digest, "samdrift sent other bytes"
            if n:
                times["raw_up"].append(up_s)
                times["raw_down"].append(down_s)
                times["up"].append(ours_up_s)
                times["down"].append(ours_down_s)
        results[size] = times
    return results


def report(
    results: dict,
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
        times = results[size]
        mbps = {k: (size / MB) / statistics.median(v) for k, v in times.items()}
        up_ratio = mbps["up"] / mbps["raw_up"]
        down_ratio = mbps["down"] / mbps["raw_down"]
        print(f"  {size // MB} MB x {repeat} (median):")
        print(
            f"    upload:   samdrift {mbps['up']:7.1f} MB/s   raw PUT {mbps['raw_up']:7.1f} MB/s"
            f"   ratio {up_ratio:.2f}  {'PASS' if up_ratio >= FLOOR else 'FAIL'}"
        )
        print(
            f"    download: samdrift {mbps['down']:7.1f} MB/s   raw GET {mbps['raw_down']:7.1f} MB/s"
            f"   ratio {down_ratio:.2f}  {'PASS' if down_ratio >= FLOOR else 'FAIL'}"
        )
        failed |= up_ratio < FLOOR or down_ratio < FLOOR
    print(
        f"  server peak resident memory: {rss_peak:.0f} MB (idle {rss_idle:.0f} MB) with files "
        f"of up to {max(sizes) // MB} MB"
    )
    print(f"  load average at end: {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}")
    print(f"  floor: ratio >= {FLOOR:.2f} each way: {'FAIL' if failed else 'PASS'}")
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--setup"]:
        setup_child()
    else:
        sys.exit(main())
