"""SAFOS calendar (issue 12, Measure): a workspace calendar of 20,000 events (10 % recurring)
served over CalDAV by samdrift (Radicale embedded, samdrift's database storage) against Radicale
serving the same events from its own file storage, in the same process, behind the same server
(uvicorn, a2wsgi) in the same run; and the task board page with 2,000 cards.

    make bench-calendar      (python bench/bench_calendar.py [--events 20000] [--rounds 20]
                              [--cards 2000])

1. **month query**: a calendar-query REPORT for one month's VEVENTs (time-range, with
   calendar-data), p50/p95 ms. Baseline: Radicale with its multifilesystem storage.
2. **sync**: 10 changed events, then a sync-collection REPORT from the token before them,
   p50/p95 ms. Same baseline.
3. **board**: `GET /calendars/<id>/board/` with `--cards` tasks (Django's test client), p50/p95
   ms and its query count.

The goal (issue 12): samdrift faster than Radicale on both reports. A throw-away SQLite database
and Radicale folder in a temporary directory. Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import tempfile
import time
from typing import Any

import requests
from support import exit_with_throwaway_sqlite

MONTH_QUERY = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="20270601T000000Z" end="20270701T000000Z"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""

SYNC_QUERY = """<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>
  <D:prop><D:getetag/></D:prop></D:sync-collection>"""

INITIAL_SYNC = """<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level>
  <D:prop><D:getetag/></D:prop></D:sync-collection>"""


def event_text(n: int, summary: str = "") -> str:
    """Event n: spread over 2027, one hour; every tenth weekly for 20 weeks."""
    start = dt.datetime(2027, 1, 1, 8, tzinfo=dt.UTC) + dt.timedelta(hours=(n * 7) % (365 * 24))
    rule = "RRULE:FREQ=WEEKLY;COUNT=20\r\n" if n % 10 == 0 else ""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:bench-{n}\r\nDTSTAMP:20270101T000000Z\r\n"
        f"DTSTART;TZID=Europe/Stockholm:{start:%Y%m%dT%H%M%S}\r\n"
        f"DTEND;TZID=Europe/Stockholm:{start + dt.timedelta(hours=1):%Y%m%dT%H%M%S}\r\n"
        f"{rule}SUMMARY:{summary or f'Möte {n}'}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Target:
    hits = 0

    def __init__(self, name: str, base: str, calendar_path: str, auth: tuple[str, str]) -> None:
        self.name = name
        self.url = base + calendar_path
        self.session = requests.Session()
        self.session.auth = auth

    def report(self, body: str, depth: str = "1") -> requests.Response:
        answer = self.session.request(
            "REPORT",
            self.url,
            data=body.encode(),
            headers={"Depth": depth, "Content-Type": "application/xml; charset=utf-8"},
            timeout=300,
        )
        if answer.status_code != 207:
            raise RuntimeError(f"{self.name}: REPORT {answer.status_code} {answer.text[:300]}")
        return answer

    def token(self) -> str:
        text = self.report(INITIAL_SYNC).text
        found = re.search(r"<(?:\w+:)?sync-token>([^<]+)</", text)
        if found is None:
            raise RuntimeError(f"{self.name}: no sync token in {text[-300:]}")
        return found.group(1)

    def put(self, n: int, summary: str) -> None:
        answer = self.session.put(
            f"{self.url}bench-{n}.ics",
            data=event_text(n, summary).encode(),
            headers={"Content-Type": "text/calendar"},
            timeout=60,
        )
        if answer.status_code not in (201, 204):
            raise RuntimeError(f"{self.name}: PUT {answer.status_code} {answer.text[:300]}")


def measure(target: Target, rounds: int) -> dict[str, list[float]]:
    month, sync = [], []
    target.report(MONTH_QUERY)  # warm: Radicale builds its item cache on first read
    for r in range(rounds):
        started = time.perf_counter()
        answer = target.report(MONTH_QUERY)
        month.append((time.perf_counter() - started) * 1000)
        if r == 0:
            target.hits = len(re.findall(r"<(?:\w+:)?response>", answer.text))
        token = target.token()
        for k in range(10):
            target.put(1 + r * 10 + k, f"Ändrad {r}-{k}")
        started = time.perf_counter()
        target.report(SYNC_QUERY.format(token=token))
        sync.append((time.perf_counter() - started) * 1000)
    return {"month": month, "sync": sync}


def seed_samdrift(events: int) -> tuple[Any, Any, str]:
    from django.utils import timezone
    from radicale.item import get_etag

    from samdrift.accounts.app_passwords import app_password_create
    from samdrift.accounts.models import User
    from samdrift.accounts.selectors import actor_for_user
    from samdrift.calendars import services
    from samdrift.calendars.ical import parse_object
    from samdrift.calendars.models import Calendar, CalendarObject

    user = User.objects.create_user(username="bench", email="bench@example.se", password=None)
    actor = actor_for_user(user, loa_rank=3)
    services.ensure_calendars(actor=actor)
    calendar = Calendar.objects.get(owner=user)
    rows = []
    now = timezone.now()
    for n in range(events):
        parsed = parse_object(event_text(n))
        rows.append(
            CalendarObject(
                calendar=calendar,
                href=f"bench-{n}.ics",
                uid=parsed.uid,
                component=parsed.component,
                text=parsed.text,
                etag=get_etag(parsed.text),
                starts=parsed.starts,
                ends=parsed.ends,
                summary=parsed.summary,
                recurring=parsed.recurring,
                seq=n + 1,
                modified_at=now,
            )
        )
    CalendarObject.objects.bulk_create(rows, batch_size=2000)
    calendar.seq = events
    calendar.save(update_fields=["seq"])
    _row, secret = app_password_create(actor=actor, name="bench", max_class=0)
    return user, calendar, secret


def radicale_app(folder: str, events: int) -> Any:
    from radicale import Application, config, storage
    from radicale import item as radicale_item

    configuration = config.load()
    configuration.update(
        {
            "storage": {"filesystem_folder": folder},
            "auth": {"type": "none"},
            "rights": {"type": "owner_only"},
            "logging": {"level": "warning"},
        },
        "bench",
        privileged=True,
    )
    store = storage.load(configuration)
    with store.acquire_lock("w"):
        store.create_collection("/bench/")
        items = [
            radicale_item.Item(collection_path="bench/cal", text=event_text(n))
            for n in range(events)
        ]
        for item in items:
            item.prepare()
        store.create_collection("/bench/cal/", items=items, props={"tag": "VCALENDAR"})
    return Application(configuration)


def run(options: Any) -> int:
    from a2wsgi import WSGIMiddleware
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from samdrift.calendars import services
    from samdrift.calendars.caldav.app import mount_caldav
    from samdrift.tests.asgi_server import serve

    started = time.perf_counter()
    _user, calendar, secret = seed_samdrift(options.events)
    print(
        f"seeded samdrift with {options.events:,} events in {time.perf_counter() - started:.1f} s"
    )
    with tempfile.TemporaryDirectory(prefix="bench-radicale-") as folder:
        started = time.perf_counter()
        radicale = WSGIMiddleware(radicale_app(folder, options.events), workers=10)
        print(f"seeded Radicale's file storage in {time.perf_counter() - started:.1f} s")

        async def not_found(scope: Any, receive: Any, send: Any) -> None:
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        results = {}
        with serve(mount_caldav(not_found)) as ours, serve(radicale) as theirs:
            targets = [
                Target("samdrift", ours, f"/caldav/bench/{calendar.slug}/", ("bench", secret)),
                Target("radicale", theirs, "/bench/cal/", ("bench", "x")),
            ]
            for target in targets:
                results[target.name] = measure(target, options.rounds)
    print(f"\n{options.events:,} events (10 % weekly recurring), {options.rounds} rounds each, "
          f"load {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{'':24}{'samdrift p50':>14}{'p95':>10}{'Radicale p50':>15}{'p95':>10}{'ratio p95':>11}")
    failed = False
    for key, label in (("month", "month query REPORT"), ("sync", "sync after 10 changes")):
        ours_v, theirs_v = results["samdrift"][key], results["radicale"][key]
        ratio = percentile(ours_v, 95) / percentile(theirs_v, 95)
        failed |= ratio >= 1.0
        print(
            f"{label:<24}{statistics.median(ours_v):>14.1f}{percentile(ours_v, 95):>10.1f}"
            f"{statistics.median(theirs_v):>15.1f}{percentile(theirs_v, 95):>10.1f}{ratio:>10.2f}×"
        )
    for target in targets:
        print(f"  {target.name}: the month query answered {target.hits} events")

    # the board: --cards tasks in a fresh workspace-less personal calendar of another user
    from samdrift.accounts.models import User
    from samdrift.accounts.selectors import actor_for_user

    owner = User.objects.create_user(username="board", email="board@example.se", password=None)
    actor = actor_for_user(owner, loa_rank=3)
    services.ensure_calendars(actor=actor)
    board_calendar = services.selectors.calendars_for(actor=actor)[0].calendar
    for n in range(options.cards):
        services.task_create(actor=actor, calendar_id=board_calendar.id, summary=f"Kort {n}",
                             priority=(1, 5, 9, 0)[n % 4])  # fmt: skip
    client = Client()
    client.force_login(owner)
    url = f"/calendars/{board_calendar.id}/board/"
    client.get(url)
    times = []
    for _ in range(options.rounds):
        began = time.perf_counter()
        answer = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"board page {answer.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    print(f"board page, {options.cards:,} cards: p50 {statistics.median(times):.1f} ms, "
          f"p95 {percentile(times, 95):.1f} ms, {len(queries)} queries")  # fmt: skip
    print("goal (samdrift faster than Radicale on both reports):", "MISSED" if failed else "met")
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--cards", type=int, default=2000)
    exit_with_throwaway_sqlite("bench-calendar-", run, parser.parse_args())


if __name__ == "__main__":
    main()
