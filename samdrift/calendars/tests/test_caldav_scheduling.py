"""RFC 6638 over a real server (uvicorn serving `config.asgi`): what a calendar program reads to
leave scheduling to the server, the always-empty inbox, and free/busy questions to the outbox —
through the `caldav` client library where it has a call for it, by plain HTTP for the XML and the
refusals (ADR 0648)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import unquote

import caldav
import pytest
import requests
from defusedxml import ElementTree
from icalendar import Calendar as ICalendar

from samdrift.audit.models import AuditEvent
from samdrift.calendars import services
from samdrift.calendars.ical import HOME_ZONE
from samdrift.calendars.models import Calendar, CalendarObject
from samdrift.tests.asgi_server import serve

from .conftest import app_password
from .test_invitations import INSIDE as INVITATION

pytestmark = pytest.mark.django_db(transaction=True)

D, C = "{DAV:}", "{urn:ietf:params:xml:ns:caldav}"
MONDAY = dt.datetime(2026, 12, 7, tzinfo=HOME_ZONE)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return MONDAY.replace(hour=hour, minute=minute)


@pytest.fixture
def server() -> Iterator[str]:
    from config.asgi import application

    with serve(application) as url:
        yield url


@pytest.fixture
def calendars(safos, spaces):
    _shared, secret, _foreign = spaces
    for who in ("owner", "editor", "reader", "outsider"):
        services.ensure_calendars(actor=safos.actor(who))
    return {
        "secret": Calendar.objects.get(workspace=secret),
        "editor_own": Calendar.objects.get(owner=safos.users["editor"]),
        "outsider_own": Calendar.objects.get(owner=safos.users["outsider"]),
    }


def basic(safos, who: str, max_class: int = 1) -> tuple[str, str]:
    return safos.users[who].username, app_password(safos, who, max_class)


def question(organizer: str, *attendees: str, start: str = "20261207T000000Z",
             end: str = "20261208T000000Z", method: str = "REQUEST", kind: str = "VFREEBUSY") -> str:  # fmt: skip
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", f"METHOD:{method}",
        f"BEGIN:{kind}", "UID:fb-1@test", "DTSTAMP:20261201T080000Z",
        f"DTSTART:{start}", f"DTEND:{end}", f"ORGANIZER:mailto:{organizer}",
        *(f"ATTENDEE:mailto:{a}" for a in attendees), f"END:{kind}", "END:VCALENDAR", "",
    ]  # fmt: skip
    return "\r\n".join(lines)


def post(server: str, auth: tuple[str, str], body: str, *, user: str | None = None,
         content_type: str = "text/calendar; charset=utf-8") -> requests.Response:  # fmt: skip
    return requests.post(
        f"{server}/caldav/{user or auth[0]}/outbox/",
        data=body.encode(),
        auth=auth,
        headers={"Content-Type": content_type},
        timeout=30,
    )


def answers(response: requests.Response) -> dict[str, tuple[str, str | None]]:
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{C}schedule-response"
    found = {}
    for item in root.findall(f"{C}response"):
        recipient = item.findtext(f"{C}recipient/{D}href") or ""
        found[recipient] = (
            item.findtext(f"{C}request-status") or "",
            item.findtext(f"{C}calendar-data"),
        )
    return found  # fmt: skip


def busy_periods(data: str | None) -> list[tuple[dt.datetime, dt.datetime]]:
    """The BUSY periods of a VFREEBUSY reply, in UTC."""
    reply = ICalendar.from_ical(data or "")
    assert str(reply["METHOD"]) == "REPLY"
    component = next(c for c in reply.walk() if c.name == "VFREEBUSY")
    lines = component.get("FREEBUSY", [])
    periods = lines if isinstance(lines, list) else [lines]
    assert all(p.params["FBTYPE"] == "BUSY" for p in periods)
    return [p.dt for p in periods]


def utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def test_a_calendar_program_sees_server_side_scheduling(server, safos, calendars):
    username, password = basic(safos, "owner")
    client = caldav.DAVClient(url=f"{server}/caldav/", username=username, password=password)
    assert client.check_scheduling_support()  # calendar-auto-schedule in the DAV header
    principal = client.principal()
    assert principal.calendar_user_address_set()[0] == "mailto:owner@example.se"
    assert str(principal.get_vcal_address().params["cutype"]) == "INDIVIDUAL"
    inbox, outbox = principal.schedule_inbox(), principal.schedule_outbox()
    assert str(inbox.url).endswith(f"/caldav/{username}/inbox/")
    assert str(outbox.url).endswith(f"/caldav/{username}/outbox/")
    # delivery is done at once into the personal calendar, so the inbox is empty and syncs
    assert list(inbox.get_items()) == []
    found = requests.request(
        "PROPFIND", str(inbox.url), auth=(username, password), headers={"Depth": "0"},
        data=f'<propfind xmlns="DAV:" xmlns:C="{C[1:-1]}"><prop><resourcetype/>'
        "<C:schedule-default-calendar-URL/><getcontentlanguage/></prop></propfind>",
        timeout=30,
    )  # fmt: skip
    assert found.status_code == 207
    root = ElementTree.fromstring(found.content)
    ok, missing = root.findall(f".//{D}propstat")
    assert ok.find(f".//{D}resourcetype/{C}schedule-inbox") is not None
    assert ok.findtext(f".//{C}schedule-default-calendar-URL/{D}href") == (
        f"/caldav/{username}/personal/"
    )
    assert "404" in (missing.findtext(f"{D}status") or "")
    assert missing.find(f".//{D}getcontentlanguage") is not None


def test_the_outbox_answers_busy_times_of_colleagues_only(server, safos, calendars):
    editor = safos.actor("editor")
    services.event_create(
        actor=editor, calendar_id=calendars["editor_own"].id, summary="Tandläkare",
        start=at(9), end=at(10),
    )  # fmt: skip
    services.event_create(
        actor=safos.actor("outsider"), calendar_id=calendars["outsider_own"].id,
        summary="Utomståendes möte", start=at(13), end=at(14),
    )  # fmt: skip
    auth = basic(safos, "owner")
    before = AuditEvent.objects.count()
    response = post(
        server, auth,
        question("owner@example.se", "editor@example.se", "outsider@example.se", "nobody@example.se"),
    )  # fmt: skip
    assert response.status_code == 200, response.text
    found = answers(response)
    status, data = found["mailto:editor@example.se"]
    assert status.startswith("2.0")
    assert busy_periods(data) == [(utc(at(9)), utc(at(10)))]
    assert "Tandläkare" not in response.text
    # someone who shares no workspace answers exactly as an address nobody has
    assert found["mailto:outsider@example.se"] == ("3.7;Invalid calendar user", None)
    assert found["mailto:nobody@example.se"] == ("3.7;Invalid calendar user", None)
    assert "Utomståendes" not in response.text
    assert AuditEvent.objects.count() == before + 1
    read = AuditEvent.objects.order_by("-id").first()
    assert read is not None and read.object_type == "calendars.free_busy"
    assert read.after["answered"] == 1 and read.actor_id == safos.users["owner"].id


def test_a_workspace_above_the_app_passwords_class_is_left_out(server, safos, calendars):
    services.event_create(
        actor=safos.actor("owner"), calendar_id=calendars["secret"].id, summary="Hemligt",
        start=at(14), end=at(15),
    )  # fmt: skip
    low = answers(post(server, basic(safos, "owner", max_class=1), question("owner@example.se", "owner@example.se")))  # fmt: skip
    high = answers(post(server, basic(safos, "owner", max_class=2), question("owner@example.se", "owner@example.se")))  # fmt: skip
    assert busy_periods(low["mailto:owner@example.se"][1]) == []
    assert busy_periods(high["mailto:owner@example.se"][1]) == [(utc(at(14)), utc(at(15)))]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        (question("owner@example.se", "editor@example.se", method="REQUEST", kind="VEVENT"),
         "text/calendar", 403, "free/busy"),
        (question("editor@example.se", "editor@example.se"), "text/calendar", 403, "ORGANIZER"),
        (question("owner@example.se", "editor@example.se", end="20270601T000000Z"),
         "text/calendar", 403, "92"),
        (question("owner@example.se", "editor@example.se", end="20261206T000000Z"),
         "text/calendar", 403, "DTSTART"),
        (question("owner@example.se"), "text/calendar", 403, "attendees"),
        ("BEGIN:VCALENDAR\r\nthis is not", "text/calendar", 400, "iCalendar"),
        (question("owner@example.se", "editor@example.se"), "application/json", 415, "text/calendar"),
        ("X" * (300 * 1024), "text/calendar", 413, "bytes"),
    ],
)  # fmt: skip
def test_a_bad_question_is_refused_in_both_languages_and_changes_nothing(
    server, safos, calendars, body, content_type, status, words
):
    auth = basic(safos, "owner")
    objects, audits = CalendarObject.objects.count(), AuditEvent.objects.count()
    response = post(server, auth, body, content_type=content_type)
    assert response.status_code == status, response.text
    assert words in response.text and " / " in response.text  # Swedish / English
    assert CalendarObject.objects.count() == objects
    assert AuditEvent.objects.count() == audits


def test_mailboxes_are_their_owners_alone(server, safos, calendars):
    auth = basic(safos, "owner")
    other = post(server, auth, question("owner@example.se", "editor@example.se"),
                 user=safos.users["editor"].username)  # fmt: skip
    assert other.status_code == 403
    nobody = requests.request(
        "PROPFIND", f"{server}/caldav/{auth[0]}/inbox/", headers={"Depth": "0"}, timeout=30
    )
    assert nobody.status_code == 401 and "Basic" in nobody.headers["WWW-Authenticate"]
    wrong = requests.request(
        "PROPFIND", f"{server}/caldav/{auth[0]}/inbox/", auth=(auth[0], "sdp_wrong"),
        headers={"Depth": "0"}, timeout=30,
    )  # fmt: skip
    assert wrong.status_code == 401
    put = requests.put(f"{server}/caldav/{auth[0]}/inbox/x.ics", data=b"x", auth=auth, timeout=30)
    assert put.status_code in (403, 404, 405)  # no such resource below a mailbox
    write = requests.request("PUT", f"{server}/caldav/{auth[0]}/inbox/", auth=auth, timeout=30)
    assert write.status_code == 405 and "PROPFIND" in write.headers["Allow"]


def test_schedule_tag_changes_with_the_organizers_version_only(server, safos, spaces):
    """RFC 6638 §3.2.10 over CalDAV: the attendee's copy carries a Schedule-Tag; an answer made
    against an older organizer version is refused (412) and changes nothing; made against the
    current one it is stored, keeps the tag, and reaches the organizer's copy without changing
    the organizer's tag."""
    from samdrift.calendars import scheduling

    owner = safos.actor("owner")
    services.ensure_calendars(actor=owner)
    shared = Calendar.objects.get(workspace=spaces[0])
    services.import_ics(actor=owner, calendar_id=shared.id, text=INVITATION)
    own = Calendar.objects.get(owner=safos.users["editor"])
    copy = CalendarObject.objects.get(calendar=own, uid="samrad@test")
    first_tag = copy.schedule_tag
    assert first_tag.startswith('"')
    auth = basic(safos, "editor")
    url = f"{server}/caldav/{auth[0]}/personal/{copy.href}"
    got = requests.get(url, auth=auth, timeout=30)
    assert got.status_code == 200 and got.headers["Schedule-Tag"] == first_tag
    # the organizer moves the meeting: a new version, so a new tag in the attendee's copy
    organizers = CalendarObject.objects.get(calendar=shared, uid="samrad@test")
    services.object_put(
        actor=owner, calendar_id=shared.id, href=organizers.href,
        text=organizers.text.replace("T130000", "T150000").replace("T140000", "T160000"),
    )  # fmt: skip
    organizer_tag = CalendarObject.objects.get(pk=organizers.pk).schedule_tag
    copy.refresh_from_db()
    assert copy.schedule_tag not in ("", first_tag)
    accepted = scheduling.set_partstat(copy.text, "editor@example.se", "ACCEPTED")
    stale = requests.put(
        url, data=accepted.encode(), auth=auth, timeout=30,
        headers={"Content-Type": "text/calendar", "If-Schedule-Tag-Match": first_tag},
    )  # fmt: skip
    assert stale.status_code == 412, stale.text
    assert " / " in stale.text  # why, in Swedish and English
    assert CalendarObject.objects.get(pk=copy.pk).text == copy.text
    fresh = requests.put(
        url, data=accepted.encode(), auth=auth, timeout=30,
        headers={"Content-Type": "text/calendar", "If-Schedule-Tag-Match": copy.schedule_tag},
    )  # fmt: skip
    assert fresh.status_code in (201, 204), fresh.text
    assert fresh.headers["Schedule-Tag"] == copy.schedule_tag  # an answer keeps the tag
    stored = CalendarObject.objects.get(pk=organizers.pk)
    assert scheduling.attendees_of(stored.text)["editor@example.se"] == "ACCEPTED"
    assert stored.schedule_tag == organizer_tag  # the merged answer keeps the organizer's too


