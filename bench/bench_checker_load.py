"""`make bench-checker-load`: the login page while 12 large PDF checks are under way (issue 19
item 4, ADR 0110), on SQLite, over real HTTP.

    make bench-checker-load                         150,000 blank pages (the issue's file)
    BENCH_CHECKER_PAGES=20000 make bench-checker-load   a quicker run
    BENCH_CHECKER_PRIORITY=idle make bench-checker-load  checks also under SCHED_IDLE (ADR 0076)

1. Data. A fresh SQLite database, six users with personal API tokens, and a PDF of N blank pages
   written with pikepdf.
2. Processes. `samdrift serve` (gunicorn, production settings, local login on) on a free loopback
   port, and one `samdrift worker` running checks on all cores but one (`--concurrency`
   cores - 1, at least 1). The checker's limits are the defaults but the
   system-wide one, raised to 12 so that all 12 checks are under way at once.
3. Idle. `GET /accounts/login/` sequentially, BENCH_IDLE_REQUESTS times: p50, p95 (the baseline,
   same run).
4. Load. The six users post two checks each at the same time (12 uploads); a 13th from the first
   user must be refused with 429 and Retry-After. From the first upload until the last of the 12
   jobs has finished, the login page is read sequentially, as in 3. Each job's outcome and the time until the last
   one finished are printed.

Floors: every login answer 200, all 12 checks accepted (202) and finished, the 13th refused (429),
and the login p95 under load within 2x the idle p95. Prints PASS or FAIL, exits non-zero on FAIL.
"""

from __future__ import annotations

import concurrent.futures
import io
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pikepdf
import requests
from support import free_port, production_env

ROOT = Path(__file__).resolve().parent.parent
PAGES = int(os.environ.get("BENCH_CHECKER_PAGES", "150000"))
IDLE_REQUESTS = int(os.environ.get("BENCH_IDLE_REQUESTS", "200"))
USERS, PER_USER = 6, 2
FLOOR_RATIO = 2.0
# Checks run side by side on all but one core: the last is the web's (ADR 0110).
WORKER_THREADS = max(1, len(os.sched_getaffinity(0)) - 1)
WORKER_ARGV = [sys.executable, "-m", "samdrift.cli", "worker", "--schedules", "none"]
TIMEOUT = 120
# "idle" (the default: SCHED_IDLE + idle I/O, ADR 0076) or "nice" (nice 19 only) for comparison.
PRIORITY = os.environ.get("BENCH_CHECKER_PRIORITY", "nice")  # the product default (ADR 0076)

SETUP = r"""
from samdrift.accounts.models import User
from samdrift.accounts.selectors import actor_for_user
from samdrift.accounts.services import token_create

for i in range(6):
    user = User.objects.create_user(username=f"bench-{i}", password="bench-not-secret-pw")
    _token, secret = token_create(actor=actor_for_user(user), name="bench")
    print("BENCH-TOKEN", secret)
"""


def environment(db: Path, data: Path) -> dict[str, str]:
    return production_env(
        data,
        DATABASE_URL=f"sqlite:///{db}",
        SAMDRIFT_LOCAL_LOGIN="1",
        SAMDRIFT_ACCESSIBILITY_CHECKS_GLOBAL=str(USERS * PER_USER),
        SAMDRIFT_ACCESSIBILITY_CHECK_PRIORITY=PRIORITY,
    )


