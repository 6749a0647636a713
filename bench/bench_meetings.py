"""Benchmark of meetings (issue 14): what one Janus delivers on this machine, and what samdrift's
control plane adds to joining, against Janus without samdrift in the same run.

    make bench-meetings   (BENCH_MEET_MAX=96 subscribers, BENCH_MEET_KBPS=500,
                           BENCH_MEET_JOINS=15, BENCH_MEET_WINDOW=5 seconds)

1. Delivery. The host joins through samdrift's meeting page (`samdrift serve`, SQLite) in
   headless Chromium with its fake camera and microphone; the sender caps the video at
   BENCH_MEET_KBPS (a fixed-bitrate stream: the fake camera's pattern keeps the encoder at its
   cap). Subscribers are added in steps, each a Janus session and a WebRTC peer connection
   subscribed to the host's feed (samdrift's own client, `frontend/src/meeting-janus.js`), all
   in one more Chromium page with no video element (nothing is painted). Per step, over a
   window: the publisher's sent bitrate (`outbound-rtp`), each subscriber's received bitrate as
   a share of what was published in the same window (worst and median; each page's bytes over
   its own read times), the publisher's rate against its unloaded one (the subscribers share its
   two cores: when it sags the machine, not Janus, is the limit), Janus's CPU (utime+stime from /proc) per subscriber, and
   the first step where the worst subscriber gets less than 95 %. The subscribers' own work
   runs on the same two cores as Janus, so the knee is this machine's, not Janus's alone.
2. Join → first remote frame. An admitted official on samdrift's meeting page clicks "Gå med i
   mötet" until the host's video paints its first frame (`requestVideoFrameCallback`). Since
   2026-12-07 (ADR 0662) the page got its Janus token when it opened (`ready`: rights, a stored
   token, audit, Janus's admin API) and the click goes to Janus while samdrift records the
   join beside it; the path before, where the click waits for samdrift's token first, is still
   measured on a second page whose `ready` answers 204. Baseline: the same client code on a page of Janus's own origin, given a token added
   beforehand straight through Janus's admin API (Janus without samdrift), doing the same media
   work (camera, publish, subscribe, first frame). Both start the camera at once, while the
   rest goes on (samdrift's page while its API answers, the baseline while it opens its Janus
   session; before 2026-12-06 the baseline opened its camera after its session, and it is
   still measured and printed). Joins alternate between the three. Goal: p50 within 10 %.
"""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_live import BIN, ROOT, served
from support import free_port, login_session, migrated_test_database

sys.path.insert(0, str(ROOT))
MAX_SUBSCRIBERS = int(os.environ.get("BENCH_MEET_MAX", "96"))
KBPS = int(os.environ.get("BENCH_MEET_KBPS", "500"))
JOINS = int(os.environ.get("BENCH_MEET_JOINS", "15"))
WINDOW = float(os.environ.get("BENCH_MEET_WINDOW", "5"))
PER_PAGE = 4
STEPS = [n for n in (1, 2, 4, 8, 16, 32, 48, 64, 96, 128, 160, 192) if n <= MAX_SUBSCRIBERS]
MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
QUIET = "{remote(){}, gone(){}, talking(){}, closed(){}}"


def member(workspace: Any, name: str, role: str) -> Any:
    """A new official of the workspace's agency, a member of it in `role`."""
    from samdrift.accounts.models import User
    from samdrift.collaboration.models import Member
    from samdrift.tests.factories import MembershipFactory

    user = User.objects.create_user(name)
    MembershipFactory(user=user, organisation=workspace.owner_org, role="member")
    Member.objects.create(
        workspace=workspace, user=user, organisation=workspace.owner_org, role=role
    )
    return user


def started(data_dir: Path, mode: str = "meeting") -> tuple[Any, Any, Any, Any]:
    """A migrated database, a Janus started, a workspace and its owner hosting a room in it:
    (Janus's status, the workspace, the host, the room)."""
    os.environ["SAMDRIFT_MEETINGS_DIR"] = str(data_dir / "meetings")
    os.environ["SAMDRIFT_MEETINGS_ENABLED"] = "1"
    migrated_test_database(data_dir)
    from samdrift.accounts.selectors import actor_for_user
    from samdrift.collaboration.models import Workspace
    from samdrift.meetings import engine, services
    from samdrift.tests.factories import OrganisationFactory

    janus = engine.start(listen_port=free_port(), admin_port=free_port())
    agency = OrganisationFactory(name="Myndighet A")
    workspace = Workspace.objects.create(
        name="Bänk", owner_org=agency, classification=0, quota_bytes=10**9
    )
    host = member(workspace, "värd", "owner")
    room = services.room_create(
        actor=actor_for_user(host, loa_rank=3), title="Bänkmöte", workspace_id=workspace.pk,
        mode=mode,
    )  # fmt: skip
    return janus, workspace, host, room


