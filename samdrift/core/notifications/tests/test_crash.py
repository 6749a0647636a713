"""A sender killed mid-send (SIGKILL, a real process, a real SMTP server, a SQLite file):

- killed before the server had the message: the row stays `sending` under its lease, nobody
  sends it while the lease holds, and after the lease it is sent exactly once;
- killed after the server had the whole message but before the answer reached it: after the lease
  it is sent again, the same message with the same Message-ID. This is the at-least-once window
  ADR 0022 describes, shown rather than claimed away.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from samdrift.core.notifications.testing import Mailbox, free_port

# Its database is a SQLite file of its own, whatever the run's database is.
pytestmark = [pytest.mark.slow, pytest.mark.own_database]

SETUP = """
from django.contrib.auth import get_user_model
from django.db import transaction
from samdrift.core.actor import Actor
from samdrift.core.notifications.services import notify
user = get_user_model().objects.create_user("karin", "karin@myndighet.test", "x")
with transaction.atomic():
    notify([user.id], "signoff_required",
           {"agency": "Myndighet Å", "case_id": 1, "phase": {"sv": "Planera", "en": "Plan"}},
           link="/connections/1/", actor=Actor(user_id=None, label="test"))
"""


class HoldingMailbox(Mailbox):
    """Holds the client at one step (`hold_at`: "RCPT" before the message, "DATA" after the
    server has it all) until released, so the test can kill the client right there."""

    def __init__(self, hold_at: str) -> None:
        super().__init__()
        self.hold_at = hold_at
        self.reached = threading.Event()
        self.release = threading.Event()

    async def _hold(self) -> None:
        self.reached.set()
        while not self.release.is_set():
            await asyncio.sleep(0.05)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
        if self.hold_at == "RCPT" and not self.release.is_set():
            await self._hold()
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        answer = await super().handle_DATA(server, session, envelope)  # the server has it
        if self.hold_at == "DATA" and not self.release.is_set():
            await self._hold()
        return answer


@pytest.fixture
def database(tmp_path: Path) -> dict[str, str]:
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{tmp_path / 'crash.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings.test",
        SAMDRIFT_DATA_DIR=str(tmp_path),
        SAMDRIFT_DB_CONN_MAX_AGE="0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    _manage(env, "migrate", "--verbosity", "0")
    _manage(env, "shell", "-c", SETUP)
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _email_row(env: dict[str, str]) -> tuple[Any, ...]:
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT status, attempts, lease_until, message_id FROM notifications_notification "
            "WHERE channel = 'email'"
        ).fetchone()


def _lease_runs_out(env: dict[str, str]) -> None:
    """Five minutes pass: the dead sender's lease ends."""
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE notifications_notification SET lease_until = '2000-01-01 00:00:00'")


def _kill_mid_send(env: dict[str, str], mailbox: HoldingMailbox, port: int) -> None:
    sender = subprocess.Popen(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "notifications", "deliver"],
        env={**env, "SAMDRIFT_EMAIL_HOST": "127.0.0.1", "SAMDRIFT_EMAIL_PORT": str(port)},
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert mailbox.reached.wait(timeout=60), "the sender never reached the server"
    sender.send_signal(signal.SIGKILL)
    assert sender.wait(timeout=30) == -signal.SIGKILL


@pytest.mark.parametrize(("hold_at", "delivered"), [("RCPT", 1), ("DATA", 2)])
def test_a_sender_killed_mid_send(database, hold_at, delivered):
    env, port = database, free_port()
    mailbox = HoldingMailbox(hold_at)
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    smtp_env = {**env, "SAMDRIFT_EMAIL_HOST": "127.0.0.1", "SAMDRIFT_EMAIL_PORT": str(port)}
    try:
        _kill_mid_send(env, mailbox, port)
        status, attempts, lease_until, message_id = _email_row(env)
        assert (status, attempts) == ("sending", 1) and lease_until
        assert len(mailbox.received) == delivered - 1

        mailbox.release.set()
        # While the dead sender's lease holds, nobody sends it.
        assert "0 sent" in _manage(smtp_env, "notifications", "deliver")
        assert len(mailbox.received) == delivered - 1

        _lease_runs_out(env)
        assert "1 sent" in _manage(smtp_env, "notifications", "deliver")
        assert _email_row(env)[:2] == ("sent", 2)
        assert len(mailbox.received) == delivered
        assert {str(m["Message-ID"]).strip() for m in mailbox.messages()} == {message_id}
        # And never again.
        _manage(smtp_env, "notifications", "deliver")
        assert len(mailbox.received) == delivered
    finally:
        mailbox.release.set()
        controller.stop()
