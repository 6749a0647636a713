"""The calendar pages in Chromium: axe-core (WCAG 2.1 A and AA) in Swedish and English as a
member with an e-ID login (the shared axe test sees the workspace calendars behind SAFOS's
step-up), and a card moved on the board by keyboard only and by drag and drop."""

from __future__ import annotations

import datetime as dt

import pytest

from samdrift.calendars import services
from samdrift.calendars.ical import HOME_ZONE
from samdrift.calendars.models import Calendar, CalendarObject
from samdrift.tests.browser import axe_violations, browser, page_as, tab_to  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def board(safos, spaces):
    owner = safos.actor("owner")
    services.ensure_calendars(actor=owner)
    shared = Calendar.objects.get(workspace=spaces[0])
    now = dt.datetime.now(HOME_ZONE).replace(minute=0, second=0, microsecond=0)
    services.event_create(
        actor=owner, calendar_id=shared.id, summary="Avstämning",
        start=now + dt.timedelta(days=1), end=now + dt.timedelta(days=1, hours=1),
    )  # fmt: skip
    card = services.task_create(actor=owner, calendar_id=shared.id, summary="Skriv remissvar")
    services.task_create(
        actor=owner, calendar_id=shared.id, summary="Läs underlaget", parent_href=card.href
    )
    services.task_create(actor=owner, calendar_id=shared.id, summary="Boka lokal")
    return shared


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_calendar_pages_pass_axe(live_server, safos, board, browser, language, settings):  # noqa: F811
    session = safos.client("owner").cookies[settings.SESSION_COOKIE_NAME].value
    found: list[str] = []
    for url in ("/calendars/", f"/calendars/{board.id}/", f"/calendars/{board.id}/?view=month",
                f"/calendars/{board.id}/?view=week", f"/calendars/{board.id}/board/",
                f"/calendars/{board.id}/free-busy/"):  # fmt: skip
        page = page_as(browser, live_server.url, session, language)
        response = page.goto(live_server.url + url)
        assert response is not None and response.status == 200, url
        assert page.locator("html").get_attribute("lang") == language
        found += axe_violations(page, f"{url} ({language})")
        if url == f"/calendars/{board.id}/":  # with meetings' add-on on the form (ADR 0649)
            label = "Håll det som ett videomöte" if language == "sv" else "Hold it as a video"
            assert page.get_by_label(label).count() == 1
        page.context.close()
    assert found == []


def test_a_card_moves_by_keyboard_and_by_drag(live_server, safos, board, browser, settings):  # noqa: F811
    session = safos.client("editor").cookies[settings.SESSION_COOKIE_NAME].value
    page = page_as(browser, live_server.url, session, "en")
    page.goto(f"{live_server.url}/calendars/{board.id}/board/")
    # keyboard only: Tab to the card's list, choose the column, Tab to its button, Enter
    select = page.get_by_label("Move “Skriv remissvar” to")
    tab_to(page, select)
    select.select_option("IN-PROCESS")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert CalendarObject.objects.get(summary="Skriv remissvar").status == "IN-PROCESS"
    # drag and drop: the other card onto the Done column
    card = page.locator("[data-card]", has_text="Boka lokal")
    with page.expect_navigation():
        card.drag_to(page.locator('[data-status="COMPLETED"]'))
    assert CalendarObject.objects.get(summary="Boka lokal").status == "COMPLETED"
    done = page.locator('[data-status="COMPLETED"]')
    assert done.locator(".card-title", has_text="Boka lokal").count() == 1
    page.context.close()
