"""A REAL Synapse for the chat tests: installed by scripts/ensure-synapse.sh, started once per
test session on a free loopback port with its own folder (configuration, keys, SQLite database),
stopped at the end by its process id. Each test gets its own localpart prefix inside the
application service's namespace, so rooms and users of one test never meet another's."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from samdrift.collaboration.tests.conftest import _english, files_dir, safos  # noqa: F401

ROOT = Path(__file__).resolve().parents[3]
ENV = (
    "SAMDRIFT_CHAT_DIR",
    "SAMDRIFT_CHAT_HOMESERVER_URL",
    "SAMDRIFT_CHAT_SYNAPSE_PYTHON",
    "SAMDRIFT_CHAT_APPSERVICE_URL",
)


def synapse_python() -> str:
    """Synapse installed in its own venv (scripts/ensure-synapse.sh, a no-op once done): the
    path of that venv's Python, for SAMDRIFT_CHAT_SYNAPSE_PYTHON; the test fails if it cannot."""
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "ensure-synapse.sh")],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"Synapse could not be installed (scripts/ensure-synapse.sh):\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The homeserver's own pushes go nowhere (port 9): the test database's in-memory SQLite
    connection is shared with a live server's thread, and pushes arriving in the middle of
    other tests made them flaky. The endpoint is tested with Django's client instead."""
    python = synapse_python()
    saved = {name: os.environ.get(name) for name in ENV}
    os.environ["SAMDRIFT_CHAT_DIR"] = str(tmp_path_factory.mktemp("synapse"))
    os.environ["SAMDRIFT_CHAT_SYNAPSE_PYTHON"] = python
    os.environ.pop("SAMDRIFT_CHAT_HOMESERVER_URL", None)
    os.environ["SAMDRIFT_CHAT_APPSERVICE_URL"] = "http://127.0.0.1:9/chat/appservice"
    from samdrift.chat import homeserver

    state = homeserver.start(listen_port=homeserver.free_port())
    os.environ["SAMDRIFT_CHAT_HOMESERVER_URL"] = state.url
    try:
        yield state.url
    finally:
        homeserver.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def chat(synapse: str, settings) -> str:
    """Chat on, against the session's Synapse, with a namespace prefix of this test's own."""
    settings.CHAT_ENABLED = True
    settings.CHAT_LOCALPART_PREFIX = f"samdrift_t{uuid.uuid4().hex[:8]}_"
    return synapse
