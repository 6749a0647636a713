"""Checklists (issue 12 item 3): a task's checklist items are tasks related to it
(RELATED-TO;RELTYPE=PARENT), so calendar programs show them as subtasks; the board shows them
on their card, ticked with the same move as a card, and refuses what would hide an item."""

from __future__ import annotations

import pytest
from icalendar import Calendar as ICalendar

from samdrift.calendars import selectors, services
from samdrift.calendars.models import Calendar, CalendarObject
from samdrift.core.exceptions import ValidationFailed
from samdrift.core.i18n import in_both_languages

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(safos, spaces):
    services.ensure_calendars(actor=safos.actor("owner"))
    return Calendar.objects.get(workspace=spaces[0])


def test_an_item_is_a_related_task_shown_on_its_card(safos, shared):
    owner = safos.actor("owner")
    card = services.task_create(actor=owner, calendar_id=shared.id, summary="Skriv remissvar")
    item = services.task_create(
        actor=owner, calendar_id=shared.id, summary="Läs underlaget", parent_href=card.href
    )
    todo = ICalendar.from_ical(item.text).walk("VTODO")[0]
    related = todo["RELATED-TO"]
    assert str(related) == card.uid and related.params["RELTYPE"] == "PARENT"
    assert item.parent_uid == card.uid
    columns = selectors.board(shared)
    [shown] = columns["NEEDS-ACTION"]  # the item is no card of its own
    assert shown.uid == card.uid and [i.uid for i in shown.checklist] == [item.uid]
    assert shown.checklist_done == 0


def test_a_client_subtask_is_an_item_and_a_deeper_one_stays_a_card(safos, shared):
    owner = safos.actor("owner")
    card = services.task_create(actor=owner, calendar_id=shared.id, summary="Huvud")
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//client//EN\r\nBEGIN:VTODO\r\n"
        "UID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:{summary}\r\nRELATED-TO:{parent}\r\n"
        "STATUS:COMPLETED\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
    )
    services.object_put(
        actor=owner, calendar_id=shared.id, href="sub.ics",
        text=text.format(uid="sub@x", summary="Del", parent=card.uid),
    )  # fmt: skip
    services.object_put(
        actor=owner, calendar_id=shared.id, href="subsub.ics",
        text=text.format(uid="subsub@x", summary="Djupare", parent="sub@x"),
    )  # fmt: skip
    columns = selectors.board(shared)
    cards = {c.uid: c for cards in columns.values() for c in cards}
    assert set(cards) == {card.uid, "subsub@x"}  # nothing hidden
    assert cards[card.uid].checklist_done == 1


@pytest.mark.parametrize("parent", ["missing.ics", "item"])
def test_an_item_needs_a_task_of_this_calendar_that_is_no_item(safos, shared, parent):
    owner = safos.actor("owner")
    card = services.task_create(actor=owner, calendar_id=shared.id, summary="Huvud")
    item = services.task_create(
        actor=owner, calendar_id=shared.id, summary="Punkt", parent_href=card.href
    )
    before = CalendarObject.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        services.task_create(
            actor=owner, calendar_id=shared.id, summary="X",
            parent_href=item.href if parent == "item" else parent,
        )  # fmt: skip
    rendered = in_both_languages(refused.value.message, refused.value.params)
    assert rendered["sv"] != rendered["en"]
    assert CalendarObject.objects.count() == before


def test_the_board_adds_and_ticks_items_without_a_pointer(safos, shared):
    client = safos.client("editor")
    client.post(f"/calendars/{shared.id}/board/", {"summary": "Skriv rapporten", "priority": 0})
    card = CalendarObject.objects.get(summary="Skriv rapporten")
    added = client.post(f"/calendars/{shared.id}/board/", {"parent": card.href, "item": "Korrläs"})
    assert added.status_code == 302
    item = CalendarObject.objects.get(summary="Korrläs")
    page = client.get(f"/calendars/{shared.id}/board/").content.decode()
    assert "Checklista: 0 av 1 klara" in page and "Markera ”Korrläs” som klar" in page
    ticked = client.post(
        f"/calendars/{shared.id}/board/move/",
        {"href": item.href, "etag": item.etag, "status": "COMPLETED"},
    )
    assert ticked.status_code == 302
    assert (
        "Checklista: 1 av 1 klara" in client.get(f"/calendars/{shared.id}/board/").content.decode()
    )
    refused = client.post(f"/calendars/{shared.id}/board/", {"parent": "nope.ics", "item": "X"})
    assert refused.status_code == 422
    assert not CalendarObject.objects.filter(summary="X").exists()
    # a reader sees the checklist but no form to add to it
    reader = safos.client("reader").get(f"/calendars/{shared.id}/board/").content.decode()
    assert "Korrläs" in reader and 'name="item"' not in reader
