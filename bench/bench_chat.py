"""`make bench-chat`: what samdrift, as Synapse's control plane, costs chat (issue 13).

    make bench-chat   (BENCH_CHAT_WORKSPACES=100 x BENCH_CHAT_MEMBERS=10 for provisioning;
                       BENCH_CHAT_CLIENTS=100,500 over BENCH_CHAT_ROOMS=50 rooms and
                       BENCH_CHAT_MESSAGES=300 messages for delivery)

A real Synapse (its own folder, SQLite) and a served samdrift (`samdrift serve`, one worker, the
test settings on a SQLite file) that is the homeserver's application service.

1. Provisioning. WORKSPACES workspaces of MEMBERS officials each (two agencies), brought into
   Synapse by samdrift's `provision_workspace` (what the jobs worker runs after a membership
   change: users, display names, the room with its name, topic and power levels, invitations
   and joins, then the row and the audit event), one after the other. Baseline, in the same
   run and the same Synapse: the same users, rooms and memberships made with the bare client-
   and application-service calls a script would send (no reading back, no samdrift), under
   another prefix of the namespace. Printed: time of each, per room, and the ratio.
2. Delivery. CLIENTS Matrix clients, each a /sync long poll (aiohttp, one event loop) with its
   own access token, spread over ROOMS rooms. Half the rooms are samdrift's (provisioned from
   workspaces; the homeserver pushes every event to samdrift, which records the transaction and
   publishes the page's live topic); the other half are made directly by users outside the
   application service's namespace (no pushes): Synapse without samdrift. Messages go out at a
   steady pace, alternating between the two kinds; each receiver notes when its /sync returned
   the message. Printed: p50 and p99 from send to seen, per kind, and the ratio (goal: < 1.10
   at p99).

The direct rooms are Synapse without samdrift, so samdrift's room-entry rule (ADR 0666: the
homeserver's module asks samdrift before a local user enters a room officials made themselves,
and refuses users samdrift never provisioned) is answered for them by a stub in this process
that allows everything. samdrift's own rooms are made by the application service, which the
module never asks about, and delivery does not pass through the module at all.

Clients sign in with the application service's login (samdrift's own users) or the shared-
secret registration's token (the direct ones), not through the e-ID: the login is not what is
measured.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench_live import BIN, ROOT, served
from support import free_port, migrated_test_database

WORKSPACES = int(os.environ.get("BENCH_CHAT_WORKSPACES", "100"))
MEMBERS = int(os.environ.get("BENCH_CHAT_MEMBERS", "10"))
CLIENTS = [int(n) for n in os.environ.get("BENCH_CHAT_CLIENTS", "100,500").split(",")]
ROOMS = int(os.environ.get("BENCH_CHAT_ROOMS", "50"))
MESSAGES = int(os.environ.get("BENCH_CHAT_MESSAGES", "300"))
PACE = float(os.environ.get("BENCH_CHAT_PACE", "0.05"))  # seconds between messages
FILTER = json.dumps(
    {
        "presence": {"types": []},
        "account_data": {"types": []},
        "room": {
            "timeline": {"types": ["m.room.message"], "limit": 50},
            "state": {"types": []},
            "ephemeral": {"types": []},
            "account_data": {"types": []},
        },
    }
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- set-up ------------------------------------------------------------------------------------


def synapse_python() -> str:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "ensure-synapse.sh")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


def workspaces(count: int, members: int, tag: str) -> list[int]:
    """`count` workspaces of agency A with `members` officials each (half of agency B)."""
    from samdrift.accounts.models import User
    from samdrift.collaboration.models import Member, Workspace
    from samdrift.organisations.models import Organisation
    from samdrift.tests.factories import MembershipFactory, OrganisationFactory

    a = Organisation.objects.filter(name="Myndighet A").first() or OrganisationFactory(
        name="Myndighet A"
    )
    b = Organisation.objects.filter(name="Myndighet B").first() or OrganisationFactory(
        name="Myndighet B"
    )
    made = []
    for w in range(count):
        workspace = Workspace.objects.create(
            name=f"Samverkan {tag}{w}", owner_org=a, classification=1, quota_bytes=10**9
        )
        for m in range(members):
            org = a if m % 2 == 0 else b
            user = User.objects.create_user(f"{tag}{w}_{m}", first_name="Handläggare",
                                            last_name=f"{w}-{m}")  # fmt: skip
            MembershipFactory(user=user, organisation=org, role="member")
            role = "owner" if m == 0 else "editor"
            Member.objects.create(workspace=workspace, user=user, organisation=org, role=role)
        made.append(workspace.id)
    return made


def direct_room(http: Any, base: str, prefix: str, w: int, members: int) -> None:
    """One workspace's users, room and memberships with the bare calls: part 1's baseline."""
    from samdrift.chat import matrix
    from samdrift.chat.services import power_levels

    api = f"{base}/_matrix/client/v3"
    uids = []
    for m in range(members):
        localpart = f"{prefix}{w}_{m}"
        http.post(f"{api}/register", json={"type": "m.login.application_service",
                  "username": localpart, "inhibit_login": True}).raise_for_status()  # fmt: skip
        uid = matrix.user_id(localpart)
        http.put(f"{api}/profile/{uid}/displayname", params={"user_id": uid},
                 json={"displayname": f"Handläggare {w}-{m}"}).raise_for_status()  # fmt: skip
        uids.append(uid)
    levels = power_levels({uid: ("owner" if i == 0 else "editor") for i, uid in enumerate(uids)})
    room = http.post(f"{api}/createRoom", json={
        "room_alias_name": f"{prefix}ws{w}", "name": f"Samverkan {w}", "topic": "",
        "preset": "private_chat", "power_level_content_override": levels,
    }).json()["room_id"]  # fmt: skip
    for uid in uids:
        http.post(f"{api}/rooms/{room}/invite", json={"user_id": uid}).raise_for_status()
        http.post(f"{api}/join/{room}", params={"user_id": uid}, json={}).raise_for_status()


def register_outside(base: str, localpart: str) -> str:
    """A user outside the application service's namespace (shared-secret registration)."""
    import requests

    from samdrift.chat import homeserver

    secret = homeserver.secret("registration_shared_secret").encode()
    nonce = requests.get(f"{base}/_synapse/admin/v1/register", timeout=30).json()["nonce"]
    password = hashlib.sha256(secret + localpart.encode()).hexdigest()
    mac = hmac.new(secret, b"\x00".join([nonce.encode(), localpart.encode(), password.encode(),
                                         b"notadmin"]), hashlib.sha1).hexdigest()  # fmt: skip
    answer = requests.post(f"{base}/_synapse/admin/v1/register", json={
        "nonce": nonce, "username": localpart, "password": password, "admin": False, "mac": mac,
    }, timeout=30)  # fmt: skip
    answer.raise_for_status()
    return str(answer.json()["access_token"])


