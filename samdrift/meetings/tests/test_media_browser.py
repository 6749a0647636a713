"""Real media through the real Janus with the credentials samdrift issued (issue 14): three
officials of two agencies, each in Chromium with a fake camera and microphone, publish in a
workspace's meeting and each receives the others' audio and video (WebRTC `getStats`: inbound
bytes increasing). A removed participant's media stops, and so does everyone's when the meeting
ends.

Not samdrift's meeting page (not built yet): `janus_client.js` is a minimal client of Janus's
HTTP API, given only what `meeting_join` returns (Janus's URL, the token, the participant id).
The page is opened on Janus's own origin (`/janus/info`) so that it is a secure context for the
camera and talks to Janus without CORS.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import PermissionDenied
from samdrift.meetings import janus, services
from samdrift.tests.browser import CHROMIUM_ARGS

from .test_engine import _add, _admitted, _room

# Transactional: inside Playwright's event loop Django opens its own connection, which must see
# the committed rows (and not wait on the test's open transaction).
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.engine,
    pytest.mark.browser,
    pytest.mark.slow,
]

CLIENT = (Path(__file__).parent / "janus_client.js").read_text()
MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def _grew(before: dict, after: dict, feed: str) -> bool:
    return all(after[feed][kind] > before[feed][kind] + 200 for kind in ("audio", "video"))


def _still(before: dict, after: dict, feed: str) -> bool:
    return all(after[feed][kind] - before[feed][kind] < 2000 for kind in ("audio", "video"))


@contextmanager
def _meeting_pages(room, joins: dict) -> Iterator[dict]:
    """One Chromium page per person, each publishing its fake camera and microphone with the
    credentials samdrift issued, and watching everyone else's feed."""
    path = shutil.which("chromium")
    assert path, "Debian's chromium is required (scripts/ensure-browser.sh installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, args=[*CHROMIUM_ARGS, *MEDIA_ARGS]
        )
        try:
            pages = {}
            for name, joined in joins.items():
                page = browser.new_context().new_page()
                page.goto(f"{joined.janus_url}/info")
                page.evaluate(CLIENT)
                page.evaluate(
                    "([u, t, r, i]) => meeting.start(u, t, r, i)",
                    [joined.janus_url, joined.token, room.janus_room, joined.participant_id],
                )
                pages[name] = page
            for name, page in pages.items():
                for other, joined in joins.items():
                    if other != name:
                        page.evaluate(
                            "([r, f]) => meeting.subscribe(r, f)",
                            [room.janus_room, joined.participant_id],
                        )
            yield pages
        finally:
            browser.close()


def _inbound(pages: dict) -> dict[str, dict]:
    return {name: page.evaluate("meeting.inbound()") for name, page in pages.items()}


def _two_readings(pages: dict) -> tuple[dict, dict]:
    time.sleep(1)
    first = _inbound(pages)
    time.sleep(2)
    return first, _inbound(pages)


def test_three_officials_of_two_agencies_receive_each_other_until_removed_or_ended(
    safos, meetings, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    workspace, room = _room(safos)  # owner (agency A) hosts; editor (agency B) is a member
    _add(safos, workspace, "reader", role="reader")  # a second official of agency B
    joins = {"owner": services.meeting_join(actor=safos.actor("owner"), room_id=room.id)}
    joins["editor"] = _admitted(safos, room, "editor")
    joins["reader"] = _admitted(safos, room, "reader")
    ids = {name: j.participant_id for name, j in joins.items()}
    with _meeting_pages(room, joins) as pages:
        first, second = _two_readings(pages)
        for name in pages:
            for other in pages:
                if other != name:
                    assert _grew(first[name], second[name], ids[other]), (name, other, second)

        services.participant_remove(
            actor=safos.actor("owner"),
            room_id=room.id,
            admission_id=joins["reader"].admission.id,
        )
        third, fourth = _two_readings(pages)
        for other in ("owner", "editor"):  # the removed one receives nothing more
            assert _still(third["reader"], fourth["reader"], ids[other]), fourth["reader"]
        for name in ("owner", "editor"):  # nor is the removed one's media delivered
            assert _still(third[name], fourth[name], ids["reader"]), (name, fourth[name])
        assert _grew(third["owner"], fourth["owner"], ids["editor"])  # the others go on
        assert _grew(third["editor"], fourth["editor"], ids["owner"])

        services.room_end(actor=safos.actor("owner"), room_id=room.id)
        fifth, sixth = _two_readings(pages)
        assert _still(fifth["owner"], sixth["owner"], ids["editor"]), sixth["owner"]
        assert _still(fifth["editor"], sixth["editor"], ids["owner"]), sixth["editor"]
        assert not janus.Client().room_exists(room.janus_room)


def test_a_muted_participants_sound_stops_at_the_others_while_their_video_goes_on(
    safos, meetings, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    _w, room = _room(safos)
    joins = {"owner": services.meeting_join(actor=safos.actor("owner"), room_id=room.id)}
    joins["editor"] = _admitted(safos, room, "editor")
    editor = joins["editor"].participant_id
    with _meeting_pages(room, joins) as pages:
        first, second = _two_readings(pages)
        assert _grew(first["owner"], second["owner"], editor)
        with pytest.raises(PermissionDenied):  # a participant does not mute the host
            services.participant_mute(
                actor=safos.actor("editor"),
                room_id=room.id,
                admission_id=joins["owner"].admission.id,
                media="audio",
            )
        muted = services.participant_mute(
            actor=safos.actor("owner"),
            room_id=room.id,
            admission_id=joins["editor"].admission.id,
            media="audio",
        )
        assert muted == 1
        third, fourth = _two_readings(pages)
        got = fourth["owner"][editor]["audio"] - third["owner"][editor]["audio"]
        assert got < 2000, got  # no sound from the muted one
        assert fourth["owner"][editor]["video"] > third["owner"][editor]["video"] + 200
        services.participant_mute(
            actor=safos.actor("owner"),
            room_id=room.id,
            admission_id=joins["editor"].admission.id,
            media="audio",
            mute=False,
        )
        fifth, sixth = _two_readings(pages)
        assert _grew(fifth["owner"], sixth["owner"], editor)
    actions = list(
        AuditEvent.objects.filter(action__in=["meetings.mute", "meetings.unmute"])
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["meetings.mute", "meetings.unmute"]
