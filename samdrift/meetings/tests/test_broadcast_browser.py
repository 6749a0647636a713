"""A webinar's broadcast in Chromium (fake camera and microphone) against the real Janus and a
real ffmpeg, over the real ASGI server: the host publishes and broadcasts themself; a viewer
let in from the lobby gets no media-server token and plays the host's stream over HLS (hls.js,
its picture decoded and its time advancing); stopping the broadcast stops ffmpeg and the
viewer's player. axe-core finds nothing on the viewer's page in English or Swedish (ADR 0970)."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from samdrift.audit.models import AuditEvent
from samdrift.meetings import hls
from samdrift.meetings.models import MeetingCredential
from samdrift.tests.asgi_server import asgi_server
from samdrift.tests.browser import axe_violations, page_as

from .test_engine import _add, _room
from .test_pages_browser import _join, _name, media_browser  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.engine,
    pytest.mark.browser,
    pytest.mark.slow,
]


def _plays(page: Page, within: float = 45.0) -> dict:
    """The viewer's player shows a decoded picture and its time goes on."""
    deadline = time.monotonic() + within
    first = None
    while True:
        now = page.evaluate("window.samdriftMeeting.stats()").get("broadcast")
        if now and now["width"] > 0 and first and now["time"] > first["time"] + 1:
            return now
        if now and now["width"] > 0 and first is None:
            first = now
        assert time.monotonic() < deadline, (now, page.locator("#meeting-status").text_content())
        time.sleep(1)


def test_a_webinar_viewer_watches_the_presenter_over_hls(safos, meetings, media_browser):  # noqa: F811
    workspace, room = _room(safos, mode="webinar")
    _add(safos, workspace, "reader", role="reader")  # a reader watches a webinar
    keys = {who: safos.client(who).cookies["sessionid"].value for who in ("owner", "reader")}
    with asgi_server() as site:
        host = page_as(media_browser, site, keys["owner"], "en")
        viewer = page_as(media_browser, site, keys["reader"], "en")
        for page in (host, viewer):
            page.goto(f"{site}/meetings/{room.id}/")
        _join(host)
        expect(host.locator("#meeting-status")).to_have_text("You are in the meeting.")
        start = host.get_by_role("button", name="Broadcast me to the viewers")
        expect(start).to_be_visible()
        deadline = time.monotonic() + 30  # until Janus has the host's published streams
        while True:
            # Clicked again only when samdrift refused (the host sends nothing yet): a second
            # start while one runs would switch the broadcast (a second audit event).
            with host.expect_response(
                lambda r: r.request.method == "POST" and r.url.endswith("/broadcast"),
                timeout=60000,
            ) as answer:
                start.click()
            if answer.value.ok:
                break
            assert time.monotonic() < deadline, host.locator("#meeting-status").text_content()
            time.sleep(1)
        expect(host.get_by_role("button", name="Stop the broadcast")).to_be_visible(timeout=15000)
        assert hls.running(room.janus_room)

        _join(viewer)
        expect(viewer.locator("#meeting-status")).to_have_text(
            "You are waiting in the lobby. The host lets you in."
        )
        host.get_by_role("button", name=f"Let in: {_name(safos, 'reader')}").click()
        expect(viewer.locator("#meeting-status")).to_have_text(
            "You are watching the webinar. Only its presenters are seen and heard.", timeout=15000
        )
        played = _plays(viewer)
        assert played["frames"] > 0
        # The viewer never reached Janus: no session in the page, no credential issued.
        assert viewer.evaluate("window.samdriftMeeting.janus === null")
        reader_id = safos.users["reader"].id
        assert not MeetingCredential.objects.filter(admission__user_id=reader_id).exists()
        assert axe_violations(viewer, "webinar viewer (en)") == []
        # The same in Swedish, the page opened again: the viewer is let in at once.
        viewer.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "sv", "url": site}]
        )
        viewer.reload()
        viewer.get_by_role("button", name="Gå med i mötet").click()
        expect(viewer.locator("#meeting-status")).to_have_text(
            "Du följer webbinariet. Bara dess presentatörer syns och hörs."
        )
        expect(viewer.locator("#meeting-broadcast-video")).to_have_count(1)
        assert axe_violations(viewer, "webinar viewer (sv)") == []

        host.get_by_role("button", name="Stop the broadcast").click()
        expect(viewer.locator("#meeting-videos")).to_have_text(
            "Sändningen har inte börjat ännu. Den startar här av sig själv.", timeout=25000
        )
        assert not hls.running(room.janus_room)
    actions = list(
        AuditEvent.objects.filter(object_id=str(room.id), action__startswith="meetings.broadcast")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["meetings.broadcast_start", "meetings.broadcast_stop"]
