"""`make bench-import-reads`: API reads with a token while a 200,000-row register import runs
(issue 19 item 2, ADR 0065 and ADR 0069), on SQLite, over real HTTP.

    make bench-import-reads                        200,000 rows
    BENCH_IMPORT_ROWS=20000 make bench-import-reads   a quicker run

1. Data. A fresh SQLite database (`samdrift migrate`), a provider with an administrator and a
   personal API token, and a register of N agencies already present (bulk-inserted, so the table
   has the same size before and during the import: list reads cost the same). The CSV to import
   changes every agency's employee count and puts one in a hundred under an umbrella group, so
   the import updates and audits all N rows and links N/100 parents.
2. Server. `samdrift serve` (gunicorn) with the production settings on a free loopback port.
3. Reads. One client, sequential, with `Authorization: Bearer …`: `GET /api/v1/agencies?limit=50`
   (a list over the whole table) and `GET /api/v1/agencies/{id}` alternately. First while idle
   (the baseline, same run), then for as long as `samdrift import-agencies` runs in its own
   process. p50, p95, max and the status of every answer.

Floors: no answer other than 200 during the import, the import itself exits 0, and the p95
during the import within 2x the idle p95 for each read. Prints PASS or FAIL and exits non-zero
if one fails.
"""

from __future__ import annotations

import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from support import free_port, production_env

ROOT = Path(__file__).resolve().parent.parent
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "200000"))
IDLE_REQUESTS = int(os.environ.get("BENCH_IDLE_REQUESTS", "200"))
FLOOR_RATIO = 2.0
TIMEOUT = 60

SETUP = r"""
import sys
from samdrift.accounts.selectors import actor_for_user
from samdrift.accounts.services import token_create
from samdrift.tests.factories import luhn_complete
from samdrift.organisations.models import Organisation, Membership
from samdrift.accounts.models import User

rows = int(sys.argv[1])
provider = Organisation.objects.create(
    name="Bench-leverantören", org_number="202100-5521", kind="provider"
)
user = User.objects.create_user(username="bench-admin", password="bench-not-secret-pw")
Membership.objects.create(user=user, organisation=provider, role="provider_admin")
batch = []
for i in range(rows):
    batch.append(Organisation(
        name=f"Bench-myndighet {i:06d}",
        org_number=luhn_complete(f"2021{i % 100000:05d}"),
        ministry="Finansdepartementet",
        employees=10,
        kind="customer",
    ))
    if len(batch) == 5000:
        Organisation.objects.bulk_create(batch)
        batch = []
Organisation.objects.bulk_create(batch)
_token, secret = token_create(actor=actor_for_user(user), name="bench")
print("BENCH-TOKEN", secret, provider.id)
"""


