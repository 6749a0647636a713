"""Benchmark of live-update fan-out: one change to a case, delivered to 200 subscribed sessions.

    make bench-live             (BENCH_LIVE_SESSIONS=200, BENCH_LIVE_ROUNDS=30; with REDIS_URL
                                 set, the Redis channel layer is measured too)

What runs, per channel layer (in memory; then Redis when REDIS_URL is set):
  1. samdrift served by `samdrift serve` (gunicorn with uvicorn workers, `config.asgi`) on a
     fresh SQLite database: 200 users of an agency, each with a logged-in session, open
     `/ws/live/` with their session cookie and subscribe to `case:<id>` (tenancy checked per
     subscription). Each round the account manager ticks or unticks the case's checklist item
     with a real form POST; the service publishes after commit. Delivery time of a session is
     from the moment the POST is sent to the moment that session's socket has the event: it
     includes the request, its transaction and audit record (the POST's own time is printed).
  2. the baseline, in the same run and with the same server set-up: a bare Channels broadcast
     (`bench/live_echo.py`: a consumer that joins a group, `group_send` from a trigger socket; no
     session, no tenancy, no database). Delivery is from the trigger frame sent to arrival.
Printed: p50/p95/max delivery ms over all rounds × sessions, and samdrift's ratio to the
baseline. One worker process with the in-memory layer (it reaches its own process only, ADR
0026); two with Redis, so events cross processes. The clients are `websockets` in this process.
A browser would also re-fetch the page on each event; that is page load, not measured here.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SESSIONS = int(os.environ.get("BENCH_LIVE_SESSIONS", "200"))
ROUNDS = int(os.environ.get("BENCH_LIVE_ROUNDS", "30"))
WARMUP = 3
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(argv: list[str], env: dict[str, str], port: int, log: Path) -> Any:
    with log.open("w") as out:
        process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start, see {log}") from None
                time.sleep(0.1)
        yield process
    except BaseException:
        print(f"--- the server's log ({log.name}), last lines:", file=sys.stderr)
        print("\n".join(log.read_text().splitlines()[-80:]), file=sys.stderr)
        raise
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- samdrift ----------------------------------------------------------------------------------


def seed(data_dir: Path) -> dict[str, Any]:
    """The database both processes use: a case, its account manager, SESSIONS watchers."""
    os.environ["SAMDRIFT_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from samdrift.accounts.models import User
    from samdrift.accounts.selectors import actor_for_user
    from samdrift.onboarding import services
    from samdrift.onboarding.models import ChecklistTemplateItem
    from samdrift.organisations.models import Membership
    from samdrift.tests.factories import MembershipFactory, OrganisationFactory, ServiceFactory

    call_command("migrate", verbosity=0)
    service = ServiceFactory(code="EFOS")
    agency = OrganisationFactory(name="Myndighet A")
    manager = User.objects.create_user("kundansvarig")
    MembershipFactory(user=manager, organisation=service.provider, role="account_manager")
    ChecklistTemplateItem.objects.create(phase="initiate", text_sv="Behov", text_en="Needs")
    case = services.case_open(
        actor=actor_for_user(manager),
        organisation_id=agency.id,
        scope="single",
        service_codes=["EFOS"],
    )
    watchers = User.objects.bulk_create(User(username=f"bevakare{i}") for i in range(SESSIONS))
    Membership.objects.bulk_create(
        Membership(user=u, organisation=agency, role="member") for u in watchers
    )
    backend = settings.AUTHENTICATION_BACKENDS[0]

    def session_for(user: User) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return str(session.session_key)

    return {
        "case": case,
        "item_id": case.checklist_items.get().id,
        "manager_session": session_for(manager),
        "watcher_sessions": [session_for(u) for u in watchers],
    }


def post_change(port: int, data: dict[str, Any], done: bool) -> float:
    """The account manager's form POST (CSRF: the same secret in cookie and form)."""
    case = data["case"]
    case.refresh_from_db()
    token = secrets.token_hex(16)
    body = (f"csrfmiddlewaretoken={token}&version={case.version}&done={int(done)}").encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.perf_counter()
    connection.request(
        "POST",
        f"/connections/{case.id}/checklist/{data['item_id']}/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"sessionid={data['manager_session']}; csrftoken={token}",
        },
    )
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    if response.status != 302:
        raise RuntimeError(f"the change was refused: HTTP {response.status}")
    return elapsed


async def samdrift_round_trips(
    port: int, data: dict[str, Any]
) -> tuple[list[float], list[float], list[float]]:
    from websockets.asyncio.client import connect

    topic = f"case:{data['case'].id}"
    origin = f"http://127.0.0.1:{port}"
    arrivals: dict[int, list[float]] = {}
    subscribed = asyncio.Event()
    ready = 0

    async def watcher(session: str) -> None:
        nonlocal ready
        async with connect(
            f"ws://127.0.0.1:{port}/ws/live/",
            origin=origin,  # type: ignore[arg-type]
            additional_headers={"Cookie": f"sessionid={session}"},
            open_timeout=60,
        ) as ws:
            await ws.send(json.dumps({"subscribe": topic}))
            async for raw in ws:
                now = time.perf_counter()
                frame = json.loads(raw)
                if frame.get("subscribed") == topic:
                    ready += 1
                    if ready == SESSIONS:
                        subscribed.set()
                elif "event" in frame:
                    arrivals.setdefault(frame["event"]["version"], []).append(now)
                else:
                    raise RuntimeError(f"unexpected frame {frame}")

    tasks = [asyncio.create_task(watcher(s)) for s in data["watcher_sessions"]]
    await asyncio.wait_for(subscribed.wait(), timeout=120)
    delivery: list[float] = []
    posts: list[float] = []
    spreads: list[float] = []
    for round_ in range(WARMUP + ROUNDS):
        start = time.perf_counter()
        post = await asyncio.to_thread(post_change, port, data, round_ % 2 == 0)
        version = data["case"].version + 1
        await _all_arrived(arrivals, version)
        if round_ >= WARMUP:
            delivery.extend((t - start) * 1000 for t in arrivals[version])
            posts.append(post * 1000)
            spreads.append(_spread_ms(arrivals[version]))
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return delivery, posts, spreads


