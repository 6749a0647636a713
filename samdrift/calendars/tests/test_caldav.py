"""CalDAV through a real server (uvicorn serving `config.asgi`), driven by the `caldav` client
library and by plain HTTP for what a client library smooths over (ETags, bad bodies)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import caldav
import pytest
import requests
from icalendar import Calendar as ICalendar

from samdrift.audit.models import AuditEvent
from samdrift.calendars import selectors, services
from samdrift.calendars.models import Calendar, CalendarObject
from samdrift.tests.asgi_server import serve

from .conftest import app_password

pytestmark = pytest.mark.django_db(transaction=True)

STOCKHOLM = ZoneInfo("Europe/Stockholm")

WEEKLY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:weekly-1@test
DTSTAMP:20261001T080000Z
DTSTART;TZID=Europe/Stockholm:20261015T100000
DTEND;TZID=Europe/Stockholm:20261015T110000
RRULE:FREQ=WEEKLY;COUNT=30
SUMMARY:Veckomöte
END:VEVENT
END:VCALENDAR
"""


def event(uid: str, summary: str, start: str, end: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261001T080000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\n"
        f"SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def shared_calendar(safos, spaces) -> Calendar:
    services.ensure_calendars(actor=safos.actor("owner"))
    return Calendar.objects.get(workspace=spaces[0])


@pytest.fixture
def server() -> Iterator[str]:
    from config.asgi import application

    with serve(application) as url:
        yield url


def client_for(server: str, safos, who: str, max_class: int = 1) -> caldav.DAVClient:
    return caldav.DAVClient(
        url=f"{server}/caldav/",
        username=safos.users[who].username,
        password=app_password(safos, who, max_class),
    )


def calendar_named(principal, name: str):
    return next(c for c in principal.calendars() if c.get_display_name() == name)


def test_discovery_lists_own_and_workspace_calendars_only(server, safos, spaces):
    principal = client_for(server, safos, "owner").principal()
    names = [c.get_display_name() for c in principal.calendars()]
    # own calendar (named after the person) and the class-1 workspace; the class-2 one needs an
    # app password that reaches class 2, and B's own workspace is not A's owner's at all
    assert len(names) == 2 and "Samverkan" in names
    assert "Känsligt" not in names and "Myndighet B yta" not in names
    wider = client_for(server, safos, "owner", max_class=2).principal()
    assert {"Samverkan", "Känsligt"} <= {c.get_display_name() for c in wider.calendars()}
    redirect = requests.get(f"{server}/.well-known/caldav", allow_redirects=False, timeout=10)
    assert redirect.status_code == 301 and redirect.headers["Location"] == "/caldav/"


def test_an_event_written_by_one_agency_is_read_by_the_other_and_audited(server, safos, spaces):
    owner_cal = calendar_named(client_for(server, safos, "owner").principal(), "Samverkan")
    owner_cal.save_event(WEEKLY)
    editor_cal = calendar_named(client_for(server, safos, "editor").principal(), "Samverkan")
    found = editor_cal.search(
        start=dt.datetime(2026, 10, 1, tzinfo=STOCKHOLM),
        end=dt.datetime(2026, 11, 30, tzinfo=STOCKHOLM),
        event=True,
        expand=True,
    )
    starts = sorted(
        ICalendar.from_ical(e.data).walk("VEVENT")[0]["DTSTART"].dt.astimezone(STOCKHOLM)
        for e in found
    )
    # weekly at 10:00 local time, on both sides of the change to winter time on 25 October
    assert starts and all(s.hour == 10 for s in starts)
    assert dt.date(2026, 10, 22) in {s.date() for s in starts}
    assert dt.date(2026, 10, 29) in {s.date() for s in starts}
    row = CalendarObject.objects.get(uid="weekly-1@test")
    assert row.recurring and row.modified_by == safos.users["owner"]
    assert AuditEvent.objects.filter(action="calendars.object_created").count() == 1
    assert AuditEvent.objects.filter(action="read", object_type="calendars.calendar").exists()


def test_a_reader_cannot_write_and_an_outsider_cannot_reach(server, safos, spaces):
    reader_cal = calendar_named(client_for(server, safos, "reader").principal(), "Samverkan")
    with pytest.raises(caldav.lib.error.DAVError):
        reader_cal.save_event(event("r@test", "Läsarens", "20261020T100000Z", "20261020T110000Z"))
    assert not CalendarObject.objects.exists()
    # the outsider names the owner's workspace calendar under its own and under the owner's home
    outsider = safos.users["outsider"]
    password = app_password(safos, "outsider")
    shared = shared_calendar(safos, spaces)
    for path in (
        f"/caldav/{outsider.username}/ws{shared.workspace_id}/x.ics",
        f"/caldav/{safos.users['owner'].username}/ws{shared.workspace_id}/x.ics",
    ):
        answer = requests.put(
            server + path,
            data=event("x@test", "Intrång", "20261020T100000Z", "20261020T110000Z"),
            auth=(outsider.username, password),
            headers={"Content-Type": "text/calendar"},
            timeout=10,
        )
        assert answer.status_code in (403, 404, 409)
    assert not CalendarObject.objects.exists()


def test_sync_collection_reports_changes_and_deletions(server, safos, spaces):
    cal = calendar_named(client_for(server, safos, "owner").principal(), "Samverkan")
    first = cal.save_event(event("a@test", "A", "20261020T100000Z", "20261020T110000Z"))
    cal.save_event(event("b@test", "B", "20261021T100000Z", "20261021T110000Z"))
    objects = cal.objects_by_sync_token(load_objects=False)
    token = objects.sync_token
    assert len(list(objects)) == 2
    cal.save_event(event("c@test", "C", "20261022T100000Z", "20261022T110000Z"))
    first.delete()
    changed = cal.objects_by_sync_token(sync_token=token, load_objects=False)
    urls = sorted(str(o.url).rsplit("/", 1)[-1] for o in changed)
    assert len(urls) == 2  # c added, a deleted; b untouched is not reported
    assert CalendarObject.objects.get(uid="a@test").deleted


def test_a_stale_etag_is_refused_and_changes_nothing(server, safos, spaces):
    user = safos.users["owner"]
    password = app_password(safos, "owner")
    shared = shared_calendar(safos, spaces)
    url = f"{server}/caldav/{user.username}/ws{shared.workspace_id}/m.ics"
    auth = (user.username, password)
    headers = {"Content-Type": "text/calendar"}
    made = requests.put(
        url,
        data=event("m@test", "Första", "20261020T100000Z", "20261020T110000Z"),
        auth=auth,
        headers=headers,
        timeout=10,
    )
    assert made.status_code == 201
    old = made.headers["ETag"]
    newer = requests.put(
        url,
        data=event("m@test", "Andra", "20261020T100000Z", "20261020T110000Z"),
        auth=auth,
        headers={**headers, "If-Match": old},
        timeout=10,
    )
    assert newer.status_code == 204
    stale = requests.put(
        url,
        data=event("m@test", "Tredje", "20261020T100000Z", "20261020T110000Z"),
        auth=auth,
        headers={**headers, "If-Match": old},
        timeout=10,
    )
    assert stale.status_code == 412
    assert CalendarObject.objects.get(uid="m@test").summary == "Andra"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (event("bad@test", "Baklänges", "20261020T110000Z", "20261020T100000Z"), "before"),
        (
            WEEKLY.replace("TZID=Europe/Stockholm", "TZID=Mars/Olympus"),
            "Mars/Olympus",
        ),
    ],
)
def test_bad_events_get_a_reason_in_both_languages_and_change_nothing(
    server, safos, spaces, body, words
):
    user = safos.users["owner"]
    shared = shared_calendar(safos, spaces)
    answer = requests.put(
        f"{server}/caldav/{user.username}/ws{shared.workspace_id}/bad.ics",
        data=body.encode(),
        auth=(user.username, app_password(safos, "owner")),
        headers={"Content-Type": "text/calendar"},
        timeout=10,
    )
    assert answer.status_code in (400, 422), answer.text
    assert not CalendarObject.objects.exists()
    assert Calendar.objects.get(pk=shared.pk).seq == 0
    assert words in answer.text


