"""Free/busy across agencies: busy blocks only, merged, never titles; blocks from a workspace
whose class the asking login does not reach are left out; only members ask."""

from __future__ import annotations

import datetime as dt

import pytest

from samdrift.calendars import selectors, services
from samdrift.calendars.ical import HOME_ZONE
from samdrift.calendars.models import Calendar

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 12, 7, tzinfo=HOME_ZONE)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return MONDAY.replace(hour=hour, minute=minute)


@pytest.fixture
def calendars(safos, spaces):
    shared, secret, foreign = spaces
    for who in ("owner", "editor", "reader"):
        services.ensure_calendars(actor=safos.actor(who))
    return {
        "shared": Calendar.objects.get(workspace=shared),
        "secret": Calendar.objects.get(workspace=secret),
        "foreign": Calendar.objects.get(workspace=foreign),
        "editor_own": Calendar.objects.get(owner=safos.users["editor"]),
    }


def test_busy_blocks_without_titles_merged_and_limited_by_class(safos, calendars):
    editor = safos.actor("editor")
    services.event_create(
        actor=editor, calendar_id=calendars["editor_own"].id, summary="Tandläkare",
        start=at(9), end=at(10),
    )  # fmt: skip
    services.event_create(
        actor=editor, calendar_id=calendars["foreign"].id, summary="B:s interna möte",
        start=at(9, 30), end=at(11),
    )  # fmt: skip
    owner = safos.actor("owner")
    services.event_create(
        actor=owner, calendar_id=calendars["secret"].id, summary="Hemligt", start=at(14), end=at(15)
    )
    access = selectors.calendar_get(actor=owner, calendar_id=calendars["shared"].id)
    rows = {r.name: r for r in selectors.free_busy(actor=owner, access=access, start=MONDAY, end=MONDAY + dt.timedelta(days=1))}  # fmt: skip
    editor_row = next(r for r in rows.values() if r.agency == "Myndighet B")
    # the dentist and B's internal meeting become one block; no title anywhere
    assert editor_row.busy == [(at(9), at(11))]
    owner_row = next(r for r in rows.values() if r.agency == "Myndighet A")
    assert owner_row.busy == [(at(14), at(15))]  # class 2 reached with an e-ID at level 3
    low = safos.actor("owner", loa=1)
    low_access = selectors.calendar_get(
        actor=safos.actor("owner"), calendar_id=calendars["shared"].id
    )
    low_rows = selectors.free_busy(actor=low, access=low_access, start=MONDAY, end=MONDAY + dt.timedelta(days=1))  # fmt: skip
    assert next(r for r in low_rows if r.agency == "Myndighet A").busy == []


def test_the_page_shows_times_not_titles_and_outsiders_get_404(safos, calendars):
    services.event_create(
        actor=safos.actor("editor"), calendar_id=calendars["editor_own"].id,
        summary="Tandläkare", start=at(9), end=at(10),
    )  # fmt: skip
    page = safos.client("reader").get(
        f"/calendars/{calendars['shared'].id}/free-busy/?from=2026-12-07"
    )
    body = page.content.decode()
    assert page.status_code == 200 and "09:00" in body and "Tandläkare" not in body
    api = safos.client("reader").get(
        f"/api/v1/calendars/{calendars['shared'].id}/free-busy",
        {"start": "2026-12-07", "end": "2026-12-08"},
    )
    assert api.status_code == 200 and "Tandläkare" not in api.content.decode()
    assert any(row["busy"] for row in api.json()["items"])
    outsider = safos.client("outsider")
    assert outsider.get(f"/calendars/{calendars['shared'].id}/free-busy/").status_code == 404
    personal = safos.client("editor").get(f"/calendars/{calendars['editor_own'].id}/free-busy/")
    assert personal.status_code == 404
