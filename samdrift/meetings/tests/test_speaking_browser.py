"""Captions of who speaks (issue 14): the host's fake microphone plays a steady tone (a WAV file
ffmpeg makes), Janus's audio-level events say they talk, and the other participant's page names
them as speaking in its participant list, though they were speaking before the other arrived;
when the host turns their microphone off, it says so no longer. Chromium with fake devices against the real Janus, over the real ASGI server."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from samdrift.tests.asgi_server import asgi_server
from samdrift.tests.browser import chromium, page_as

from .test_engine import _room
from .test_pages_browser import MEDIA_ARGS, _join, _name

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.engine,
    pytest.mark.browser,
    pytest.mark.slow,
]


@pytest.fixture
def loud_browser(monkeypatch, tmp_path: Path) -> Iterator[Browser]:
    """Chromium whose fake microphone plays a loud 440 Hz tone, on and on."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    tone = tmp_path / "tone.wav"
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
         "sine=frequency=440:sample_rate=48000:duration=120", "-af", "volume=7",  # lavfi sine is at 1/8 of full scale
         "-ac", "1", str(tone)],
        check=True,
    )  # fmt: skip
    with chromium((*MEDIA_ARGS, f"--use-file-for-fake-audio-capture={tone}")) as launched:
        yield launched


def test_the_participant_list_says_who_speaks(safos, meetings, loud_browser):
    _workspace, room = _room(safos)
    keys = {who: safos.client(who).cookies["sessionid"].value for who in ("owner", "editor")}
    with asgi_server() as site:
        host = page_as(loud_browser, site, keys["owner"], "en")
        listener = page_as(loud_browser, site, keys["editor"], "en")
        for page in (host, listener):
            page.goto(f"{site}/meetings/{room.id}/")
        _join(host)
        expect(host.locator("#meeting-status")).to_have_text("You are in the meeting.")
        _join(listener)
        host.get_by_role("button", name=f"Let in: {_name(safos, 'editor')}").click()
        expect(listener.locator("#meeting-status")).to_have_text(
            "You are in the meeting.", timeout=15000
        )
        speaking = listener.locator("#meeting-people li.speaking")
        expect(speaking.filter(has_text=_name(safos, "owner"))).to_contain_text(
            "speaking", timeout=20000
        )
        # The host turns their own microphone off: the tone stops, and so does the caption.
        host.get_by_role("button", name="Turn microphone off").click()
        expect(speaking.filter(has_text=_name(safos, "owner"))).to_have_count(0, timeout=20000)
