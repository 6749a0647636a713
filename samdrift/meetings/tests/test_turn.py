"""The TURN credentials samdrift hands out at a join, against a REAL coturn started by samdrift
(`meetings.turn`: generated configuration with `use-auth-secret` and samdrift's shared secret, on
loopback): they allocate a relay while valid; the same credentials replayed after their expiry,
or with a forged password, are refused by coturn itself (ADR 0672). Stopped, it answers nothing."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest

from samdrift.core.engines import free_port
from samdrift.meetings import conf, engine, services, turn

from .test_engine import _room

pytestmark = [pytest.mark.django_db, pytest.mark.engine]


@pytest.fixture
def turnserver(meetings) -> Iterator[int]:
    """coturn as `samdrift meetings start` runs it (generated configuration, shared secret)."""
    port = free_port()
    turn.start(port=port)
    try:
        yield port
    finally:
        turn.stop()


def _allocates(port: int, username: str, password: str) -> bool:
    done = subprocess.run(
        ["turnutils_uclient", "-p", str(port), "-u", username, "-w", password,
         "-n", "1", "-m", "1", "-c", "-X", "-y", "127.0.0.1"],
        capture_output=True, text=True, timeout=20, check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    if "Cannot complete Allocation" in output:
        return False
    assert "Total transmit time" in output, output[-500:]
    return True


def test_turn_credentials_work_while_valid_and_not_replayed_after_expiry(
    safos, turnserver, settings
):
    settings.MEETINGS_TURN_TTL = 2
    _w, room = _room(safos)
    joined = services.meeting_join(actor=safos.actor("owner"), room_id=room.id)
    [ice] = joined.ice_servers  # the coturn samdrift started, found without any setting
    assert ice["urls"] == [f"turn:127.0.0.1:{turnserver}?transport=udp"]
    username, credential = str(ice["username"]), str(ice["credential"])
    assert _allocates(turnserver, username, credential)
    assert not _allocates(turnserver, username, credential[:-4] + "AAA=")  # forged
    time.sleep(3)
    assert not _allocates(turnserver, username, credential)  # replayed after its expiry


def test_coturn_is_started_and_stopped_by_samdrift(meetings):
    port = free_port()
    assert not turn.stun_answers("127.0.0.1", port)
    url = turn.start(port=port)
    try:
        assert url == f"turn:127.0.0.1:{port}?transport=udp"
        assert turn.stun_answers("127.0.0.1", port) == "stun"
        assert turn.start(port=free_port()) == url  # already running: the same one
        written = (conf.meetings_dir() / "turn" / "turnserver.conf").read_text()
        assert "use-auth-secret" in written and engine.secret("turn_secret") in written
        assert oct((conf.meetings_dir() / "turn" / "turnserver.conf").stat().st_mode)[-3:] == "600"
    finally:
        assert turn.stop()
    assert not turn.stun_answers("127.0.0.1", port)
    assert conf.turn_urls() == []


def test_the_turn_servers_health_is_on_the_public_status_page(turnserver, client, settings):
    from samdrift.core import health

    label = "Mötesrelä (TURN-server)"
    health.forget("meetings_turn")
    page = client.get("/operations/status/").content.decode()
    assert "I drift" in page[page.index(label) :][:80]
    settings.MEETINGS_TURN_URLS = [f"turn:127.0.0.1:{free_port()}?transport=udp"]
    health.forget("meetings_turn")
    page = client.get("/operations/status/").content.decode()
    assert "<strong>Avbrott</strong>" in page[page.index(label) :][:80]
    settings.MEETINGS_ENABLED = False
    health.forget("meetings_turn")
    assert label not in client.get("/operations/status/").content.decode()