def loadavg() -> str:
    """The machine's load average: the VM is shared, so every figure is printed beside it."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(argv: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600, check=False
    )
    if result.returncode:
        raise SystemExit(f"{' '.join(argv[:4])} failed:\n{result.stderr[-4000:]}")
    return result.stdout


def blank_pdf(pages: int) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else 0.0


def get_once(session: requests.Session, url: str) -> tuple[int, float]:
    start = time.perf_counter()
    try:
        status = session.get(url, timeout=TIMEOUT).status_code
    except requests.RequestException:
        status = 0
    return status, (time.perf_counter() - start) * 1000


def wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server stopped while starting")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not answer within 120 s")


def post_check(base: str, secret: str, data: bytes, name: str) -> requests.Response:
    return requests.post(
        f"{base}/api/v1/accessibility/check",
        headers={"Authorization": f"Bearer {secret}"},
        files={"file": (name, data, "application/pdf")},
        timeout=TIMEOUT,
    )


def summary(label: str, times: list[float]) -> str:
    return (
        f"{label:<34} n={len(times):>4}  p50 {statistics.median(times):7.1f} ms  "
        f"p95 {p95(times):7.1f} ms  max {max(times):7.1f} ms"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-checker-") as tmp:
        work = Path(tmp)
        (work / "data").mkdir()
        env = environment(work / "bench.sqlite3", work / "data")
        python = sys.executable
        print(f"check priority: {PRIORITY}; worker threads: {WORKER_THREADS}")
        print(f"load average at start (1/5/15 min): {loadavg()}", flush=True)
        run([python, "-m", "samdrift.cli", "migrate", "--no-input"], env)
        printed = run([python, "-m", "samdrift.cli", "shell", "-c", SETUP], env)
        secrets = [x.split()[1] for x in printed.splitlines() if x.startswith("BENCH-TOKEN ")]
        started = time.perf_counter()
        pdf = blank_pdf(PAGES)
        print(
            f"PDF: {PAGES:,} blank pages, {len(pdf) / 1e6:.1f} MB "
            f"(written in {time.perf_counter() - started:.1f} s)"
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        logs = (work / "server.log").open("wb")
        server = subprocess.Popen(
            [python, "-m", "samdrift.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=logs,
            stderr=subprocess.STDOUT,
        )
        worker = subprocess.Popen(
            [*WORKER_ARGV, "--concurrency", str(WORKER_THREADS)],
            cwd=ROOT,
            env=env,
            stdout=logs,
            stderr=subprocess.STDOUT,
        )
        failures: list[str] = []
        try:
            login = f"{base}/accounts/login/"
            wait_until_up(login, server)
            session = requests.Session()
            for _ in range(20):  # warm up
                get_once(session, login)
            idle = [get_once(session, login) for _ in range(IDLE_REQUESTS)]
            idle_ms = [ms for _status, ms in idle]
            print(summary("login page, idle", idle_ms))
            if any(status != 200 for status, _ms in idle):
                failures.append("a login page answer while idle was not 200")

            # The login page is read from the moment the 12 uploads start until the last check
            # has finished (the uploads themselves are part of the load).
            busy: list[tuple[int, float]] = []
            stop = threading.Event()

            def sample() -> None:
                own = requests.Session()
                while not stop.is_set():
                    busy.append(get_once(own, login))

            sampler = threading.Thread(target=sample, daemon=True)
            load_start = time.perf_counter()
            sampler.start()
            with concurrent.futures.ThreadPoolExecutor(USERS * PER_USER) as pool:
                futures = [
                    pool.submit(post_check, base, secret, pdf, f"stor-{i}-{j}.pdf")
                    for i, secret in enumerate(secrets)
                    for j in range(PER_USER)
                ]
                answers = [f.result() for f in futures]
            accepted = [a.json()["job_id"] for a in answers if a.status_code == 202]
            print(
                f"12 uploads answered in {time.perf_counter() - load_start:.1f} s: "
                f"{len(accepted)} accepted (202), "
                f"others {[a.status_code for a in answers if a.status_code != 202]}"
            )
            if len(accepted) != USERS * PER_USER:
                failures.append("not all 12 checks were accepted")
            extra = post_check(base, secrets[0], pdf, "en-till.pdf")
            print(
                f"13th (first user's third): {extra.status_code}, "
                f"Retry-After {extra.headers.get('Retry-After')}"
            )
            if extra.status_code != 429 or not extra.headers.get("Retry-After"):
                failures.append("the 13th check was not refused with 429 and Retry-After")

            owners = {job: secrets[i // PER_USER] for i, job in enumerate(accepted)}
            finished: dict[int, dict] = {}
            deadline = time.monotonic() + 3600
            while len(finished) < len(accepted) and time.monotonic() < deadline:
                time.sleep(1.0)
                for job_id in set(accepted) - set(finished):
                    body = requests.get(
                        f"{base}/api/v1/jobs/{job_id}",
                        headers={"Authorization": f"Bearer {owners[job_id]}"},
                        timeout=TIMEOUT,
                    ).json()
                    if body["status"] in ("SUCCESSFUL", "FAILED"):
                        finished[job_id] = body
            stop.set()
            sampler.join(TIMEOUT)
            load_seconds = time.perf_counter() - load_start
            busy_ms = [ms for _status, ms in busy]
            outcomes: dict[str, int] = {}
            for body in finished.values():
                files = (body.get("result") or {}).get("files") or [{}]
                key = f"{body['status']}: {files[0].get('error') or 'checked'}"
                outcomes[key] = outcomes.get(key, 0) + 1
            print(f"12 checks finished {len(finished)}/12 in {load_seconds:.1f} s: {outcomes}")
            if len(finished) != len(accepted):
                failures.append("not every check finished")
            print(summary("login page, 12 checks under way", busy_ms))
            if any(status != 200 for status, _ms in busy):
                failures.append("a login page answer under load was not 200")
            print(f"load average after the checks (1/5/15 min): {loadavg()}")
            ratio = p95(busy_ms) / p95(idle_ms)
            print(f"p95 ratio, under load / idle: {ratio:.2f}x (floor: at most {FLOOR_RATIO:g}x)")
            if ratio > FLOOR_RATIO:
                failures.append(f"login p95 under load is {ratio:.2f}x idle")
        finally:
            for process in (worker, server):
                process.terminate()
            for process in (worker, server):
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
            logs.close()
        print("FAIL: " + "; ".join(failures) if failures else "PASS")
        if failures:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
