"""Benchmark of live co-editing (issue 15): Yjs updates through samdrift vs a bare
pycrdt-websocket server, in the same run.

    make bench-coediting     (BENCH_COEDIT_CLIENTS=50, BENCH_COEDIT_ROUNDS=100,
                              BENCH_COEDIT_DOCS=50, BENCH_COEDIT_EDITORS=5; REDIS_URL for part 2;
                              BENCH_COEDIT_DB=postgres for all three on PostgreSQL, BENCH_PG)

1. One note, 50 clients: each round one client (in turn) types into the note and sends the
   update; delivery is from the send to the moment each of the other 49 has the update frame.
   samdrift (`samdrift serve`, one worker, in-memory channel layer, SQLite): every update is
   checked (rights again, generation), written, then shared. Bare: `bench/coedit_bare.py`,
   pycrdt-websocket's own Channels consumer on the same stack, which relays every frame and
   checks and writes nothing. Rounds
   alternate between the two servers, so a busy moment weighs on both. Goal: p99 within 20 %.
2. 50 documents with 5 editors each on two worker processes over Redis (editors of one
   document land on either process), samdrift and bare alike: each round every document gets
   one edit at once; delivery to its 4 other editors.
3. Persistence per update: `services.update_accept` (what the server does per update besides
   the network) vs the bare write, one INSERT and COMMIT per update on the same database.
The clients are Python y-websocket clients (pycrdt, `websockets`) in this process.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_live import BIN, ROOT, served
from support import (
    free_port,
    login_session,
    migrated_test_database,
    pg_execute,
    production_env,
)

sys.path.insert(0, str(ROOT))
CLIENTS = int(os.environ.get("BENCH_COEDIT_CLIENTS", "50"))
ROUNDS = int(os.environ.get("BENCH_COEDIT_ROUNDS", "100"))
DOCS = int(os.environ.get("BENCH_COEDIT_DOCS", "50"))
EDITORS = int(os.environ.get("BENCH_COEDIT_EDITORS", "5"))
WARMUP = 5
WRITES = 500


def seed(data_dir: Path, database_url: str = "") -> dict[str, Any]:
    if database_url:  # the same, on PostgreSQL (BENCH_COEDIT_DB=postgres)
        os.environ.update(
            SAMDRIFT_DATA_DIR=str(data_dir),
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=database_url,
        )
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
    else:
        migrated_test_database(data_dir)
    from samdrift.accounts.models import User
    from samdrift.coediting.models import LiveDoc
    from samdrift.collaboration.models import Member, Workspace
    from samdrift.tests.factories import MembershipFactory, OrganisationFactory

    agency = OrganisationFactory(name="Myndighet A")
    workspace = Workspace.objects.create(
        name="Bänk", owner_org=agency, classification=0, quota_bytes=10**9
    )
    people = max(CLIENTS, EDITORS)
    users = [User.objects.create_user(f"skribent{i}") for i in range(people)]
    for user in users:
        MembershipFactory(user=user, organisation=agency, role="member")
        Member.objects.create(workspace=workspace, user=user, organisation=agency, role="editor")
    note = LiveDoc.objects.create(workspace=workspace, kind="note", title="Bänknotis")
    docs = [
        LiveDoc.objects.create(workspace=workspace, kind="note", title=f"Dok {n}")
        for n in range(DOCS)
    ]
    return {
        "note": note.pk,
        "docs": [d.pk for d in docs],
        "sessions": [login_session(u, loa_rank=3) for u in users],
        "actor_user": users[0],
    }


class YClient:
    """One y-websocket client: answers the sync steps, applies what comes, and notes when an
    update frame arrives."""

    def __init__(self, url: str, headers: dict[str, str], origin: str | None) -> None:
        from pycrdt import Doc, Text

        self.url, self.headers, self.origin = url, headers, origin
        self.doc = Doc()
        self.doc["bench"] = self.text = Text()
        self.arrived: list[float] = []
        self.synced = asyncio.Event()

    async def run(self) -> None:
        from pycrdt import YMessageType, YSyncMessageType
        from websockets.asyncio.client import connect

        from samdrift.coediting import protocol

        kwargs: dict[str, Any] = {"additional_headers": self.headers, "open_timeout": 60}
        if self.origin:
            kwargs["origin"] = self.origin
        async with connect(self.url, **kwargs) as ws:
            self.ws = ws
            await ws.send(protocol.sync_frame(YSyncMessageType.SYNC_STEP1, self.doc.get_state()))
            async for raw in ws:
                now = time.perf_counter()
                frame = protocol.parse(raw)  # type: ignore[arg-type]
                if frame.type != YMessageType.SYNC:
                    continue
                if frame.step == YSyncMessageType.SYNC_STEP1:
                    missing = self.doc.get_update(frame.payload)
                    await ws.send(protocol.sync_frame(YSyncMessageType.SYNC_STEP2, missing))
                    continue
                self.doc.apply_update(frame.payload)
                if frame.step == YSyncMessageType.SYNC_STEP2:
                    self.synced.set()
                else:
                    self.arrived.append(now)

    async def edit(self, marker: str) -> float:
        from samdrift.coediting import protocol

        before = self.doc.get_state()
        self.text += marker
        update = self.doc.get_update(before)
        start = time.perf_counter()
        await self.ws.send(protocol.update_frame(update))
        return start


async def open_clients(make: Any, count: int) -> tuple[list[YClient], list[asyncio.Task[None]]]:
    clients = [make(i) for i in range(count)]
    tasks = []
    for first in range(0, count, 10):  # as people arrive, not all in one instant
        tasks += [asyncio.create_task(c.run()) for c in clients[first : first + 10]]
        await asyncio.wait_for(
            asyncio.gather(*(c.synced.wait() for c in clients[first : first + 10])), 60
        )
    return clients, tasks


async def one_round(group: list[list[YClient]], sender_index: int, keep: list[float]) -> None:
    """In every group one client edits; wait until each other client of its group has it."""
    counts = [[len(c.arrived) for c in clients] for clients in group]
    starts = [await c[sender_index % len(c)].edit(f"[{sender_index}]") for c in group]
    deadline = time.monotonic() + 30
    for g, clients in enumerate(group):
        for i, client in enumerate(clients):
            if i == sender_index % len(clients):
                continue
            while len(client.arrived) <= counts[g][i]:
                if time.monotonic() > deadline:
                    raise RuntimeError("an update did not arrive within 30 s")
                await asyncio.sleep(0.001)
            keep.append((client.arrived[counts[g][i]] - starts[g]) * 1000)


def pct(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": statistics.median(values), "p99": cuts[98], "max": max(values)}


async def part_one(port: int, bare_port: int, data: dict[str, Any]) -> tuple[list[float], ...]:
    origin = f"http://127.0.0.1:{port}"
    ours, ours_tasks = await open_clients(
        lambda i: YClient(
            f"ws://127.0.0.1:{port}/ws/coedit/{data['note']}",
            {"Cookie": f"sessionid={data['sessions'][i]}"},
            origin,
        ),
        CLIENTS,
    )
    bare, bare_tasks = await open_clients(
        lambda i: YClient(f"ws://127.0.0.1:{bare_port}/bench-note", {}, None), CLIENTS
    )
    a: list[float] = []
    b: list[float] = []
    for n in range(WARMUP + ROUNDS):
        await one_round([ours], n, a if n >= WARMUP else [])
        await asyncio.sleep(0.02)
        await one_round([bare], n, b if n >= WARMUP else [])
        await asyncio.sleep(0.02)
    for task in ours_tasks + bare_tasks:
        task.cancel()
    return a, b


async def part_two(port: int, bare_port: int, data: dict[str, Any]) -> tuple[list[float], ...]:
    origin = f"http://127.0.0.1:{port}"
    ours_groups, bare_groups, tasks = [], [], []
    for d, doc_id in enumerate(data["docs"]):
        clients, t = await open_clients(
            lambda i, doc_id=doc_id: YClient(
                f"ws://127.0.0.1:{port}/ws/coedit/{doc_id}",
                {"Cookie": f"sessionid={data['sessions'][i]}"},
                origin,
            ),
            EDITORS,
        )
        ours_groups.append(clients)
        tasks += t
        clients, t = await open_clients(
            lambda i, d=d: YClient(f"ws://127.0.0.1:{bare_port}/doc-{d}", {}, None), EDITORS
        )
        bare_groups.append(clients)
        tasks += t
    a: list[float] = []
    b: list[float] = []
    rounds = max(10, ROUNDS // 5)
    for n in range(WARMUP + rounds):
        await one_round(ours_groups, n, a if n >= WARMUP else [])
        await asyncio.sleep(0.05)
        await one_round(bare_groups, n, b if n >= WARMUP else [])
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    return a, b


def part_three(data: dict[str, Any]) -> tuple[float, float]:
    from django.db import connection
    from pycrdt import Doc, Text

    from samdrift.accounts.selectors import actor_for_user
    from samdrift.coediting import services
    from samdrift.coediting.models import LiveDoc

    actor = actor_for_user(data["actor_user"], loa_rank=3)
    doc = LiveDoc.objects.get(pk=data["docs"][0])
    source = Doc()
    source["bench"] = text = Text()
    updates = []
    for n in range(WRITES):
        before = source.get_state()
        text += f"[{n}]"
        updates.append(source.get_update(before))
    start = time.perf_counter()
    for update in updates:
        services.update_accept(actor=actor, doc_id=doc.pk, generation=doc.generation, update=update)
    ours = (time.perf_counter() - start) / WRITES * 1000
    if connection.vendor == "postgresql":
        return ours, _bare_postgres(updates, doc.pk)
    path = connection.settings_dict["NAME"]
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE bare_update (id INTEGER PRIMARY KEY, doc INT, data BLOB, at REAL)")
    start = time.perf_counter()
    for update in updates:
        raw.execute(
            "INSERT INTO bare_update (doc, data, at) VALUES (?, ?, ?)",
            (doc.pk, update, time.time()),
        )
        raw.commit()
    bare = (time.perf_counter() - start) / WRITES * 1000
    raw.close()
    return ours, bare


def _bare_postgres(updates: list[bytes], doc_id: int) -> float:
    """One INSERT and COMMIT per update through psycopg, no ORM: the bare write on PostgreSQL."""
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"]) as raw:
        raw.execute(
            "CREATE TABLE bare_update (id bigserial PRIMARY KEY, doc int, data bytea, at double precision)"
        )
        raw.commit()
        start = time.perf_counter()
        for update in updates:
            raw.execute(
                "INSERT INTO bare_update (doc, data, at) VALUES (%s, %s, %s)",
                (doc_id, update, time.time()),
            )
            raw.commit()
        return (time.perf_counter() - start) / WRITES * 1000


def report(title: str, ours: list[float], bare: list[float]) -> None:
    a, b = pct(ours), pct(bare)
    print(f"\n{title}")
    print(f"  {'':30} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'deliveries':>11}")
    print(f"  {'samdrift':30} {a['p50']:8.2f} {a['p99']:8.2f} {a['max']:8.2f} {len(ours):11}")
    print(
        f"  {'bare pycrdt-websocket':30} {b['p50']:8.2f} {b['p99']:8.2f} {b['max']:8.2f} {len(bare):11}"
    )
    print(
        f"  ratio samdrift / bare: p50 {a['p50'] / b['p50']:.2f}×, p99 {a['p99'] / b['p99']:.2f}×"
    )


def bare_server(port: int, workers: int) -> list[str]:
    return [
        str(BIN / "gunicorn"), "--chdir", str(ROOT / "bench"), "-k", "uvicorn_worker.UvicornWorker",
        "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5",
        "coedit_bare:application",
    ]  # fmt: skip


def main() -> None:
    """On SQLite (the embedded default) or, with BENCH_COEDIT_DB=postgres, on a fresh database
    of the PostgreSQL at BENCH_PG (what a deployment that runs several server processes over
    Redis uses), dropped at the end."""
    if os.environ.get("BENCH_COEDIT_DB", "sqlite") != "postgres":
        run("")
        return
    server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
    database = f"bench_coedit_{os.getpid()}"
    if not pg_execute(server, f'CREATE DATABASE "{database}"'):
        raise SystemExit(f"PostgreSQL at {server} is not reachable")
    try:
        run(server.rsplit("/", 1)[0] + "/" + database)
    finally:
        from django.db import connections

        connections.close_all()
        pg_execute(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def run(database_url: str) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-coedit-") as tmp:
        data_dir = Path(tmp)
        # The served samdrift runs as deployed: production settings (the test settings close
        # the database connection after every call). Their keys are in os.environ before the
        # seed, so the sessions it makes open in the server.
        env = production_env(data_dir)
        data = seed(data_dir, database_url)
        env = {k: v for k, v in env.items() if k not in ("REDIS_URL", "DATABASE_URL")}
        if database_url:
            env["DATABASE_URL"] = database_url
        load = os.getloadavg()[0]
        print(
            f"bench_coediting: {CLIENTS} clients on one note × {ROUNDS} edits; {DOCS} documents × "
            f"{EDITORS} editors; {'PostgreSQL' if database_url else 'SQLite'}; load {load:.2f} "
            f"({os.cpu_count()} cores)"
        )
        port, bare_port = free_port(), free_port()
        serve = [str(BIN / "samdrift"), "serve", "--port", str(port), "--workers", "1"]
        bare = bare_server(bare_port, 1)
        with (
            served(serve, env, port, data_dir / "samdrift-1.log"),
            served(bare, env, bare_port, data_dir / "bare.log"),
        ):
            ours, theirs = asyncio.run(part_one(port, bare_port, data))
        report(f"1. one note, {CLIENTS} clients, update → seen by each other client", ours, theirs)
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
            port, bare_port = free_port(), free_port()
            serve = [str(BIN / "samdrift"), "serve", "--port", str(port), "--workers", "2"]
            bare = bare_server(bare_port, 2)
            with (
                served(serve, env, port, data_dir / "samdrift-2.log"),
                served(bare, env, bare_port, data_dir / "bare-2.log"),
            ):
                ours, theirs = asyncio.run(part_two(port, bare_port, data))
            report(
                f"2. {DOCS} documents × {EDITORS} editors, 2 processes over Redis",
                ours,
                theirs,
            )
        else:
            print("\n2. skipped: set REDIS_URL to measure two processes over Redis")
        ours_ms, bare_ms = part_three(data)
        print(
            f"\n3. persistence per update ({WRITES} updates, "
            f"{'PostgreSQL' if database_url else 'SQLite'})"
        )
        print(
            f"  services.update_accept: {ours_ms:.2f} ms; bare INSERT+COMMIT: {bare_ms:.2f} ms; "
            f"ratio {ours_ms / bare_ms:.2f}×"
        )


if __name__ == "__main__":
    main()