def test_a_move_on_the_board_reaches_the_client_and_back(server, safos, spaces):
    shared = shared_calendar(safos, spaces)
    task = services.task_create(actor=safos.actor("owner"), calendar_id=shared.id, summary="Kort")
    cal = calendar_named(client_for(server, safos, "editor").principal(), "Samverkan")
    token = cal.objects_by_sync_token(load_objects=False).sync_token
    services.task_move(
        actor=safos.actor("owner"), calendar_id=shared.id, href=task.href, status="IN-PROCESS"
    )
    changed = list(cal.objects_by_sync_token(sync_token=token, load_objects=True))
    assert len(changed) == 1
    todo = ICalendar.from_ical(changed[0].data).walk("VTODO")[0]
    assert str(todo["STATUS"]) == "IN-PROCESS"
    # the client completes it; the board shows it in the Done column
    item = cal.object_by_uid(str(todo["UID"]))
    body = ICalendar.from_ical(item.data)
    for component in body.walk("VTODO"):
        component["STATUS"] = "COMPLETED"
    item.data = body.to_ical().decode()
    item.save()
    board = selectors.board(Calendar.objects.get(pk=shared.pk))
    assert [c.summary for c in board["COMPLETED"]] == ["Kort"]


def test_an_endless_rule_and_an_oversized_event_get_clear_answers(server, safos, spaces):
    """An RRULE without end is stored (its range open) and a month's query still expands only
    that month; a 10 MB event is refused before anything is stored."""
    shared = shared_calendar(safos, spaces)
    endless = WEEKLY.replace("RRULE:FREQ=WEEKLY;COUNT=30", "RRULE:FREQ=MINUTELY")
    cal = calendar_named(client_for(server, safos, "owner").principal(), "Samverkan")
    cal.save_event(endless)
    found = cal.search(
        start=dt.datetime(2026, 10, 15, 10, tzinfo=STOCKHOLM),
        end=dt.datetime(2026, 10, 15, 12, tzinfo=STOCKHOLM),
        event=True,
        expand=True,
    )
    assert 0 < len(found) <= 120  # two hours of a minutely rule, not millions
    page = selectors.occurrences(
        shared,
        start=dt.datetime(2026, 10, 15, tzinfo=STOCKHOLM),
        end=dt.datetime(2026, 11, 15, tzinfo=STOCKHOLM),
    )
    assert len(page) == selectors.MAX_OCCURRENCES  # the page's bound
    user = safos.users["owner"]
    huge = event("big@test", "X" * (10 * 1024 * 1024), "20261020T100000Z", "20261020T110000Z")
    answer = requests.put(
        f"{server}/caldav/{user.username}/ws{shared.workspace_id}/big.ics",
        data=huge.encode(),
        auth=(user.username, app_password(safos, "owner")),
        headers={"Content-Type": "text/calendar"},
        timeout=60,
    )
    assert answer.status_code in (400, 412, 413)
    assert not CalendarObject.objects.filter(uid="big@test").exists()
