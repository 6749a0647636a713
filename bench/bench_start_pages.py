"""`make bench-start-pages`: the start page (`/`, next tasks per role) on the national dataset.

    python bench/bench_start_pages.py               build (or reuse) var/bench/national.sqlite3
    python bench/bench_start_pages.py --db FILE     use an existing national database instead

In-process with the production settings and Django's test client, on a throw-away copy of the
national dataset (270,000 officials, 5,000 cases; built and cached by bench_pages.py). For each
demo user (one per role), after a warm-up: p50 and p95 of one GET of the start page (the whole
request: middleware, the actor, every task's selectors, the template), and the query count. The
baseline, measured in the same run for the same user: the bare selector queries the page makes
(each task's first rows, one more than the page counts, and the roles), with the actor built once. The ratio shows
what the page costs on top of its reads.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_pages import dataset, working_copy
from support import use_production_settings

ROOT = Path(__file__).resolve().parent.parent
WARMUP = 3
RUNS = 40
ROLES = [
    ("admin", "provider administrator"),
    ("tjanst", "service manager"),
    ("kund", "account manager"),
    ("ekonomi", "finance"),
    ("sakerhet", "security"),
    ("kontakt.dv", "customer contact"),
    ("bestallare.skv", "orderer"),
    ("medlem.shk", "member"),
]


def _times(call: Callable[[], object], runs: int = RUNS) -> list[float]:
    for _ in range(WARMUP):
        call()
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def run(db: Path) -> None:
    use_production_settings(db.parent / "data", hosts="testserver", DATABASE_URL=f"sqlite:///{db}")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from samdrift.accounts.models import User
    from samdrift.accounts.selectors import actor_for_user
    from samdrift.core.actor import Actor
    from samdrift.ui.start import COUNTED, TASKS, role_lines

    print(
        f"{'role':<22}{'tasks':>6}{'queries':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'base p95':>10}{'ratio':>8}"
    )
    for username, role in ROLES:
        user = User.objects.filter(username=username).first()
        if user is None:
            print(f"{role:<22} (no demo user {username})")
            continue
        client = Client()
        client.force_login(user)
        actor = actor_for_user(user)

        def page(client: Client = client) -> None:
            response = client.get("/")
            assert response.status_code == 200, response.status_code

        def bare(actor: Actor = actor) -> None:
            role_lines(actor)
            for spec in TASKS:
                queryset = spec.read(actor)
                if queryset is not None:
                    list(queryset[: COUNTED + 1])

        page()
        queries: list[str] = []

        def count(execute: Any, sql: str, *args: Any, queries: list[str] = queries) -> Any:
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            page()
        tasks = sum(spec.read(actor) is not None for spec in TASKS)
        page_ms, base_ms = _times(page), _times(bare)
        ratio = _p95(page_ms) / _p95(base_ms)
        print(
            f"{role:<22}{tasks:>6}{len(queries):>9}{statistics.median(page_ms):>9.1f}"
            f"{_p95(page_ms):>9.1f}{_p95(base_ms):>10.1f}{ratio:>7.2f}x",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing national database (copied first)")
    args = parser.parse_args()
    source, note = (args.db, "given") if args.db else dataset("national")
    print(f"national dataset: {source} ({note}); {RUNS} requests per role after {WARMUP} warm-up")
    print("load average at start: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        run(working_copy(source, Path(tmp)))
    print("load average at end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
