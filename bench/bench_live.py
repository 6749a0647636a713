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
     Both servers run side by side with their 200 sockets each, and their rounds alternate, so
     a busy moment of a shared machine weighs on both alike.
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

from support import free_port

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SESSIONS = int(os.environ.get("BENCH_LIVE_SESSIONS", "200"))
ROUNDS = int(os.environ.get("BENCH_LIVE_ROUNDS", "30"))
WARMUP = 3
HANDSHAKE_BATCH = 20
BIN = Path(sys.executable).parent


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


def post_change(port: int, data: dict[str, Any]) -> float:
    """The account manager ticks or unticks the item (whichever changes it), by a form POST
    (CSRF: the same secret in cookie and form). Returns the request's own seconds."""
    case = data["case"]
    case.refresh_from_db()
    done = case.checklist_items.get(id=data["item_id"]).done_at is None
    token = secrets.token_hex(16)
    body = f"csrfmiddlewaretoken={token}&version={case.version}&done={int(done)}".encode()
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


class Clients:
    """SESSIONS sockets of one server; `arrivals[key]` collects when each got event `key`."""

    def __init__(self) -> None:
        self.arrivals: dict[Any, list[float]] = {}
        self.ready = 0
        self.tasks: list[asyncio.Task[None]] = []
        self.delivery: list[float] = []
        self.spreads: list[float] = []

    def _one_ready(self) -> None:
        self.ready += 1

    async def start(self) -> None:
        """Open the sockets 20 at a time, as users arrive, not all in one instant: a storm of
        200 simultaneous handshakes on a loaded 2-core machine measures the storm."""
        for first in range(0, SESSIONS, HANDSHAKE_BATCH):
            for index in range(first, min(first + HANDSHAKE_BATCH, SESSIONS)):
                self.tasks.append(asyncio.create_task(self._open(index)))
            deadline = time.monotonic() + 60
            while self.ready < len(self.tasks):
                failed = [t for t in self.tasks if t.done() and t.exception()]
                if failed:
                    raise RuntimeError(f"a socket failed: {failed[0].exception()!r}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.ready} of {len(self.tasks)} sockets ready")
                await asyncio.sleep(0.01)

    async def _open(self, index: int) -> None:
        raise NotImplementedError

    async def wait_for(self, key: Any, start: float, keep: bool) -> None:
        deadline = time.monotonic() + 30
        while len(self.arrivals.get(key, ())) < SESSIONS:
            if time.monotonic() > deadline:
                got = len(self.arrivals.get(key, ()))
                raise RuntimeError(f"{got} of {SESSIONS} sessions got it")
            await asyncio.sleep(0.002)
        if keep:
            arrived = self.arrivals[key]
            self.delivery.extend((t - start) * 1000 for t in arrived)
            # First to last session of one change: the fan-out itself, without what came before.
            self.spreads.append((max(arrived) - min(arrived)) * 1000)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


class SamdriftClients(Clients):
    def __init__(self, port: int, data: dict[str, Any]) -> None:
        super().__init__()
        self.port, self.data = port, data
        self.topic = f"case:{data['case'].id}"
        self.posts: list[float] = []

    async def _open(self, index: int) -> None:
        from websockets.asyncio.client import connect

        session = self.data["watcher_sessions"][index]

        async with connect(
            f"ws://127.0.0.1:{self.port}/ws/live/",
            origin=f"http://127.0.0.1:{self.port}",  # type: ignore[arg-type]
            additional_headers={"Cookie": f"sessionid={session}"},
            open_timeout=60,
        ) as ws:
            await ws.send(json.dumps({"subscribe": self.topic}))
            async for raw in ws:
                now = time.perf_counter()
                frame = json.loads(raw)
                if frame.get("subscribed") == self.topic:
                    self._one_ready()
                elif "event" in frame:
                    self.arrivals.setdefault(frame["event"]["version"], []).append(now)
                else:
                    raise RuntimeError(f"unexpected frame {frame}")

    async def round(self, keep: bool) -> None:
        start = time.perf_counter()
        post = await asyncio.to_thread(post_change, self.port, self.data)
        await self.wait_for(self.data["case"].version + 1, start, keep)
        if keep:
            self.posts.append(post * 1000)


class EchoClients(Clients):
    """The baseline: a bare Channels broadcast (`bench/live_echo.py`)."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port
        self.rounds = 0

    async def _open(self, index: int) -> None:
        from websockets.asyncio.client import connect

        async with connect(f"ws://127.0.0.1:{self.port}/ws/", open_timeout=60) as ws:
            self._one_ready()
            async for raw in ws:
                self.arrivals.setdefault(str(raw), []).append(time.perf_counter())

    async def round(self, keep: bool) -> None:
        from websockets.asyncio.client import connect

        if not hasattr(self, "trigger"):
            self.trigger = await connect(f"ws://127.0.0.1:{self.port}/trigger/")
        self.rounds += 1
        key = f"round-{self.rounds}"
        start = time.perf_counter()
        await self.trigger.send(key)
        await self.wait_for(key, start, keep)

    async def close(self) -> None:
        if hasattr(self, "trigger"):
            await self.trigger.close()
        await super().close()


async def interleaved(ours: SamdriftClients, bare: EchoClients) -> None:
    """Both servers run side by side; their rounds alternate, so a busy moment of the machine
    falls on both alike."""
    await ours.start()
    await bare.start()
    await asyncio.sleep(0.5)  # the echo joins its group before accepting; let the last settle
    for round_ in range(WARMUP + ROUNDS):
        await ours.round(keep=round_ >= WARMUP)
        await asyncio.sleep(0.05)
        await bare.round(keep=round_ >= WARMUP)
        await asyncio.sleep(0.05)
    await ours.close()
    await bare.close()


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
    port, echo_port = free_port(), free_port()
    serve = [str(BIN / "samdrift"), "serve", "--port", str(port), "--workers", str(workers)]
    echo = [
        str(BIN / "gunicorn"),
        "--chdir",
        str(ROOT / "bench"),
        "-k",
        "uvicorn_worker.UvicornWorker",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{echo_port}",
        "live_echo:application",
    ]
    ours, bare = SamdriftClients(port, data), EchoClients(echo_port)
    with (
        served(serve, env, port, data_dir / f"samdrift-{layer}.log"),
        served(echo, env, echo_port, data_dir / f"echo-{layer}.log"),
    ):
        asyncio.run(interleaved(ours, bare))
    load_end = os.getloadavg()
    a, b = percentiles(ours.delivery), percentiles(bare.delivery)
    print(f"\n{layer} channel layer, {workers} worker(s), {SESSIONS} sessions × {ROUNDS} changes")
    print(f"  {'':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    print(
        f"  {'samdrift case:<id> (POST→socket)':34} {a['p50']:8.1f} {a['p95']:8.1f} {a['max']:8.1f}"
    )
    print(f"  {'bare Channels broadcast':34} {b['p50']:8.1f} {b['p95']:8.1f} {b['max']:8.1f}")
    print(
        f"  ratio samdrift / bare: p50 {a['p50'] / b['p50']:.2f}×, p95 {a['p95'] / b['p95']:.2f}×"
    )
    posts = percentiles(ours.posts)
    print(f"  the change's POST alone: p50 {posts['p50']:.1f} ms, p95 {posts['p95']:.1f} ms")
    spread, bare_spread = statistics.median(ours.spreads), statistics.median(bare.spreads)
    print(
        f"  fan-out spread (first→last session of a change), median: samdrift "
        f"{spread:.1f} ms, bare {bare_spread:.1f} ms, ratio {spread / bare_spread:.2f}×"
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
