"""The CLI (`samdrift calendar`) and the API (/api/v1/calendars): the same services and rules."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from icalendar import Calendar as ICalendar

from samdrift.calendars import services
from samdrift.calendars.models import Calendar, CalendarObject
from samdrift.calendars.tests.test_pages import LEAP

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(safos, spaces):
    services.ensure_calendars(actor=safos.actor("owner"))
    return Calendar.objects.get(workspace=spaces[0])


def test_cli_round_trip_through_a_file(safos, shared, tmp_path):
    source = tmp_path / "in.ics"
    source.write_text(LEAP, encoding="utf-8")
    out = StringIO()
    call_command(
        "calendar", "import", str(shared.id), str(source), "--as", "safos_owner", stdout=out
    )
    assert "2" in out.getvalue()
    target = tmp_path / "out.ics"
    call_command("calendar", "export", str(shared.id), "--out", str(target), "--as", "safos_editor")
    uids = {str(c["UID"]) for c in ICalendar.from_ical(target.read_bytes()).walk("VEVENT")}
    assert uids == {"leap@test", "moved@test"}


def test_cli_refuses_a_reader_and_an_outsider_in_both_languages(safos, shared, tmp_path):
    source = tmp_path / "in.ics"
    source.write_text(LEAP, encoding="utf-8")
    with pytest.raises(CommandError, match=" / "):
        call_command("calendar", "import", str(shared.id), str(source), "--as", "safos_reader")
    with pytest.raises(CommandError):
        call_command("calendar", "export", str(shared.id), "--as", "safos_outsider")
    assert not CalendarObject.objects.exists()


def test_api_lists_events_and_moves_tasks(safos, shared):
    services.import_ics(actor=safos.actor("owner"), calendar_id=shared.id, text=LEAP)
    task = services.task_create(actor=safos.actor("owner"), calendar_id=shared.id, summary="T")
    client = safos.client("editor")
    listed = client.get("/api/v1/calendars/")
    assert listed.status_code == 200
    assert shared.id in {c["id"] for c in listed.json()["items"]}
    events = client.get(
        f"/api/v1/calendars/{shared.id}/events", {"start": "2026-11-02", "end": "2026-11-09"}
    )
    assert events.status_code == 200
    assert len([e for e in events.json()["items"] if e["uid"] == "moved@test"]) == 4
    wide = client.get(
        f"/api/v1/calendars/{shared.id}/events", {"start": "2026-01-01", "end": "2029-01-01"}
    )
    assert wide.status_code == 422
    moved = client.post(
        f"/api/v1/calendars/{shared.id}/tasks/move",
        {"href": task.href, "status": "COMPLETED", "etag": task.etag},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["status"] == "COMPLETED"
    stale = client.post(
        f"/api/v1/calendars/{shared.id}/tasks/move",
        {"href": task.href, "status": "IN-PROCESS", "etag": task.etag},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert CalendarObject.objects.get(pk=task.pk).status == "COMPLETED"
    assert safos.client("outsider").get(f"/api/v1/calendars/{shared.id}/tasks").status_code == 404
