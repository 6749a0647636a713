"""The calendar pages: agenda with recurrences, the task board and its keyboard move, import and
export, and what another agency's official gets (404, as for a calendar that does not exist)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from icalendar import Calendar as ICalendar

from samdrift.audit.models import AuditEvent
from samdrift.calendars import selectors, services
from samdrift.calendars.models import Calendar, CalendarObject

pytestmark = pytest.mark.django_db

LEAP = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:leap@test
DTSTAMP:20261001T080000Z
DTSTART;VALUE=DATE:20280229
DTEND;VALUE=DATE:20280301
RRULE:FREQ=YEARLY
SUMMARY:Skottdag
END:VEVENT
BEGIN:VEVENT
UID:moved@test
DTSTAMP:20261001T080000Z
DTSTART;TZID=Europe/Stockholm:20261102T090000
DTEND;TZID=Europe/Stockholm:20261102T100000
RRULE:FREQ=DAILY;COUNT=5
EXDATE;TZID=Europe/Stockholm:20261104T090000
SUMMARY:Daglig avstämning
END:VEVENT
BEGIN:VEVENT
UID:moved@test
DTSTAMP:20261001T080000Z
RECURRENCE-ID;TZID=Europe/Stockholm:20261103T090000
DTSTART;TZID=Europe/Stockholm:20261103T140000
DTEND;TZID=Europe/Stockholm:20261103T150000
SUMMARY:Daglig avstämning (flyttad)
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def shared(safos, spaces):
    services.ensure_calendars(actor=safos.actor("owner"))
    return Calendar.objects.get(workspace=spaces[0])


def test_import_splits_by_uid_and_the_agenda_expands_moves_and_exdates(safos, shared):
    count = services.import_ics(actor=safos.actor("owner"), calendar_id=shared.id, text=LEAP)
    assert count == 2
    import datetime as dt

    from samdrift.calendars.ical import HOME_ZONE

    week = selectors.occurrences(
        shared,
        start=dt.datetime(2026, 11, 2, tzinfo=HOME_ZONE),
        end=dt.datetime(2026, 11, 9, tzinfo=HOME_ZONE),
    )
    daily = [(o.start.day, o.start.hour) for o in week if o.uid == "moved@test"]
    assert daily == [(2, 9), (3, 14), (5, 9), (6, 9)]  # 4th excluded, 3rd moved to 14:00
    leap = selectors.occurrences(
        shared,
        start=dt.datetime(2028, 1, 1, tzinfo=HOME_ZONE),
        end=dt.datetime(2033, 1, 1, tzinfo=HOME_ZONE),
    )
    # RFC 5545: a yearly rule on 29 February has instances only in leap years
    assert [o.start.date() for o in leap] == [dt.date(2028, 2, 29), dt.date(2032, 2, 29)]


def test_agenda_page_and_export_for_a_member_404_for_an_outsider(safos, shared):
    services.import_ics(actor=safos.actor("owner"), calendar_id=shared.id, text=LEAP)
    page = safos.client("editor").get(f"/calendars/{shared.id}/?from=2026-11-02")
    assert page.status_code == 200
    assert "Daglig avstämning (flyttad)" in page.content.decode()
    exported = safos.client("reader").get(f"/calendars/{shared.id}/export.ics")
    assert exported.status_code == 200
    parsed = ICalendar.from_ical(exported.content)
    assert {str(e["UID"]) for e in parsed.walk("VEVENT")} == {"leap@test", "moved@test"}
    assert AuditEvent.objects.filter(action="read", object_type="calendars.calendar").exists()
    for path in ("/", "board/", "export.ics"):
        assert safos.client("outsider").get(f"/calendars/{shared.id}/{path}").status_code == 404


def test_the_board_moves_a_card_without_a_pointer_and_refuses_a_stale_move(safos, shared):
    client = safos.client("editor")
    made = client.post(
        f"/calendars/{shared.id}/board/", {"summary": "Skriv rapporten", "priority": 1}
    )
    assert made.status_code == 302
    card = CalendarObject.objects.get(summary="Skriv rapporten")
    assert card.component == "VTODO" and card.task_status == "NEEDS-ACTION"
    moved = client.post(
        f"/calendars/{shared.id}/board/move/",
        {"href": card.href, "etag": card.etag, "status": "IN-PROCESS"},
    )
    assert moved.status_code == 302
    card.refresh_from_db()
    assert card.status == "IN-PROCESS" and "STATUS:IN-PROCESS" in card.text
    stale = client.post(
        f"/calendars/{shared.id}/board/move/",
        {"href": card.href, "etag": '"old"', "status": "COMPLETED"},
        follow=True,
    )
    assert "reload" in stale.content.decode().lower() or "ladda" in stale.content.decode().lower()
    card.refresh_from_db()
    assert card.status == "IN-PROCESS"
    board = client.get(f"/calendars/{shared.id}/board/")
    assert board.status_code == 200 and "Skriv rapporten" in board.content.decode()


def test_a_reader_sees_the_board_but_cannot_add_or_move(safos, shared):
    services.task_create(actor=safos.actor("owner"), calendar_id=shared.id, summary="Läs")
    card = CalendarObject.objects.get()
    reader = safos.client("reader")
    assert "Move" not in reader.get(f"/calendars/{shared.id}/board/").content.decode()
    reader.post(f"/calendars/{shared.id}/board/", {"summary": "Nej", "priority": 0})
    reader.post(
        f"/calendars/{shared.id}/board/move/",
        {"href": card.href, "etag": card.etag, "status": "COMPLETED"},
    )
    assert CalendarObject.objects.count() == 1
    card.refresh_from_db()
    assert card.task_status == "NEEDS-ACTION"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("not a calendar", "iCalendar"),
        ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "inga händelser"),
        (LEAP.replace("RRULE:FREQ=YEARLY", "RRULE:FREQ=YEARLY\nDTEND;VALUE=DATE:20270101"), ""),
        ("X" * (2 * 1024 * 1024), ""),
    ],
)
def test_bad_imports_are_refused_with_a_reason_and_store_nothing(safos, shared, body, fragment):
    answer = safos.client("owner").post(
        f"/calendars/{shared.id}/import/",
        {"file": SimpleUploadedFile("bad.ics", body.encode(), "text/calendar")},
        follow=True,
    )
    text = answer.content.decode()
    assert answer.status_code == 200
    assert 'class="messages' in text or "error" in text
    assert fragment in text
    assert not CalendarObject.objects.exists()
    assert Calendar.objects.get(pk=shared.pk).seq == 0


def test_an_event_form_with_end_before_start_is_refused(safos, shared):
    answer = safos.client("owner").post(
        f"/calendars/{shared.id}/",
        {"summary": "Baklänges", "start": "2026-12-10T10:00", "end": "2026-12-10T09:00"},
    )
    assert answer.status_code == 422
    assert not CalendarObject.objects.exists()


def test_the_list_page_names_the_caldav_address(safos, shared):
    page = safos.client("owner").get("/calendars/")
    assert page.status_code == 200
    assert "/caldav/" in page.content.decode() and "Samverkan" in page.content.decode()


def test_a_weekly_meeting_keeps_its_local_time_across_the_march_change(safos, shared):
    import datetime as dt

    from samdrift.calendars.ical import HOME_ZONE

    weekly = LEAP.split("BEGIN:VEVENT")[0] + (
        "BEGIN:VEVENT\nUID:spring@test\nDTSTAMP:20261001T080000Z\n"
        "DTSTART;TZID=Europe/Stockholm:20270322T100000\n"
        "DTEND;TZID=Europe/Stockholm:20270322T110000\nRRULE:FREQ=WEEKLY;COUNT=3\n"
        "SUMMARY:Vår\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    services.import_ics(actor=safos.actor("owner"), calendar_id=shared.id, text=weekly)
    found = selectors.occurrences(
        shared,
        start=dt.datetime(2027, 3, 20, tzinfo=HOME_ZONE),
        end=dt.datetime(2027, 4, 10, tzinfo=HOME_ZONE),
    )
    assert [(o.start.day, o.start.hour) for o in found] == [(22, 10), (29, 10), (5, 10)]
    # the same local hour is a different UTC hour after summer time starts on 28 March
    assert [o.start.astimezone(dt.UTC).hour for o in found] == [9, 8, 8]


@pytest.mark.parametrize(
    ("view", "shown", "hidden"),
    [
        ("day", ["Daglig avstämning"], ["(flyttad)"]),
        ("week", ["Daglig avstämning (flyttad)"], []),
        ("month", ["Daglig avstämning (flyttad)", "<table"], []),
        ("agenda", ["Daglig avstämning (flyttad)"], []),
    ],
)
def test_day_week_month_and_agenda_views(safos, shared, view, shown, hidden):
    services.import_ics(actor=safos.actor("owner"), calendar_id=shared.id, text=LEAP)
    page = safos.client("editor").get(f"/calendars/{shared.id}/?view={view}&from=2026-11-02")
    body = page.content.decode()
    assert page.status_code == 200
    for text in shown:
        assert text in body, (view, text)
    for text in hidden:
        assert text not in body, (view, text)


def test_a_task_assigned_across_agencies_with_a_linked_document(safos, shared, spaces):
    import io

    from samdrift.collaboration import services as collaboration

    version = collaboration.upload(
        actor=safos.actor("owner"), workspace_id=spaces[0].id,
        stream=io.BytesIO(b"plan\n"), name="Plan.txt",
    )  # fmt: skip
    client = safos.client("owner")
    made = client.post(
        f"/calendars/{shared.id}/board/",
        {
            "summary": "Granska planen",
            "priority": 1,
            "description": "Båda myndigheterna",
            "assignees": ["owner@example.se", "editor@example.se"],
            "documents": [version.document_id],
        },
    )
    assert made.status_code == 302, made.content[:500]
    card = CalendarObject.objects.get(summary="Granska planen")
    todo = ICalendar.from_ical(card.text).walk("VTODO")[0]  # lines may be folded in the text
    assert {str(a) for a in todo["ATTENDEE"]} == {
        "mailto:owner@example.se",
        "mailto:editor@example.se",
    }
    assert "ATTACH" in todo
    assert card.links[0]["name"] == "Plan.txt"
    board = client.get(f"/calendars/{shared.id}/board/").content.decode()
    assert "Plan.txt" in board and f"/collaboration/documents/{version.document_id}/" in board
    api = client.get(f"/api/v1/calendars/{shared.id}/tasks").json()["items"][0]
    assert api["links"][0]["name"] == "Plan.txt" and api["assignees"]
    # someone outside the workspace, or another workspace's document, is refused
    for bad in ({"assignees": ["outsider@example.se"]}, {"documents": [987654]}):
        answer = client.post(
            f"/calendars/{shared.id}/board/", {"summary": "Fel", "priority": 0, **bad}
        )
        assert answer.status_code == 422
    assert CalendarObject.objects.count() == 1
