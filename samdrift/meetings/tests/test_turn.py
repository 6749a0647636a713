"""The TURN credentials samdrift hands out at a join, against a REAL coturn (`turnserver` with
`use-auth-secret` and samdrift's shared secret, on loopback): they allocate a relay while valid;
the same credentials replayed after their expiry, or with a forged password, are refused by
coturn itself (ADR 0672)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest

from samdrift.core.engines import free_port
from samdrift.meetings import engine, services

from .test_engine import _room

pytestmark = [pytest.mark.django_db, pytest.mark.engine]


@pytest.fixture
def turnserver(meetings, tmp_path) -> Iterator[int]:
    port = free_port()
    process = subprocess.Popen(
        ["turnserver", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
         f"--listening-port={port}", "--use-auth-secret",
         f"--static-auth-secret={engine.secret('turn_secret')}", "--realm=samdrift",
         "--no-tls", "--no-dtls", "--no-cli", "--simple-log", f"--log-file={tmp_path}/turn.log",
         f"--pidfile={tmp_path}/turn.pid", "--allow-loopback-peers"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while not _answers(port):  # a STUN binding answered: coturn listens
        assert process.poll() is None and time.monotonic() < deadline, "turnserver did not start"
        time.sleep(0.2)
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers(port: int) -> bool:
    try:
        done = subprocess.run(
            ["turnutils_stunclient", "-p", str(port), "127.0.0.1"],
            capture_output=True, text=True, timeout=2, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return False
    return "reflexive addr" in done.stdout + done.stderr


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
    settings.MEETINGS_TURN_URLS = [f"turn:127.0.0.1:{turnserver}?transport=udp"]
    settings.MEETINGS_TURN_TTL = 2
    _w, room = _room(safos)
    joined = services.meeting_join(actor=safos.actor("owner"), room_id=room.id)
    [ice] = joined.ice_servers
    username, credential = str(ice["username"]), str(ice["credential"])
    assert _allocates(turnserver, username, credential)
    assert not _allocates(turnserver, username, credential[:-4] + "AAA=")  # forged
    time.sleep(3)
    assert not _allocates(turnserver, username, credential)  # replayed after its expiry
