"""The meeting page in Chromium (fake camera and microphone) against the real Janus, over the
real ASGI server: officials of two agencies knock, the host lets them in from the lobby with the
page's buttons, each receives the others' audio and video (WebRTC `getStats`), raises a hand the
host sees; the host mutes one (whose sound stops at the others while their video goes on) and
removes one (whose page says so and whose media stops) and ends the meeting
for everyone. axe-core finds nothing on the page in the meeting, in Swedish and English."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from samdrift.audit.models import AuditEvent
from samdrift.meetings import janus, services
from samdrift.meetings.models import MeetingAdmission, MeetingCredential
from samdrift.tests.asgi_server import asgi_server
from samdrift.tests.browser import axe_violations, chromium, page_as

from .test_engine import _add, _room

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.engine,
    pytest.mark.browser,
    pytest.mark.slow,
]

MEDIA_ARGS = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")


@pytest.fixture
def media_browser(monkeypatch) -> Iterator[Browser]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium(MEDIA_ARGS) as launched:
        yield launched


def _name(safos, who: str) -> str:
    user = safos.users[who]
    return user.get_full_name() or user.get_username()


def _stats(page: Page) -> dict:
    return page.evaluate("window.samdriftMeeting.stats()")


def _grows(pages: dict[str, Page], feeds: dict[str, str], within: float = 20.0) -> None:
    """Every page receives audio and video from every other person in `feeds`, more and more."""
    deadline = time.monotonic() + within
    while True:
        first = {name: _stats(page) for name, page in pages.items()}
        time.sleep(1.5)
        second = {name: _stats(page) for name, page in pages.items()}
        missing = [
            (name, other, kind)
            for name in pages
            for other, feed in feeds.items()
            if other != name
            for kind in ("audio", "video")
            if second[name].get(feed, {}).get(kind, 0)
            <= first[name].get(feed, {}).get(kind, 0) + 200
        ]
        if not missing:
            return
        statuses = {
            n: (
                p.locator("#meeting-status").text_content(),
                p.evaluate(
                    "(m => [!!m.janus, m.janus && [...m.janus.subs.keys()], m.janus && m.janus.closed, m.joined && m.joined.participant_id])(window.samdriftMeeting)"
                ),
            )
            for n, p in pages.items()
        }
        assert time.monotonic() < deadline, (missing, second, statuses)


def _muted(page: Page, feed: str, within: float = 15.0) -> None:
    """At `page`, `feed`'s audio has stopped while its video goes on."""
    deadline = time.monotonic() + within
    while True:
        first = _stats(page)[feed]
        time.sleep(2)
        second = _stats(page)[feed]
        audio, video = (second[k] - first[k] for k in ("audio", "video"))
        if audio < 1000 and video > 200:
            return
        assert time.monotonic() < deadline, (audio, video)


def _join(page: Page) -> None:
    page.get_by_role("button", name="Join the meeting").click()


