"""`make bench`: the main pages and API lists on the national dataset, over real HTTP.

    make bench                               build (or reuse) var/bench/national.sqlite3
    python bench/bench_pages.py --db FILE    use an existing national database instead

1. Data. The national dataset (`samdrift migrate` + `samdrift demo --scale national`: 270,000
   officials, 5,000 cases with history, 20,000 requests on top of the 2021 demo) and the plain
   2021 demo, each built once in var/bench/ and reused while the demo loaders and migrations are
   unchanged. Every run works on a throw-away copy (logging in writes a session).
2. Server. `samdrift serve` (gunicorn, 2 workers x 4 threads) with the production settings
   (config.settings.prod; SAMDRIFT_LOCAL_LOGIN=1 so the demo admin can log in, cookies not
   Secure because this is plain HTTP on loopback). The client logs in as `admin` through the
   login form, with a real session and CSRF token.
3. Figures per page: p50 and p95 of the time for one request from a single client (sequential,
   so no queueing: the server's own time plus loopback), and throughput with a few concurrent
   clients (a bounded number of requests). Each is also given as a ratio to /healthz, a trivial
   view of the same server measured in the same run.
4. Query count per page, in-process with Django's test client and CaptureQueriesContext, on the
   2021 demo and on the national dataset: equal counts show the pages do not query per row.

Floors: p95 under 100 ms for every page; the same query count on both datasets. Prints PASS or
FAIL per floor and exits non-zero if one fails. A page that does not exist yet (404) is reported
as missing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from support import free_port, production_env, use_production_settings

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"
PAGES = [
    ("start page", "/"),
    ("overview", "/overview/"),
    ("agency list", "/agencies/"),
    ("case list", "/connections/"),
    ("demand report", "/connections/demand/?year=2021"),
    ("API agencies", "/api/v1/agencies"),
    ("API cases", "/api/v1/cases"),
    ("API requests", "/api/v1/requests"),
    ("API subscriptions", "/api/v1/subscriptions"),
]
BASELINE = ("trivial view", "/healthz")
USERNAME, PASSWORD = "admin", "samdrift-demo"
FLOOR_P95_MS = 100.0
WARMUP = 5
SEQUENTIAL = int(os.environ.get("BENCH_SEQUENTIAL", "60"))
CONCURRENT = int(os.environ.get("BENCH_CONCURRENT", "120"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
TIMEOUT = 30
# The application's own time per request (samdrift.core.timing), in milliseconds.
SERVER_TIMING = re.compile(r"\bapp;dur=([0-9.]+)")


# --- the datasets -----------------------------------------------------------------------------


def _cache_key(scale: str) -> str:
    """Changes when the demo loaders or any migration change: then the dataset is rebuilt."""
    digest = hashlib.sha256(scale.encode())
    sources = sorted((ROOT / "samdrift" / "demo").glob("*.py"))
    sources += sorted((ROOT / "samdrift").glob("*/demo.py"))
    sources += sorted((ROOT / "samdrift").glob("*/migrations/0*.py"))
    for path in sources:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _samdrift(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "samdrift.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode:
        raise SystemExit(
            f"samdrift {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the main file so that copying the one file copies everything."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def dataset(scale: str, *, rebuild: bool = False) -> tuple[Path, str]:
    """The cached database of `scale` (report or national), built when missing or stale."""
    CACHE.mkdir(parents=True, exist_ok=True)
    target, stamp = CACHE / f"{scale}.sqlite3", CACHE / f"{scale}.key"
    key = _cache_key(scale)
    if not rebuild and target.exists() and stamp.exists() and stamp.read_text() == key:
        return target, "cached"
    building = CACHE / f"{scale}.building.sqlite3"
    for leftover in CACHE.glob(f"{scale}.building.sqlite3*"):
        leftover.unlink()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=f"sqlite:///{building}",
        SAMDRIFT_DATA_DIR=str(CACHE / "data"),
    )
    print(f"Building the {scale} dataset in {target.relative_to(ROOT)} …", flush=True)
    started = time.perf_counter()
    _samdrift(["migrate", "--noinput", "-v0", "--skip-checks"], env)
    migrated = time.perf_counter()
    scale_args = ["--scale", "national"] if scale == "national" else []
    output = _samdrift(["demo", "--skip-checks", *scale_args], env)
    finished = time.perf_counter()
    _checkpoint(building)
    for leftover in CACHE.glob(f"{scale}.sqlite3*"):
        leftover.unlink()
    building.rename(target)
    for leftover in CACHE.glob(f"{scale}.building.sqlite3*"):
        leftover.unlink()
    stamp.write_text(key)
    loaded = re.search(r"National scale loaded in ([\d.]+) s[^\n]*", output)
    note = f"built now: migrate {migrated - started:.1f} s, demo {finished - migrated:.1f} s" + (
        f" ({loaded.group(0)})" if loaded else ""
    )
    return target, note


def working_copy(source: Path, into: Path) -> Path:
    _checkpoint(source)
    copy = into / source.name
    shutil.copyfile(source, copy)
    return copy


def sizes(path: Path) -> dict[str, int]:
    tables = {
        "users": "accounts_user",
        "memberships": "organisations_membership",
        "agencies": "organisations_organisation",
        "cases": "onboarding_connectioncase",
        "requests": "onboarding_servicerequest",
        "subscriptions": "onboarding_subscription",
        "case events": "onboarding_caseevent",
    }
    with sqlite3.connect(path) as db:
        return {
            name: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for name, table in tables.items()
        }


# --- query counts, in-process -----------------------------------------------------------------


def count_queries(db: Path) -> dict[str, int | None]:
    """Runs in a child process (one database per process): query count per page, second GET."""
    use_production_settings(
        db.parent / "data",
        hosts="testserver",
        DATABASE_URL=f"sqlite:///{db}",
        SAMDRIFT_LOCAL_LOGIN="1",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from samdrift.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=USERNAME))
    counts: dict[str, int | None] = {}
    for _name, path in [BASELINE, *PAGES]:
        client.get(path)  # the first request fills per-process caches (translations, content)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        counts[path] = len(queries) if response.status_code == 200 else None
    return counts


def query_counts(db: Path) -> dict[str, int | None]:
    result = subprocess.run(
        [sys.executable, __file__, "--count-queries", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"query count on {db.name} failed:\n{result.stderr[-4000:]}")
    counts: dict[str, int | None] = json.loads(result.stdout.strip().splitlines()[-1])
    return counts


# --- the server and the clients ---------------------------------------------------------------


def start_server(db: Path, data_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = production_env(
        data_dir,
        DATABASE_URL=f"sqlite:///{db}",
        SAMDRIFT_LOCAL_LOGIN="1",
        SAMDRIFT_SERVER_TIMING="1",  # the app's own time in a Server-Timing header
    )
    serve = ROOT / "samdrift" / "ui" / "management" / "commands" / "serve.py"
    if serve.exists():
        argv = [sys.executable, "-m", "samdrift.cli", "serve", "--port", str(port)]
    else:  # the documented equivalent of `samdrift serve`
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        argv = [gunicorn, "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--threads", "4"]
    with log.open("wb") as out:
        return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


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


def log_in(base: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=TIMEOUT)
    if page.status_code != 200:
        raise SystemExit(f"login page: HTTP {page.status_code}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if not token:
        raise SystemExit("no CSRF token on the login page")
    answer = session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token.group(1), "username": USERNAME, "password": PASSWORD},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"login as {USERNAME} failed: HTTP {answer.status_code}")
    return session


@dataclass
class Figures:
    name: str
    path: str
    status: int = 0
    latencies: list[float] = field(default_factory=list)
    server: list[float] = field(default_factory=list)
    rate: float = 0.0
    errors: int = 0

    @property
    def times(self) -> list[float]:
        """Server time when gunicorn logged it for every request, else what the client saw."""
        return self.server if len(self.server) == len(self.latencies) else self.latencies

    @property
    def p50(self) -> float:
        return statistics.median(self.times) * 1000

    @property
    def p95(self) -> float:
        return _p95(self.times)

    @property
    def client_p95(self) -> float:
        return _p95(self.latencies)

    @property
    def measured(self) -> bool:
        return self.status == 200 and bool(self.latencies)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94] * 1000


def _timed_get(
    session: requests.Session, url: str, tag: str, server: list[float] | None = None
) -> tuple[int, float]:
    """One GET; `server` gets the application's own time from its Server-Timing header
    (SAMDRIFT_SERVER_TIMING=1: uvicorn workers write no request times to gunicorn's log)."""
    began = time.perf_counter()
    response = session.get(url, timeout=TIMEOUT, allow_redirects=False, headers={"X-Bench": tag})
    _body = response.content  # the whole body, as a browser would read it
    elapsed = time.perf_counter() - began
    timing = SERVER_TIMING.search(response.headers.get("Server-Timing", ""))
    if server is not None and timing:
        server.append(float(timing.group(1)) / 1000)
    return response.status_code, elapsed


def measure(base: str, session: requests.Session, index: int, name: str, path: str) -> Figures:
    figures = Figures(name, path)
    url = base + path
    figures.status = session.get(url, timeout=TIMEOUT, allow_redirects=False).status_code
    if figures.status != 200:
        return figures
    for _ in range(WARMUP):
        _timed_get(session, url, "warmup")
    for _ in range(SEQUENTIAL):
        status, seconds = _timed_get(session, url, f"seq-{index}", figures.server)
        figures.errors += status != 200
        figures.latencies.append(seconds)
    # Throughput: CLIENTS threads, each with its own connection and the same login.
    remaining = iter(range(CONCURRENT))
    lock = threading.Lock()

    def client() -> None:
        own = requests.Session()
        own.cookies.update(session.cookies)
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            status, _seconds = _timed_get(own, url, f"par-{index}")
            if status != 200:
                with lock:
                    figures.errors += 1

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures.rate = CONCURRENT / (time.perf_counter() - started)
    return figures


# --- the report -------------------------------------------------------------------------------


def report(
    figures: list[Figures],
    baseline: Figures,
    counts_report: dict[str, int | None],
    counts_national: dict[str, int | None],
) -> bool:
    ok = True
    source = "server (gunicorn)" if baseline.times is baseline.server else "client"
    print(f"p50/p95: {source} time of {SEQUENTIAL} sequential requests; client p95 alongside")
    header = (
        f"{'page':<18} {'path':<31} {'p50 ms':>7} {'p95 ms':>7} {'client':>7} {'req/s':>7} "
        f"{'p50 x':>6} {'req/s /':>8} {'queries':>9}  p95<{FLOOR_P95_MS:.0f}ms  queries flat"
    )
    print(header)
    print(
        f"{'':<18} {'':<31} {'':>7} {'':>7} {'p95 ms':>7} {'':>7} {'triv.':>6} {'triv.':>8} "
        f"{'rep/nat':>9}"
    )
    print("-" * len(header))
    for row in [baseline, *figures]:
        small, large = counts_report.get(row.path), counts_national.get(row.path)
        queries = f"{small if small is not None else '-'}/{large if large is not None else '-'}"
        if not row.measured:
            state = "MISSING" if row.status == 404 else f"ERROR (HTTP {row.status})"
            print(f"{row.name:<18} {row.path:<31} {state}")
            if row is not baseline and row.status != 404:
                ok = False
            continue
        ratio_time = row.p50 / baseline.p50 if baseline.measured else float("nan")
        ratio_rate = row.rate / baseline.rate if baseline.measured else float("nan")
        if row is baseline:
            verdicts = ""
        else:
            fast = row.p95 < FLOOR_P95_MS and not row.errors
            flat = small is not None and small == large
            ok = ok and fast and flat
            verdicts = f"  {'PASS' if fast else 'FAIL':<10} {'PASS' if flat else 'FAIL'}"
            if row.errors:
                verdicts += f"  ({row.errors} non-200 answers)"
        print(
            f"{row.name:<18} {row.path:<31} {row.p50:7.1f} {row.p95:7.1f} {row.client_p95:7.1f} "
            f"{row.rate:7.1f} "
            f"{ratio_time:6.1f} {ratio_rate:8.2f} {queries:>9}{verdicts}"
        )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing national-scale SQLite database")
    parser.add_argument(
        "--rebuild", action="store_true", help="build the cached datasets again (times the load)"
    )
    parser.add_argument("--count-queries", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count_queries:
        print(json.dumps(count_queries(args.count_queries)))
        return

    if args.db:
        national, national_note = args.db.resolve(), "given with --db"
    else:
        national, national_note = dataset("national", rebuild=args.rebuild)
    small, small_note = dataset("report", rebuild=args.rebuild)
    work = Path(tempfile.mkdtemp(prefix="samdrift-bench-pages-"))
    try:
        (work / "national").mkdir()
        (work / "report").mkdir()
        national_copy = working_copy(national, work / "national")
        small_copy = working_copy(small, work / "report")
        print("bench-pages: main pages and API lists, production settings, real HTTP on loopback")
        for label, path, note in (
            ("national", national, national_note),
            ("report", small, small_note),
        ):
            figures = ", ".join(f"{v:,} {k}" for k, v in sizes(path).items())
            print(f"  {label} dataset: {path} ({note})\n    {figures}")
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"  machine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min) at start")
        print(
            f"  per page: {WARMUP} warm-up, {SEQUENTIAL} sequential requests (p50/p95), "
            f"{CONCURRENT} requests from {CLIENTS} concurrent clients (req/s); "
            f"server: samdrift serve (gunicorn 2 workers x 4 threads)\n"
        )
        sys.stdout.flush()
        counts_report = query_counts(small_copy)
        counts_national = query_counts(national_copy)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = work / "server.log"
        server = start_server(national_copy, work / "data", port, log)
        try:
            wait_for(f"{base}{BASELINE[1]}", server, log)
            session = log_in(base)
            measured = [
                measure(base, session, index, name, path)
                for index, (name, path) in enumerate([BASELINE, *PAGES])
            ]
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
        baseline, figures = measured[0], measured[1:]
        ok = report(figures, baseline, counts_report, counts_national)
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"\n  load average at the end: {load}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print("All floors PASS." if ok else "A floor FAILED (see above).")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
