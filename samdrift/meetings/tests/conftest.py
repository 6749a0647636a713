"""A REAL Janus for the meetings tests: installed by scripts/ensure-janus.sh, started once per
test session on free loopback ports with its own configuration folder and secrets, stopped at the
end by its process id. Rooms have random ids, so tests never meet one another's rooms."""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from samdrift.collaboration.tests.conftest import _english, files_dir, safos  # noqa: F401

ROOT = Path(__file__).resolve().parents[3]
ENV = ("SAMDRIFT_MEETINGS_DIR", "SAMDRIFT_MEETINGS_URL", "SAMDRIFT_MEETINGS_ADMIN_URL")


@pytest.fixture(scope="session")
def janus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "ensure-janus.sh")],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"Janus could not be installed (scripts/ensure-janus.sh):\n{done.stderr}")
    saved = {name: os.environ.get(name) for name in ENV}
    os.environ["SAMDRIFT_MEETINGS_DIR"] = str(tmp_path_factory.mktemp("janus"))
    for name in ENV[1:]:
        os.environ.pop(name, None)
    from samdrift.core.engines import free_port
    from samdrift.meetings import engine

    state = engine.start(listen_port=free_port(), admin_port=free_port())
    try:
        yield state.url
    finally:
        engine.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def meetings(janus_server: str, settings) -> Iterator[str]:
    settings.MEETINGS_ENABLED = True
    yield janus_server
    # A test that fails midway leaves its broadcast running: its ffmpeg must not encode on
    # through the rest of the run (it once took a core for 20 minutes of CI).
    from samdrift.meetings import hls

    hls.stop_all()


class Browser:
    """What a browser's Janus client sends over the HTTP API, token in hand (and nothing else:
    it never has the API secret)."""

    def __init__(self, url: str, token: str | None) -> None:
        self.url = url
        self.token = token

    def send(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        body = {**body, "transaction": secrets.token_hex(6)}
        if self.token is not None:
            body["token"] = self.token
        answer: dict[str, Any] = requests.post(f"{self.url}{path}", json=body, timeout=10).json()
        return answer

    def session(self) -> dict[str, Any]:
        return self.send("", {"janus": "create"})

    def join(self, room: str, participant: str, *, room_token: str | None = None) -> dict[str, Any]:
        """A session, a VideoRoom handle, a `join` as a publisher: the plug-in's answer (or the
        core's error)."""
        created = self.session()
        if created.get("janus") != "success":
            return created
        session = created["data"]["id"]
        attached = self.send(f"/{session}", {"janus": "attach", "plugin": "janus.plugin.videoroom"})
        if attached.get("janus") != "success":
            return attached
        handle = attached["data"]["id"]
        self.last = (session, handle)
        body = {"request": "join", "ptype": "publisher", "room": room, "id": participant,
                "display": participant, "token": room_token or self.token}  # fmt: skip
        answer = self.send(f"/{session}/{handle}", {"janus": "message", "body": body})
        if answer.get("janus") == "ack":  # the join is asynchronous: its event comes by long poll
            for _ in range(20):
                polled = requests.get(
                    f"{self.url}/{session}",
                    params={"maxev": 1, **({"token": self.token} if self.token else {})},
                    timeout=35,
                ).json()
                if polled.get("janus") == "event":
                    return polled
                if polled.get("janus") == "error":
                    return polled
        return answer