def seed(data_dir: Path) -> dict[str, Any]:
    janus, workspace, host, room = started(data_dir)
    from samdrift.accounts.selectors import actor_for_user
    from samdrift.meetings import services

    joiner = member(workspace, "deltagare", "editor")
    as_host = actor_for_user(host, loa_rank=3)
    knocked = services.meeting_join(actor=actor_for_user(joiner, loa_rank=3), room_id=room.pk)
    services.lobby_admit(actor=as_host, room_id=room.pk, admission_id=knocked.admission.pk)
    return {
        "room": room,
        "janus": janus,
        "host": login_session(host, loa_rank=3),
        "joiner": login_session(joiner, loa_rank=3),
    }


def client_bundle() -> str:
    """samdrift's Janus client as a script that defines `SamdriftJanus` (for pages on Janus's
    origin, where samdrift's own bundle does not run)."""
    esbuild = ROOT / "frontend" / "node_modules" / ".bin" / "esbuild"
    done = subprocess.run(
        [str(esbuild), "frontend/src/meeting-janus.js", "--bundle", "--format=iife",
         "--global-name=SamdriftJanus", "--target=es2020"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout


def bare_token(room: Any) -> str:
    """A token added straight through Janus's admin API and the room's allowed list."""
    from samdrift.meetings import engine, janus

    token = secrets.token_urlsafe(24)
    client = janus.Client()
    client.add_token(token, [engine.VIDEOROOM])
    client.allow(room.janus_room, [token], add=True)
    return token


def janus_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def page_for(browser: Any, site: str, session: str) -> Any:
    context = browser.new_context()
    context.add_cookies([
        {"name": "sessionid", "value": session, "url": site},
        {"name": "django_language", "value": "en", "url": site},
    ])  # fmt: skip
    return context.new_page()


def host_publishing(browser: Any, site: str, data: dict[str, Any]) -> tuple[Any, str]:
    from playwright.sync_api import expect

    page = page_for(browser, site, data["host"])
    page.goto(f"{site}/meetings/{data['room'].pk}/")
    page.get_by_role("button", name="Join the meeting").click()
    expect(page.locator("#meeting-status")).to_have_text("You are in the meeting.", timeout=30000)
    page.evaluate(
        """async (kbps) => {
          for (const sender of window.samdriftMeeting.janus.publisherPc.getSenders()) {
            if (sender.track.kind !== "video") continue;
            const p = sender.getParameters();
            p.encodings = p.encodings.length ? p.encodings : [{}];
            p.encodings[0].maxBitrate = kbps * 1000;
            await sender.setParameters(p);
          }
        }""",
        KBPS,
    )
    return page, page.evaluate("window.samdriftMeeting.joined.participant_id")


SENT = """async () => {
  let bytes = 0;
  (await window.samdriftMeeting.janus.publisherPc.getStats()).forEach((r) => {
    if (r.type === "outbound-rtp") bytes += r.bytesSent || 0;
  });
  return bytes;
}"""
RECEIVED = """async (feed) => {
  const out = [];
  for (const s of window.subs) {
    const got = (await s.inbound())[feed];
    out.push(got ? got.audio + got.video : 0);
  }
  return out;
}"""


def part_one(browser: Any, site: str, data: dict[str, Any]) -> list[dict[str, float]]:
    host, feed = host_publishing(browser, site, data)
    room, url = data["room"], data["janus"].url
    bundle = client_bundle()
    pages: list[Any] = []

    def watcher_page() -> Any:
        """A page (in its own browser context) for the next PER_PAGE subscribers: a browser
        keeps at most 6 connections per host and context, and each session holds one long poll."""
        if not pages or pages[-1].evaluate("window.subs.length") >= PER_PAGE:
            page = browser.new_context().new_page()
            page.goto(f"{url}/info")
            page.evaluate(bundle)
            page.evaluate("window.subs = []")
            pages.append(page)
        return pages[-1]

    def received() -> list[int]:
        return [b for page in pages for b in page.evaluate(RECEIVED, feed)]

    def timed() -> list[tuple[float, int]]:
        """Each subscriber's bytes with the moment its page was read (pages are read in turn,
        which takes a while on a loaded machine)."""
        out = []
        for page in pages:
            at = time.monotonic()
            out += [(at, b) for b in page.evaluate(RECEIVED, feed)]
        return out

    time.sleep(8)  # the publisher's bandwidth estimate ramps up to the cap
    rows: list[dict[str, float]] = []
    reference = 0.0
    for step in STEPS:
        while len(received()) < step:
            token = bare_token(room)
            n = len(received())
            watcher_page().evaluate(
                f"""async ([url, token, room, feed, id]) => {{
                  const s = new SamdriftJanus.JanusSession(
                    {{janus_url: url, token, janus_room: room, participant_id: id, ice_servers: []}},
                    {QUIET});
                  await s.connect();
                  await s.subscribe(feed);
                  window.subs.push(s);
                }}""",
                [url, token, room.janus_room, feed, f"bench-{n}"],
            )
        ready = time.monotonic() + 20  # the new subscribers' ICE, DTLS and first key frame
        while min(received()) == 0 and time.monotonic() < ready:
            time.sleep(0.5)
        time.sleep(1)
        sent0, cpu0, t0 = host.evaluate(SENT), janus_cpu(data["janus"].pid), time.monotonic()
        got0 = timed()
        time.sleep(WINDOW)
        sent1, cpu1, t1 = host.evaluate(SENT), janus_cpu(data["janus"].pid), time.monotonic()
        got1 = timed()
        sent_kbps = (sent1 - sent0) * 8 / 1000 / (t1 - t0)
        reference = reference or sent_kbps  # the fixed stream, as published before any load
        kbps = [
            (b1 - b0) * 8 / 1000 / (s1 - s0) for (s0, b0), (s1, b1) in zip(got0, got1, strict=True)
        ]
        shares = [k / sent_kbps for k in kbps]  # of what was published in the same window
        rows.append({
            "subscribers": step,
            "sent_kbps": sent_kbps,
            "worst": min(shares),
            "median": statistics.median(shares),
            "cpu_ms_per_sub_s": (cpu1 - cpu0) * 1000 / (t1 - t0) / step,
            "janus_cores": (cpu1 - cpu0) / (t1 - t0),
        })  # fmt: skip
        row = rows[-1]
        print(
            f"  {step:>3} subscribers: publisher sends {row['sent_kbps']:4.0f} kbit/s "
            f"({row['sent_kbps'] / reference:4.0%} of its unloaded rate); each receives of it: worst "
            f"{row['worst']:6.1%} median {row['median']:6.1%}, Janus {row['janus_cores']:.2f} "
            f"cores = {row['cpu_ms_per_sub_s']:.1f} ms CPU per subscriber-second",
            flush=True,
        )
        if row["worst"] < 0.95 or row["sent_kbps"] < 0.8 * reference:
            break  # delivery fell, or the machine no longer keeps the publisher going
    for page in pages:
        page.evaluate("Promise.all(window.subs.map((s) => s.close()))")
        page.context.close()
    data["host_page"], data["feed"] = host, feed
    return rows


OURS = """async (feed) => {
  const t0 = performance.now();
  document.getElementById("meeting-join").click();
  const video = await new Promise((resolve) => {
    const look = () => {
      const v = document.querySelector(`#meeting-videos li[data-feed="${feed}"] video`);
      if (v) resolve(v); else setTimeout(look, 2);
    };
    look();
  });
  await new Promise((resolve) => video.requestVideoFrameCallback(() => resolve()));
  return performance.now() - t0;
}"""
THEIRS = f"""async ([url, token, room, id, feed, overlap]) => {{
  const t0 = performance.now();
  let painted;
  const first = new Promise((resolve) => (painted = resolve));
  let shown = false;
  const on = {{...{QUIET}, remote: (f, stream) => {{
    if (f !== feed || shown) return;
    shown = true;
    const v = document.createElement("video");
    v.muted = true; v.autoplay = true; v.playsInline = true; v.srcObject = stream;
    document.body.append(v);
    v.requestVideoFrameCallback(() => painted());
  }}}};
  const s = new SamdriftJanus.JanusSession(
    {{janus_url: url, token, janus_room: room, participant_id: id, ice_servers: []}}, on);
  const open = () => navigator.mediaDevices.getUserMedia({{audio: true, video: true}});
  const camera = overlap ? open() : null;
  await s.connect();
  const local = await (camera || open());
  await s.join(local);
  await first;
  const ms = performance.now() - t0;
  await s.close();
  local.getTracks().forEach((t) => t.stop());
  document.querySelectorAll("video").forEach((v) => v.remove());
  return ms;
}}"""


def samdrift_join(page: Any, feed: str) -> float:
    took = page.evaluate(OURS, feed)
    page.get_by_role("button", name="Leave").click()
    page.wait_for_selector("#meeting-join:not([hidden])")
    time.sleep(0.5)  # each join starts on a Janus that has finished the last leave
    return float(took)


def part_two(
    browser: Any, site: str, data: dict[str, Any]
) -> tuple[list[float], list[float], list[float], list[float]]:
    room, url, feed = data["room"], data["janus"].url, data["feed"]
    ours_page = page_for(browser, site, data["joiner"])
    ours_page.goto(f"{site}/meetings/{room.pk}/")
    # The same page with no token ahead (ADR 0662): `ready` answers 204 as for someone not yet
    # let in, so the click asks samdrift for the token first (the path before 2026-12-07).
    cold_page = page_for(browser, site, data["joiner"])
    cold_page.route("**/ready", lambda route: route.fulfill(status=204))
    cold_page.goto(f"{site}/meetings/{room.pk}/")
    theirs_page = browser.new_context().new_page()
    theirs_page.goto(f"{url}/info")
    theirs_page.evaluate(client_bundle())
    ours: list[float] = []
    cold: list[float] = []
    theirs: list[float] = []
    earlier: list[float] = []
    for n in range(JOINS + 2):  # the first two of each warm up
        took = samdrift_join(ours_page, feed)
        took_cold = samdrift_join(cold_page, feed)
        bare = theirs_page.evaluate(
            THEIRS, [url, bare_token(room), room.janus_room, f"bare-{n}", feed, True]
        )
        time.sleep(0.5)
        old = theirs_page.evaluate(
            THEIRS, [url, bare_token(room), room.janus_room, f"old-{n}", feed, False]
        )
        if n >= 2:
            ours.append(took)
            cold.append(took_cold)
            theirs.append(bare)
            earlier.append(old)
        time.sleep(0.5)
    return ours, cold, theirs, earlier


def summary(rows: list[dict[str, float]]) -> str:
    """Where delivery falls below 95 %, and where the publisher itself sags (the machine)."""
    knee = next((r["subscribers"] for r in rows if r["worst"] < 0.95), None)
    unloaded = rows[0]["sent_kbps"]
    sag = next((r["subscribers"] for r in rows if r["sent_kbps"] < 0.95 * unloaded), None)
    last = rows[-1]["subscribers"]
    fell = f"{knee:.0f} subscribers" if knee else f"no step up to {last:.0f}"
    sagged = f"{sag:.0f} subscribers" if sag else f"no step up to {last:.0f}"
    return (
        f"   delivery falls below 95 % at {fell}; the publisher sags below 95 % of its "
        f"unloaded rate at {sagged}"
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    from playwright.sync_api import sync_playwright

    from samdrift.tests.browser import CHROMIUM_ARGS

    with tempfile.TemporaryDirectory(prefix="bench-meet-") as tmp:
        data_dir = Path(tmp)
        data = seed(data_dir)
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        env.update(DJANGO_SETTINGS_MODULE="config.settings.test", SAMDRIFT_DATA_DIR=str(data_dir))
        load = os.getloadavg()[0]
        print(
            f"bench_meetings: Janus {data['janus'].version}; video capped at {KBPS} kbit/s; up to "
            f"{MAX_SUBSCRIBERS} subscribers; {JOINS} joins each way; load {load:.2f} "
            f"({os.cpu_count()} cores)",
            flush=True,
        )
        port = free_port()
        serve = [str(BIN / "samdrift"), "serve", "--port", str(port), "--workers", "1"]
        try:
            with served(serve, env, port, data_dir / "samdrift.log"), sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path="/usr/bin/chromium", args=[*CHROMIUM_ARGS, *MEDIA_ARGS]
                )
                site = f"http://127.0.0.1:{port}"
                print("1. one publisher, subscribers added in steps (delivery over "
                      f"{WINDOW:.0f} s per step):", flush=True)  # fmt: skip
                rows = part_one(browser, site, data)
                print(summary(rows))
                ours, cold, theirs, earlier = part_two(browser, site, data)
                browser.close()
        finally:
            from samdrift.meetings import engine

            engine.stop()
        print(f"2. join click → first remote frame, {JOINS} joins each, alternated:")
        rows = (
            ("samdrift's page", ours),
            ("samdrift's page, token at the click (before 2026-12-07)", cold),
            ("Janus alone (baseline)", theirs),
            ("Janus alone, camera after the session (the baseline before 2026-12-06)", earlier),
        )
        for name, values in rows:
            print(f"   {name:<24} p50 {pct(values, 0.5):7.0f} ms   p95 {pct(values, 0.95):7.0f} ms")
        for name, base in (("baseline", theirs), ("earlier baseline", earlier)):
            ratio50 = pct(ours, 0.5) / pct(base, 0.5)
            ratio95 = pct(ours, 0.95) / pct(base, 0.95)
            print(f"   ratio to the {name}: p50 {ratio50:.2f}×, p95 {ratio95:.2f}× (goal: < 1.10)")
        print(
            f"   token at the click, ratio to the baseline: p50 "
            f"{pct(cold, 0.5) / pct(theirs, 0.5):.2f}×, p95 {pct(cold, 0.95) / pct(theirs, 0.95):.2f}×"
        )


if __name__ == "__main__":
    main()
