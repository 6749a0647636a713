"""Benchmark of a webinar's broadcast (issue 14, ADR 0970): how many HLS viewers samdrift serves
on this machine, against the same files served with no check at all, in the same run.

    make bench-broadcast   (BENCH_CAST_STEPS=25,50,100,200,400 viewers, BENCH_CAST_WINDOW=16 s)

The host publishes on samdrift's meeting page (headless Chromium, fake camera and microphone)
and broadcasts themself: Janus forwards to ffmpeg, which writes 2-second segments. Viewers are
admitted officials, each an HTTP client with its own session (one asyncio process, aiohttp),
doing what the meeting page and hls.js do: read the room every 10 s (which gives the playlist's
address, signed for the viewer), reload the playlist every target duration and fetch each
segment new in it. Per step, over a window:

* viewers keeping up: every segment that appeared while they watched was fetched before the
  next one appeared (a player with three segments of buffer would not stall);
* p50/p95 time to fetch a segment, and samdrift's CPU (all its processes) per viewer;
* baseline: the same viewers fetching the same folder from aiohttp's static file server (no
  session, no rights check, no room to read, one process like samdrift's one worker), the
  fastest plain HTTP file serving available here. Both run on the same two cores as Janus, ffmpeg, Chromium and
  the viewers themselves, so the knee is this machine's.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench_live import BIN, ROOT, served
from bench_meetings import MEDIA_ARGS, janus_cpu, member, page_for, started
from support import free_port, login_session

sys.path.insert(0, str(ROOT))
STEPS = [int(n) for n in os.environ.get("BENCH_CAST_STEPS", "25,50,100,200,400").split(",")]
WINDOW = float(os.environ.get("BENCH_CAST_WINDOW", "16"))
SEGMENT = 2.0
PAGE_POLL = 10.0  # the meeting page's poll of the room for a webinar's viewer (meeting.js)


def seed(data_dir: Path, viewers: int) -> dict[str, Any]:
    janus, workspace, host, room = started(data_dir, mode="webinar")
    from samdrift.meetings.models import MeetingAdmission

    sessions = []
    for n in range(viewers):  # let in beforehand: the lobby is not what is measured here
        user = member(workspace, f"åhörare{n}", "reader")
        MeetingAdmission.objects.create(
            room=room, user=user, organisation=workspace.owner_org, role="viewer",
            state="admitted",
        )  # fmt: skip
        sessions.append(login_session(user, loa_rank=3))
    return {"room": room, "janus": janus, "host": login_session(host, loa_rank=3),
            "viewers": sessions}  # fmt: skip


def tree_cpu(root: int) -> float:
    """utime+stime of `root` and every process under it, in seconds; not the ffmpeg samdrift
    started (the encoding is the same for any number of viewers, and not serving)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if (entry / "comm").read_text().strip() == "ffmpeg":
                    continue
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    total = 0.0
    for pid in tree:
        with contextlib.suppress(OSError):  # a process that ended meanwhile
            total += janus_cpu(pid)
    return total


async def viewer(http: Any, site: str, watch: dict[str, Any], until: float) -> dict[str, Any]:
    """One viewer as the meeting page and hls.js watch a live broadcast: the page reads the room
    every 10 s (for the playlist's signed address), the player reloads the playlist every
    target duration and fetches each segment new in it. `watch` holds the room's API address
    and the viewer's session (samdrift), or the playlist's plain address (the baseline)."""
    import aiohttp

    appeared: dict[str, float] = {}
    fetched: dict[str, float] = {}
    took: list[float] = []
    errors = 0
    cookies = {"sessionid": watch["session"]} if watch.get("session") else {}
    playlist, polled = watch.get("playlist", ""), 0.0
    await asyncio.sleep(random.uniform(0, SEGMENT))  # viewers do not poll in step
    while time.monotonic() < until:
        tick = time.monotonic()
        try:
            if watch.get("api") and tick - polled >= PAGE_POLL:
                async with http.get(watch["api"], cookies=cookies) as answer:
                    playlist = (await answer.json())["broadcast"]["playlist"] or playlist
                polled = tick
            async with http.get(f"{site}{playlist}") as answer:
                text = await answer.text() if answer.status == 200 else ""
            base = f"{site}{playlist.split('?')[0].rsplit('/', 1)[0]}"
            # samdrift signs each segment's address (`segN.ts?u=…&e=…&s=…`); the plain server not
            addresses = [line for line in text.splitlines() if line.startswith("seg")]
            for address in addresses:
                appeared.setdefault(address.split("?")[0], time.monotonic())
            for address in addresses[-3:]:  # a live player starts three segments from the end
                name = address.split("?")[0]
                if name in fetched:
                    continue
                start = time.monotonic()
                async with http.get(f"{base}/{address}") as answer:
                    body = await answer.read()
                if answer.status == 200 and body:
                    fetched[name] = time.monotonic()
                    took.append(fetched[name] - start)
        except (TimeoutError, aiohttp.ClientError, ValueError, KeyError):
            errors += 1  # refused or reset under load: this viewer falls behind
        await asyncio.sleep(max(0.0, SEGMENT - (time.monotonic() - tick)))
    return {"appeared": appeared, "fetched": fetched, "took": took, "errors": errors}


def keeping_up(seen: dict[str, Any]) -> bool:
    """Every segment that appeared (after the first three) was fetched within one segment."""
    order = sorted(seen["appeared"], key=lambda n: int(n[3:-3]))[3:-1]
    return bool(order) and all(
        n in seen["fetched"] and seen["fetched"][n] - seen["appeared"][n] <= SEGMENT + 0.5
        for n in order
    )