def test_schedule_tag_is_a_property_of_scheduling_objects_only(server, safos, spaces):
    owner = safos.actor("owner")
    services.ensure_calendars(actor=owner)
    shared = Calendar.objects.get(workspace=spaces[0])
    services.import_ics(actor=owner, calendar_id=shared.id, text=INVITATION)
    services.event_create(
        actor=owner, calendar_id=shared.id, summary="Eget", start=at(9), end=at(10)
    )
    rows = {r.uid: r for r in CalendarObject.objects.filter(calendar=shared)}
    scheduled = rows.pop("samrad@test")
    plain = next(iter(rows.values()))
    assert plain.schedule_tag == ""
    auth = basic(safos, "owner")
    base = f"/caldav/{auth[0]}/ws{spaces[0].id}/"
    multiget = (
        f'<C:calendar-multiget xmlns:D="DAV:" xmlns:C="{C[1:-1]}"><D:prop><D:getetag/>'
        "<C:schedule-tag/></D:prop>"
        f"<D:href>{base}{scheduled.href}</D:href><D:href>{base}{plain.href}</D:href>"
        "</C:calendar-multiget>"
    )
    answer = requests.request(
        "REPORT", f"{server}{base}", data=multiget.encode(), auth=auth, timeout=30,
        headers={"Depth": "1", "Content-Type": "application/xml", "Accept-Encoding": "gzip"},
    )  # fmt: skip
    assert answer.status_code == 207, answer.text
    tags = {}
    for item in ElementTree.fromstring(answer.content).findall(f"{D}response"):
        href = item.findtext(f"{D}href") or ""
        ok = [p for p in item.findall(f"{D}propstat") if " 200 " in p.findtext(f"{D}status")]
        tags[unquote(href.rsplit("/", 1)[-1])] = ok[0].findtext(f"{D}prop/{C}schedule-tag")
    assert tags == {scheduled.href: scheduled.schedule_tag, plain.href: None}


def test_a_get_reads_the_objects_row_once_for_its_schedule_tag(safos, spaces):
    """The Schedule-Tag header comes from the row the storage plug-in read for the answer,
    not from a second read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from samdrift.tests.dav import dav_call

    owner = safos.actor("owner")
    services.ensure_calendars(actor=owner)
    shared = Calendar.objects.get(workspace=spaces[0])
    services.import_ics(actor=owner, calendar_id=shared.id, text=INVITATION)
    copy = CalendarObject.objects.get(calendar__owner=safos.users["editor"], uid="samrad@test")
    username, secret = basic(safos, "editor")
    headers: dict[str, str] = {}
    with CaptureQueriesContext(connection) as queries:
        status, _body = dav_call("GET", f"/{username}/personal/{copy.href}", username, secret,
                                 caldav=True, answer_headers=headers)  # fmt: skip
    assert status == 200 and headers["Schedule-Tag"] == copy.schedule_tag
    reads = [q for q in queries if 'FROM "calendars_calendarobject"' in q["sql"]]
    assert len(reads) == 1, [q["sql"][:120] for q in reads]