# --- part 2: delivery --------------------------------------------------------------------------


async def deliver(base: str, groups: dict[str, list[tuple[str, list[tuple[str, str]]]]]) -> dict:
    """`groups`: kind -> [(room id, [(user id, token), ...])]. Every member syncs; the first
    member of each room sends. Returns kind -> latencies in ms."""
    import aiohttp

    arrived: dict[str, float] = {}
    sent: dict[str, tuple[str, float, list[str]]] = {}  # mark -> kind, when, receivers' tokens
    stop = asyncio.Event()
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=90)
    async with aiohttp.ClientSession(base_url=base, connector=connector,
                                     timeout=timeout) as http:  # fmt: skip

        async def sync_loop(token: str, ready: asyncio.Event) -> None:
            headers = {"Authorization": f"Bearer {token}"}
            params = {"filter": FILTER, "timeout": "0"}
            async with http.get("/_matrix/client/v3/sync", params=params,
                                headers=headers) as answer:  # fmt: skip
                since = (await answer.json())["next_batch"]
            ready.set()
            while not stop.is_set():
                params = {"filter": FILTER, "timeout": "20000", "since": since}
                async with http.get("/_matrix/client/v3/sync", params=params,
                                    headers=headers) as answer:  # fmt: skip
                    body = await answer.json()
                now = time.perf_counter()
                since = body.get("next_batch", since)
                for room in body.get("rooms", {}).get("join", {}).values():
                    for event in room.get("timeline", {}).get("events", []):
                        mark = event.get("content", {}).get("bench")
                        if mark:
                            arrived[f"{mark}|{token}"] = now

        readies = []
        tasks = []
        for rooms in groups.values():
            for _room, people in rooms:
                for _uid, token in people:
                    ready = asyncio.Event()
                    readies.append(ready)
                    tasks.append(asyncio.create_task(sync_loop(token, ready)))
        await asyncio.gather(*(r.wait() for r in readies))
        await asyncio.sleep(1)
        kinds = list(groups)
        for n in range(MESSAGES):
            kind = kinds[n % len(kinds)]
            rooms = groups[kind]
            room, people = rooms[(n // len(kinds)) % len(rooms)]
            sender_token = people[0][1]
            mark = f"{kind}-{n}"
            sent[mark] = (kind, time.perf_counter(), [token for _uid, token in people[1:]])
            async with http.put(
                f"/_matrix/client/v3/rooms/{room}/send/m.room.message/{uuid.uuid4().hex}",
                headers={"Authorization": f"Bearer {sender_token}"},
                json={"msgtype": "m.text", "body": f"Bänk {n}", "bench": mark},
            ) as answer:
                answer.raise_for_status()
            await asyncio.sleep(PACE)
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline:
            if all(f"{mark}|{t}" in arrived for mark, (_k, _s, ts) in sent.items() for t in ts):
                break
            await asyncio.sleep(0.5)
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    latencies: dict[str, list[float]] = {kind: [] for kind in groups}
    lost = dict.fromkeys(groups, 0)
    for mark, (kind, started, tokens) in sent.items():
        for token in tokens:
            at = arrived.get(f"{mark}|{token}")
            if at is None:
                lost[kind] += 1
            else:
                latencies[kind].append((at - started) * 1000)
    return {"latencies": latencies, "lost": lost}


def delivery_groups(base: str, clients: int, rooms: int, tag: str) -> dict[str, list[Any]]:
    """`clients` members over `rooms` rooms, half samdrift's (provisioned), half direct."""
    from samdrift.chat import matrix, services
    from samdrift.chat.models import ChatRoom
    from samdrift.chat.selectors import matrix_localpart
    from samdrift.collaboration.models import Member

    per_room = max(2, clients // rooms)
    half = rooms // 2
    ours = []
    for workspace_id in workspaces(half, per_room, f"{tag}o"):
        services.provision_workspace(workspace_id=workspace_id)
        room = ChatRoom.objects.get(workspace_id=workspace_id).room_id
        people = []
        for user_id in (
            Member.objects.filter(workspace_id=workspace_id)
            .order_by("id")
            .values_list("user_id", flat=True)
        ):
            localpart = matrix_localpart(user_id)
            people.append((matrix.user_id(localpart), matrix.Client().login(localpart)))
        ours.append((room, people))
    import requests

    theirs = []
    for r in range(rooms - half):
        people = []
        for m in range(per_room):
            localpart = f"direct_{tag}_{r}_{m}"
            people.append((f"@{localpart}:{matrix.conf.server_name()}",
                           register_outside(base, localpart)))  # fmt: skip
        owner = requests.Session()
        owner.headers["Authorization"] = f"Bearer {people[0][1]}"
        api = f"{base}/_matrix/client/v3"
        room = owner.post(f"{api}/createRoom", json={"preset": "private_chat",
                          "name": f"Direkt {r}"}, timeout=30).json()["room_id"]  # fmt: skip
        for uid, token in people[1:]:
            owner.post(f"{api}/rooms/{room}/invite", json={"user_id": uid},
                       timeout=30).raise_for_status()  # fmt: skip
            requests.post(f"{api}/join/{room}", json={}, timeout=30,
                          headers={"Authorization": f"Bearer {token}"}).raise_for_status()  # fmt: skip
        theirs.append((room, people))
    return {"samdrift": ours, "direct": theirs}


class _AllowEveryEntry(BaseHTTPRequestHandler):
    """The room-entry rule for the direct rooms: Synapse without samdrift (see the module)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"allow": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def allow_every_entry() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AllowEveryEntry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-chat-") as tmp:
        data_dir = Path(tmp)
        port = free_port()
        os.environ.update(
            SAMDRIFT_CHAT_ROOM_POLICY_URL=allow_every_entry(),
            SAMDRIFT_CHAT_DIR=str(data_dir / "chat"),
            SAMDRIFT_CHAT_SYNAPSE_PYTHON=synapse_python(),
            SAMDRIFT_CHAT_APPSERVICE_URL=f"http://127.0.0.1:{port}/chat/appservice",
            SAMDRIFT_CHAT_ENABLED="1",
            SAMDRIFT_CHAT_LOCALPART_PREFIX="samdrift_",
        )
        os.environ.pop("SAMDRIFT_CHAT_HOMESERVER_URL", None)
        migrated_test_database(data_dir)
        import requests

        from samdrift.chat import homeserver, services

        state = homeserver.start(listen_port=free_port())
        os.environ["SAMDRIFT_CHAT_HOMESERVER_URL"] = state.url
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        env.update(DJANGO_SETTINGS_MODULE="config.settings.test", SAMDRIFT_DATA_DIR=str(data_dir))
        serve = [str(BIN / "samdrift"), "serve", "--port", str(port), "--workers", "1"]
        print(f"bench_chat: {state.version}; load {os.getloadavg()[0]:.2f} "
              f"({os.cpu_count()} cores)", flush=True)  # fmt: skip
        try:
            with served(serve, env, port, data_dir / "samdrift.log"):
                ids = workspaces(WORKSPACES, MEMBERS, "p")
                print(f"1. provisioning {WORKSPACES} workspace rooms of {MEMBERS} members "
                      f"({WORKSPACES * MEMBERS} users):", flush=True)  # fmt: skip
                http = requests.Session()
                http.headers["Authorization"] = f"Bearer {homeserver.secret('as_token')}"
                prefix = f"samdrift_raw{uuid.uuid4().hex[:6]}_"
                ours = bare = 0.0
                for w, workspace_id in enumerate(ids):  # alternated, so both see the same load
                    t0 = time.perf_counter()
                    services.provision_workspace(workspace_id=workspace_id)
                    t1 = time.perf_counter()
                    direct_room(http, state.url, prefix, w, MEMBERS)
                    ours, bare = ours + t1 - t0, bare + time.perf_counter() - t1
                print(f"   samdrift's provisioning {ours:7.1f} s ({ours / WORKSPACES * 1000:6.0f} "
                      f"ms per room)\n   bare calls to Synapse   {bare:7.1f} s ({bare / WORKSPACES * 1000:6.0f} "
                      f"ms per room)\n   ratio {ours / bare:.2f}×", flush=True)  # fmt: skip
                print(f"2. delivery, send → seen by every other member's /sync, {MESSAGES} "
                      f"messages, one every {PACE * 1000:.0f} ms:", flush=True)  # fmt: skip
                for n, clients in enumerate(CLIENTS):
                    groups = delivery_groups(state.url, clients, ROOMS, f"d{n}")
                    done = asyncio.run(deliver(state.url, groups))
                    lat = done["latencies"]
                    for kind in ("samdrift", "direct"):
                        values = lat[kind] or [float("nan")]
                        print(f"   {clients:4d} clients, {kind:9s}: p50 {statistics.median(values):7.1f} "
                              f"ms  p99 {pct(values, 0.99):7.1f} ms  ({len(lat[kind])} deliveries, "
                              f"{done['lost'][kind]} not seen within 30 s)", flush=True)  # fmt: skip
                    if lat["samdrift"] and lat["direct"]:
                        print(f"   {clients:4d} clients, ratio samdrift/direct: p50 "
                              f"{statistics.median(lat['samdrift']) / statistics.median(lat['direct']):.2f}×"
                              f"  p99 {pct(lat['samdrift'], 0.99) / pct(lat['direct'], 0.99):.2f}× "
                              "(goal: p99 < 1.10)", flush=True)  # fmt: skip
        finally:
            homeserver.stop()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