async def step(site: str, watches: list[dict[str, Any]], server_pid: int) -> dict[str, float]:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        before = tree_cpu(server_pid)
        until = time.monotonic() + WINDOW
        seen = await asyncio.gather(*[viewer(http, site, w, until) for w in watches])
        cpu = tree_cpu(server_pid) - before
    took = sorted(t for s in seen for t in s["took"]) or [float("nan")]
    failed = sum(s["errors"] for s in seen)
    return {
        "viewers": len(watches),
        "keeping_up": sum(keeping_up(s) for s in seen) / len(seen),
        "p50_ms": took[len(took) // 2] * 1000,
        "p95_ms": took[min(len(took) - 1, int(0.95 * len(took)))] * 1000,
        "cpu_ms_per_viewer_s": cpu / len(watches) / WINDOW * 1000,
        "errors": failed,
    }


def broadcasting(browser: Any, site: str, data: dict[str, Any]) -> Path:
    from playwright.sync_api import expect

    from samdrift.meetings import hls

    page = page_for(browser, site, data["host"])
    page.goto(f"{site}/meetings/{data['room'].pk}/")
    page.get_by_role("button", name="Join the meeting").click()
    expect(page.locator("#meeting-status")).to_have_text("You are in the meeting.", timeout=30000)
    start = page.get_by_role("button", name="Broadcast me to the viewers")
    deadline = time.monotonic() + 30
    folder = hls.folder(data["room"].janus_room)
    while not (folder / "index.m3u8").exists():
        if start.is_visible():
            start.click()
        assert time.monotonic() < deadline, "the broadcast did not start"
        time.sleep(1)
    time.sleep(4 * SEGMENT)  # a full playlist
    return folder


def aside(work: Any) -> dict[str, float]:
    """Run the viewers' event loop in a thread of its own (Playwright's owns this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


STATIC = """
import sys
from aiohttp import web
app = web.Application()
app.router.add_static("/", sys.argv[1])
web.run_app(app, host="127.0.0.1", port=int(sys.argv[2]), print=None, access_log=None)
"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    from samdrift.tests.browser import CHROMIUM_ARGS

    with tempfile.TemporaryDirectory(prefix="bench-cast-") as tmp:
        data_dir = Path(tmp)
        data = seed(data_dir, max(STEPS))
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        env.update(DJANGO_SETTINGS_MODULE="config.settings.test", SAMDRIFT_DATA_DIR=str(data_dir))
        print(
            f"bench_broadcast: Janus {data['janus'].version}; {SEGMENT:.0f} s segments; "
            f"{WINDOW:.0f} s per step; load {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)",
            flush=True,
        )
        port, plain_port = free_port(), free_port()
        serve = [str(BIN / "samdrift"), "serve", "--port", str(port), "--workers", "1"]
        rows: list[tuple[dict[str, float], dict[str, float]]] = []
        try:
            with served(serve, env, port, data_dir / "samdrift.log") as samdrift, \
                    sync_playwright() as pw:  # fmt: skip
                browser = pw.chromium.launch(
                    executable_path="/usr/bin/chromium", args=[*CHROMIUM_ARGS, *MEDIA_ARGS]
                )
                site = f"http://127.0.0.1:{port}"
                folder = broadcasting(browser, site, data)
                plain = [sys.executable, "-c", STATIC, str(folder), str(plain_port)]
                with served(plain, env, plain_port, data_dir / "static.log") as static:
                    api = f"{site}/api/v1/meetings/rooms/{data['room'].pk}"
                    plain_site = f"http://127.0.0.1:{plain_port}"
                    for n in STEPS:
                        ours_watch = [{"api": api, "session": v} for v in data["viewers"][:n]]
                        ours = aside(step(site, ours_watch, samdrift.pid))
                        bare_watch = [{"playlist": "/index.m3u8"}] * n
                        bare = aside(step(plain_site, bare_watch, static.pid))
                        rows.append((ours, bare))
                        print_row(ours, bare)
                browser.close()
        finally:
            from samdrift.meetings import engine, hls

            hls.stop(data["room"].janus_room)
            engine.stop()
    knee = next((o["viewers"] for o, _ in rows if o["keeping_up"] < 0.95), None)
    bare_knee = next((b["viewers"] for _, b in rows if b["keeping_up"] < 0.95), None)
    last = f"no step up to {STEPS[-1]}"
    print(f"   fewer than 95 % of viewers keep up: samdrift at {knee or last}, "
          f"the plain file server at {bare_knee or last}")  # fmt: skip


def print_row(ours: dict[str, float], bare: dict[str, float]) -> None:
    if ours["viewers"] == STEPS[0]:
        print("   viewers | keeping up     | segment p50 ms  | segment p95 ms  | server CPU ms per "
              "viewer-s | failed requests\n           | samdrift plain | samdrift  plain | "
              "samdrift  plain | samdrift plain  ratio  | samdrift plain")  # fmt: skip
    ratio = ours["cpu_ms_per_viewer_s"] / max(bare["cpu_ms_per_viewer_s"], 1e-9)
    print(
        f"   {ours['viewers']:7.0f} | {ours['keeping_up']:7.0%} {bare['keeping_up']:5.0%} | "
        f"{ours['p50_ms']:8.1f} {bare['p50_ms']:6.1f} | {ours['p95_ms']:8.1f} "
        f"{bare['p95_ms']:6.1f} | {ours['cpu_ms_per_viewer_s']:8.2f} "
        f"{bare['cpu_ms_per_viewer_s']:5.2f} {ratio:5.1f}× | {ours['errors']:8.0f} "
        f"{bare['errors']:5.0f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