def loadavg() -> str:
    """The machine's load average: the VM is shared, so every figure is printed beside it."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def environment(db: Path, data: Path) -> dict[str, str]:
    return production_env(
        data,
        DATABASE_URL=f"sqlite:///{db}",
    )


def run(argv: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600, check=False
    )
    if result.returncode:
        raise SystemExit(
            f"{' '.join(argv[:4])} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout


def luhn_complete(first_nine: str) -> str:
    """Nine digits and their Luhn check digit, as NNNNNN-NNNN."""
    total = 0
    for index, char in enumerate(reversed(first_nine)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    digits = f"{first_nine}{(10 - total % 10) % 10}"
    return f"{digits[:6]}-{digits[6:]}"


def write_register(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["name", "org_number", "parent", "department", "employees"])
        for i in range(rows):
            writer.writerow(
                [
                    f"Bench-myndighet {i:06d}",
                    luhn_complete(f"2021{i % 100000:05d}"),
                    f"Bench-grupp {i // 10000}" if i % 100 == 0 else "",
                    "Finansdepartementet",
                    11 + i % 7,
                ]
            )


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else 0.0


def read_once(session: requests.Session, url: str) -> tuple[int, float]:
    start = time.perf_counter()
    try:
        status = session.get(url, timeout=TIMEOUT).status_code
    except requests.RequestException:
        status = 0
    return status, (time.perf_counter() - start) * 1000


def main() -> None:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp)
        env = environment(work / "bench.sqlite3", work / "data")
        (work / "data").mkdir()
        python = sys.executable
        print(f"rows: {ROWS:,}; SQLite (WAL) at {work / 'bench.sqlite3'}")
        print(f"load average at start (1/5/15 min): {loadavg()}", flush=True)
        setup_started = time.perf_counter()
        run([python, "-m", "samdrift.cli", "migrate", "--no-input"], env)
        setup = SETUP.replace("sys.argv[1]", str(ROWS))
        printed = run([python, "-m", "samdrift.cli", "shell", "-c", setup], env)
        line = next(x for x in printed.splitlines() if x.startswith("BENCH-TOKEN "))
        _tag, secret, provider_id = line.split()
        register = work / "register.csv"
        write_register(register, ROWS)
        print(
            f"setup (migrate, {ROWS:,} agencies, CSV): {time.perf_counter() - setup_started:.1f} s"
        )

        port = free_port()
        log = work / "server.log"
        argv = [python, "-m", "samdrift.cli", "serve", "--port", str(port)]
        with log.open("wb") as out:
            server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {secret}"
            urls = {
                "list": f"{base}/api/v1/agencies?limit=50",
                "detail": f"{base}/api/v1/agencies/{provider_id}",
            }
            deadline = time.monotonic() + 120
            while True:
                if server.poll() is not None:
                    raise SystemExit(f"the server stopped:\n{log.read_text()[-4000:]}")
                if read_once(session, urls["detail"])[0] == 200:
                    break
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not answer within 120 s")
                time.sleep(0.3)
            for _ in range(10):  # warm-up
                for url in urls.values():
                    read_once(session, url)

            idle: dict[str, list[float]] = {name: [] for name in urls}
            idle_errors = 0
            for _ in range(IDLE_REQUESTS):
                for name, url in urls.items():
                    status, ms = read_once(session, url)
                    idle[name].append(ms)
                    idle_errors += status != 200

            busy: dict[str, list[float]] = {name: [] for name in urls}
            statuses: dict[int, int] = {}
            importer = subprocess.Popen(
                [
                    python,
                    "-m",
                    "samdrift.cli",
                    "import-agencies",
                    str(register),
                    "--confirm-parent-changes",
                ],
                cwd=ROOT,
                env=env,
                stdout=(work / "import.out").open("w"),  # a file: a full pipe would stall it
                stderr=subprocess.STDOUT,
            )
            started = time.perf_counter()
            while importer.poll() is None:
                for name, url in urls.items():
                    status, ms = read_once(session, url)
                    busy[name].append(ms)
                    statuses[status] = statuses.get(status, 0) + 1
            import_seconds = time.perf_counter() - started
            load_after = loadavg()
            printed_by_import = (work / "import.out").read_text()
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)

    summary = printed_by_import.strip()[-300 if not importer.returncode else -3000 :]
    print(f"import: {import_seconds:.1f} s, exit {importer.returncode}: {summary}")
    print(f"load average when the import ended (1/5/15 min): {load_after}")
    failures: list[str] = []
    print(f"{'read':<8}{'phase':<8}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'ratio':>8}")
    for name in urls:
        base_p95 = p95(idle[name])
        for phase, values in (("idle", idle[name]), ("import", busy[name])):
            ratio = p95(values) / base_p95 if base_p95 else 0.0
            print(
                f"{name:<8}{phase:<8}{len(values):>7}{statistics.median(values):>9.1f}"
                f"{p95(values):>9.1f}{max(values):>9.1f}{ratio:>8.2f}"
            )
        ratio = p95(busy[name]) / base_p95 if base_p95 else float("inf")
        if not busy[name]:
            failures.append(f"{name}: no read during the import")
        elif ratio > FLOOR_RATIO:
            failures.append(
                f"{name}: p95 during the import is {ratio:.2f}x idle (floor {FLOOR_RATIO}x)"
            )
    non_ok = {status: n for status, n in statuses.items() if status != 200}
    print(f"answers during the import: {dict(sorted(statuses.items()))} (0 = no answer)")
    if idle_errors:
        failures.append(f"{idle_errors} idle reads were not 200")
    if non_ok:
        failures.append(f"reads during the import not 200: {non_ok}")
    if importer.returncode:
        failures.append("the import failed")
    print("PASS" if not failures else "FAIL: " + "; ".join(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