def test_officials_of_two_agencies_meet_through_the_page(safos, meetings, media_browser):
    workspace, room = _room(safos)  # owner (agency A) hosts; editor (agency B) is a member
    _add(safos, workspace, "reader", role="reader")  # a second official of agency B
    keys = {
        who: safos.client(who).cookies["sessionid"].value for who in ("owner", "editor", "reader")
    }
    with asgi_server() as site:
        pages = {who: page_as(media_browser, site, key, "en") for who, key in keys.items()}
        for page in pages.values():
            page.goto(f"{site}/meetings/{room.id}/")
        _join(pages["owner"])
        expect(pages["owner"].locator("#meeting-status")).to_have_text("You are in the meeting.")
        for who in ("editor", "reader"):
            _join(pages[who])
            expect(pages[who].locator("#meeting-status")).to_have_text(
                "You are waiting in the lobby. The host lets you in."
            )
            lobby = pages["owner"].locator("#meeting-lobby")
            expect(lobby).to_contain_text(_name(safos, who))
            pages["owner"].get_by_role("button", name=f"Let in: {_name(safos, who)}").click()
            expect(pages[who].locator("#meeting-status")).to_have_text(
                "You are in the meeting.", timeout=15000
            )
        people = pages["owner"].evaluate("window.samdriftMeeting.detail.people")
        feeds = {
            who: next(p["participant_id"] for p in people if p["name"] == _name(safos, who))
            for who in pages
        }
        _grows(pages, feeds)
        for page in pages.values():  # everyone sees everyone, named by samdrift
            for other in pages:
                expect(page.locator("#meeting-people")).to_contain_text(_name(safos, other))
            expect(page.locator("#meeting-videos figcaption")).to_have_count(3)

        # A hand goes up; the host sees it in the participant list.
        pages["editor"].get_by_role("button", name="Raise hand").click()
        expect(pages["owner"].locator("#meeting-people")).to_contain_text(
            "hand raised", timeout=10000
        )

        # The host mutes the editor in Janus: their sound stops at the others, their video goes on.
        pages["owner"].get_by_role("button", name=f"Mute: {_name(safos, 'editor')}").click()
        _muted(pages["owner"], feeds["editor"])
        expect(pages["owner"].locator("#meeting-people")).to_contain_text("sound muted by the host")
        pages["owner"].get_by_role("button", name=f"Let speak: {_name(safos, 'editor')}").click()
        _grows(
            {w: pages[w] for w in ("owner", "editor")}, {w: feeds[w] for w in ("owner", "editor")}
        )

        for language in ("en", "sv"):
            page = page_as(media_browser, site, keys["owner"], language)
            page.goto(f"{site}/meetings/{room.id}/")
            assert axe_violations(page) == []
            page.close()
        assert axe_violations(pages["owner"]) == []

        # The host removes the reader: their page says so, and their media stops at the others.
        pages["owner"].get_by_role("button", name=f"Remove: {_name(safos, 'reader')}").click()
        expect(pages["reader"].locator("#meeting-status")).to_have_text(
            "The host removed you from the meeting.", timeout=15000
        )
        expect(pages["owner"].locator("#meeting-people")).not_to_contain_text(
            _name(safos, "reader")
        )
        expect(pages["owner"].locator("#meeting-videos figcaption")).to_have_count(2, timeout=15000)
        _grows(
            {w: pages[w] for w in ("owner", "editor")}, {w: feeds[w] for w in ("owner", "editor")}
        )

        # The host ends the meeting: everyone's page says so and no media flows.
        pages["owner"].once("dialog", lambda dialog: dialog.accept())
        pages["owner"].get_by_role("button", name="End the meeting for everyone").click()
        for who in ("owner", "editor"):
            expect(pages[who].locator("#meeting-status")).to_have_text(
                "The meeting has ended.", timeout=15000
            )
            expect(pages[who].locator("#meeting-videos video")).to_have_count(0)
    assert not janus.Client().room_exists(room.janus_room)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"meetings.join", "meetings.lobby_admit", "meetings.remove", "meetings.end",
            "meetings.hand_raise", "meetings.lobby_wait", "meetings.mute", "meetings.unmute"} <= actions  # fmt: skip


def test_a_shared_screen_reaches_the_others_and_stops_when_unshared(safos, meetings, media_browser):
    """Headless Chromium's fake capture answers getDisplayMedia with a test pattern: the host
    shares it, the other official receives it as a feed of its own beside the camera, named as
    the host's screen, and it goes away when the host stops sharing. Both join with the token
    their page got as it opened (ADR 0662): the join claims it, no second token is issued."""
    _w, room = _room(safos)
    waiting = services.meeting_join(actor=safos.actor("editor"), room_id=room.id)
    services.lobby_admit(
        actor=safos.actor("owner"), room_id=room.id, admission_id=waiting.admission.id
    )
    keys = {who: safos.client(who).cookies["sessionid"].value for who in ("owner", "editor")}
    with asgi_server() as site:
        pages = {who: page_as(media_browser, site, key, "en") for who, key in keys.items()}
        for page in pages.values():
            with page.expect_response(lambda r: r.url.endswith("/ready")) as ready:
                page.goto(f"{site}/meetings/{room.id}/")
            assert ready.value.status == 200
        for page in pages.values():
            _join(page)
            expect(page.locator("#meeting-status")).to_have_text("You are in the meeting.")
        people = pages["owner"].evaluate("window.samdriftMeeting.detail.people")
        feeds = {
            who: next(p["participant_id"] for p in people if p["name"] == _name(safos, who))
            for who in pages
        }
        _grows(pages, feeds)

        pages["owner"].get_by_role("button", name="Share screen").click()
        screen = f"{feeds['owner']}-s"
        shown = pages["editor"].locator("#meeting-videos figcaption", has_text="'s screen")
        expect(shown).to_have_count(1, timeout=15000)
        expect(shown).to_contain_text(_name(safos, "owner"))
        deadline = time.monotonic() + 20
        while True:
            before = _stats(pages["editor"]).get(screen, {}).get("video", 0)
            time.sleep(1.5)
            after = _stats(pages["editor"]).get(screen, {}).get("video", 0)
            if after > before + 200:
                break
            assert time.monotonic() < deadline, (before, after)

        pages["owner"].get_by_role("button", name="Stop sharing screen").click()
        expect(shown).to_have_count(0, timeout=15000)
        expect(pages["editor"].locator("#meeting-videos figcaption")).to_have_count(2)
    for who in ("owner", "editor"):
        admission = MeetingAdmission.objects.get(room=room, user=safos.users[who])
        ready = AuditEvent.objects.get(action="meetings.ready", object_id=str(admission.id))
        join = AuditEvent.objects.get(action="meetings.join", object_id=str(admission.id))
        assert join.after["credential"] == ready.after["credential"]
        assert MeetingCredential.objects.filter(admission=admission).count() == 1