def _spread_ms(arrived: list[float]) -> float:
    """First to last session of one change: the fan-out itself, without what came before."""
    return (max(arrived) - min(arrived)) * 1000


async def _all_arrived(arrivals: dict[Any, list[float]], key: Any) -> None:
    deadline = time.monotonic() + 30
    while len(arrivals.get(key, ())) < SESSIONS:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(arrivals.get(key, ()))} of {SESSIONS} sessions got it")
        await asyncio.sleep(0.002)


# --- the bare Channels baseline ----------------------------------------------------------------


async def echo_round_trips(port: int) -> tuple[list[float], list[float]]:
    from websockets.asyncio.client import connect

    arrivals: dict[str, list[float]] = {}
    connected = 0
    all_connected = asyncio.Event()

    async def subscriber() -> None:
        nonlocal connected
        async with connect(f"ws://127.0.0.1:{port}/ws/", open_timeout=60) as ws:
            connected += 1
            if connected == SESSIONS:
                all_connected.set()
            async for raw in ws:
                arrivals.setdefault(str(raw), []).append(time.perf_counter())

    tasks = [asyncio.create_task(subscriber()) for _ in range(SESSIONS)]
    await asyncio.wait_for(all_connected.wait(), timeout=120)
    await asyncio.sleep(0.5)  # group_add runs before accept; let the last ones settle
    delivery: list[float] = []
    spreads: list[float] = []
    async with connect(f"ws://127.0.0.1:{port}/trigger/") as trigger:
        for round_ in range(WARMUP + ROUNDS):
            key = f"round-{round_}"
            start = time.perf_counter()
            await trigger.send(key)
            await _all_arrived(arrivals, key)
            if round_ >= WARMUP:
                delivery.extend((t - start) * 1000 for t in arrivals[key])
                spreads.append(_spread_ms(arrivals[key]))
            await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return delivery, spreads


# --- running and printing ----------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": statistics.median(values), "p95": cuts[94], "max": max(values)}


def measure(layer: str, data_dir: Path, data: dict[str, Any]) -> None:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env["SAMDRIFT_DATA_DIR"] = str(data_dir)
    workers = 1
    if layer == "redis":
        env["REDIS_URL"] = os.environ["REDIS_URL"]
        workers = 2
    load_start = os.getloadavg()
    port = free_port()
    serve = [str(BIN / "samdrift"), "serve", "--port", str(port), "--workers", str(workers)]
    with served(serve, env, port, data_dir / f"samdrift-{layer}.log"):
        delivery, posts, spreads = asyncio.run(samdrift_round_trips(port, data))
    port = free_port()
    echo = [
        str(BIN / "gunicorn"),
        "--chdir",
        str(ROOT / "bench"),
        "-k",
        "uvicorn_worker.UvicornWorker",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "live_echo:application",
    ]
    with served(echo, env, port, data_dir / f"echo-{layer}.log"):
        baseline, bare_spreads = asyncio.run(echo_round_trips(port))
    load_end = os.getloadavg()
    ours, bare = percentiles(delivery), percentiles(baseline)
    print(f"\n{layer} channel layer, {workers} worker(s), {SESSIONS} sessions × {ROUNDS} changes")
    print(f"  {'':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    print(
        f"  {'samdrift case:<id> (POST→socket)':34} "
        f"{ours['p50']:8.1f} {ours['p95']:8.1f} {ours['max']:8.1f}"
    )
    print(
        f"  {'bare Channels broadcast':34} {bare['p50']:8.1f} {bare['p95']:8.1f} {bare['max']:8.1f}"
    )
    print(
        f"  ratio samdrift / bare: p50 {ours['p50'] / bare['p50']:.2f}×, "
        f"p95 {ours['p95'] / bare['p95']:.2f}×"
    )
    print(f"  the change's POST alone: median {statistics.median(posts):.1f} ms")
    ours_spread, bare_spread = statistics.median(spreads), statistics.median(bare_spreads)
    print(
        f"  fan-out spread (first→last session of a change), median: samdrift "
        f"{ours_spread:.1f} ms, bare {bare_spread:.1f} ms, ratio {ours_spread / bare_spread:.2f}×"
    )
    print(
        f"  load average: {load_start[0]:.2f} at start, {load_end[0]:.2f} at end "
        f"({os.cpu_count()} cores)"
    )


def main() -> None:
    layers = ["memory"] + (["redis"] if os.environ.get("REDIS_URL") else [])
    layers = os.environ.get("BENCH_LIVE_LAYERS", ",".join(layers)).split(",")
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        data_dir = Path(tmp)
        data = seed(data_dir)
        print(
            f"bench_live: {SESSIONS} WebSocket sessions, {ROUNDS} changes per layer "
            f"(+{WARMUP} warm-up), layers: {', '.join(layers)}"
        )
        for layer in layers:
            measure(layer, data_dir, data)


if __name__ == "__main__":
    main()
