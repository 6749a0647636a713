"""Benchmark of full-text search: 100,000 documents of generated Swedish-looking text.

    make bench-search        (BENCH_DOCS=100000, BENCH_QUERIES=300; BENCH_BACKENDS=sqlite skips
                              PostgreSQL; BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres)

Per backend, in a child process with its own fresh database (schema from migrate):
  1. 100,000 documents (~120 words each, a Zipf-distributed vocabulary of 30,000 words with
     å/ä/ö) owned by 2,000 workspaces are inserted into the index table in one transaction (the
     FTS5 triggers / the generated tsvector column do the indexing);
  2. the same queries (one word, two words, a prefix, a phrase; rare and common words) are run
     through `samdrift.core.search.selectors.search` for a user who sees 100 of the 2,000
     workspaces (tenancy inside the query), interleaved with
  3. the baseline: the bare full-text query in raw SQL on the same connection — MATCH / @@, the
     same visibility filter, ORDER BY the rank, LIMIT 21 — without samdrift's parsing, snippets
     or result objects.
Printed: p50/p95/max milliseconds of each, the ratio samdrift/baseline, the number of queries
per search (at 100,000 documents and, before loading, at 1,000), and the load average.
Floor (issue 11): p95 < 100 ms on this 2-core machine.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from support import pg_execute

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SYLLABLES = [
    "ar",
    "be",
    "för",
    "sä",
    "kö",
    "å",
    "ta",
    "le",
    "ning",
    "gen",
    "hand",
    "ling",
    "ö",
    "ver",
    "av",
    "tal",
    "upp",
    "drag",
    "mynd",
    "ig",
    "het",
    "ä",
    "ren",
    "de",
    "sam",
    "ord",
    "ska",
    "tt",
    "e",
    "pla",
    "tt",
    "form",
    "dok",
    "u",
    "ment",
    "rå",
    "d",
    "sk",
    "ydd",
    "lag",
]


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def child(count: int, queries: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from samdrift.core.search.selectors import Visibility, search

    rng = random.Random(11)
    words = vocabulary(30_000, rng)
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
    workspaces = 2_000
    visible_keys = [f"ws:{n}" for n in rng.sample(range(workspaces), 100)]
    figures: dict[str, Any] = {"docs": count, "load_start": os.getloadavg()[0]}

    def insert(first: int, last: int) -> None:
        rows = []
        for number in range(first, last):
            body = " ".join(rng.choices(words, cum_weights=cumulative, k=120))
            title = " ".join(rng.choices(words, cum_weights=cumulative, k=4)).capitalize()
            key = number % workspaces
            rows.append(("document", str(number), f"ws:{key}", key, title, body, "sv"))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_searchentry (kind, object_id, visibility_key, owner_org_id,"
                " title, body, language, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s,"
                " CURRENT_TIMESTAMP)",
                rows,
            )

    # Queries: words of every frequency, two-word, prefixes and phrases.
    picks = []
    for n in range(queries):
        kind = n % 5
        if kind == 0:
            picks.append(rng.choice(words[:200]))  # common
        elif kind == 1:
            picks.append(rng.choice(words[1000:]))  # rare
        elif kind == 2:
            picks.append(f"{rng.choice(words[:2000])} {rng.choice(words[:2000])}")
        elif kind == 3:
            picks.append(rng.choice(words[:5000])[:4])  # a prefix
        else:
            picks.append(f'"{rng.choice(words[:300])} {rng.choice(words[:300])}"')

    insert(0, 1000)
    with CaptureQueriesContext(connection) as captured:
        search(query=picks[0], visible=Visibility(keys=visible_keys))
    figures["queries_at_1000"] = len(captured)
    started = time.perf_counter()
    for first in range(1000, count, 5000):
        insert(first, min(count, first + 5000))
    figures["load_s"] = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE search_searchentry")
    else:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")

    from samdrift.core.search.query import fts5_match, parse_query, tsquery

    if connection.vendor == "postgresql":
        raw = (
            "SELECT e.id, ts_rank_cd(e.document, q) AS score FROM search_searchentry e,"
            " to_tsquery('simple', %s) q WHERE e.document @@ q AND e.visibility_key = ANY(%s)"
            " ORDER BY score DESC LIMIT 21"
        )

        def raw_params(text: str) -> list[Any]:
            return [tsquery(parse_query(text)), visible_keys]
    else:
        raw = (
            "SELECT e.id, bm25(search_fts, 5.0, 1.0) AS score FROM search_fts"
            " JOIN search_searchentry e ON e.id = search_fts.rowid WHERE search_fts MATCH %s"
            " AND e.visibility_key IN (SELECT value FROM json_each(%s)) ORDER BY score LIMIT 21"
        )

        def raw_params(text: str) -> list[Any]:
            return [fts5_match(parse_query(text)), json.dumps(visible_keys)]

    labels = ["common word", "rare word", "two words", "prefix", "phrase"]
    by_label: dict[str, list[float]] = {label: [] for label in labels}
    ours: list[float] = []
    base: list[float] = []
    hits = 0
    query_counts = set()
    for text in picks[:20]:  # warm-up of both
        search(query=text, visible=Visibility(keys=visible_keys))
    for number, text in enumerate(picks):
        params = raw_params(text)
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(raw, params)
            cursor.fetchall()
        base.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            page = search(query=text, visible=Visibility(keys=visible_keys))
            ours.append((time.perf_counter() - start) * 1000)
        by_label[labels[number % 5]].append(ours[-1])
        query_counts.add(len(captured))
        hits += len(page.hits)
    figures.update(
        ours_p50=statistics.median(ours),
        ours_p95=p(ours, 0.95),
        ours_max=max(ours),
        base_p50=statistics.median(base),
        base_p95=p(base, 0.95),
        base_max=max(base),
        queries=len(picks),
        hits=hits,
        queries_at_full=sorted(query_counts),
        p95_by_kind={label: p(values, 0.95) for label, values in by_label.items()},
        load_end=os.getloadavg()[0],
    )
    print(json.dumps(figures))


def run_backend(name: str, url: str, count: int, queries: int) -> dict[str, Any] | None:
    env = dict(
        os.environ,
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        SAMDRIFT_LOG_LEVEL="ERROR",
    )
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(count), str(queries)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        print(f"{name}: failed\n{result.stderr[-3000:]}")
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def report(name: str, f: dict[str, Any]) -> None:
    print(
        f"{name}: {f['docs']} documents loaded in {f['load_s']:.1f} s; {f['queries']} searches "
        f"for a user seeing 100 of 2,000 workspaces, {f['hits']} hits in all "
        f"(load average {f['load_start']:.2f} at start, {f['load_end']:.2f} at end)"
    )
    print(
        f"  raw FTS SQL (baseline)  p50 {f['base_p50']:6.2f} ms  p95 {f['base_p95']:6.2f} ms"
        f"  max {f['base_max']:7.2f} ms"
    )
    print(
        f"  samdrift search         p50 {f['ours_p50']:6.2f} ms  p95 {f['ours_p95']:6.2f} ms"
        f"  max {f['ours_max']:7.2f} ms   p95 ratio {f['ours_p95'] / f['base_p95']:.2f}×"
    )
    kinds = ", ".join(f"{label} {value:.1f}" for label, value in f["p95_by_kind"].items())
    print(f"  samdrift p95 by kind of query (ms): {kinds}")
    verdict = "meets" if f["ours_p95"] < 100 else "MISSES"
    print(
        f"  queries per search: {f['queries_at_1000']} at 1,000 documents, "
        f"{f['queries_at_full']} at {f['docs']}; p95 {verdict} the 100 ms floor"
    )


def main() -> int:
    count = int(os.environ.get("BENCH_DOCS", "100000"))
    queries = int(os.environ.get("BENCH_QUERIES", "300"))
    backends = os.environ.get("BENCH_BACKENDS", "sqlite,postgres").split(",")
    server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
    with tempfile.TemporaryDirectory() as tmp:
        if "sqlite" in backends:
            figures = run_backend("SQLite", f"sqlite:///{tmp}/bench_search.sqlite3", count, queries)
            if figures is None:
                return 1
            report("SQLite FTS5", figures)
        if "postgres" in backends:
            database = f"bench_search_{os.getpid()}"
            if not pg_execute(server, f'CREATE DATABASE "{database}"'):
                print("PostgreSQL: not reachable, skipped")
                return 0
            try:
                url = server.rsplit("/", 1)[0] + "/" + database
                figures = run_backend("PostgreSQL", url, count, queries)
            finally:
                pg_execute(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            if figures is None:
                return 1
            report("PostgreSQL", figures)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(main())
