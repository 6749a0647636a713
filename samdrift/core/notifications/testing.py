"""A real SMTP server for tests (aiosmtpd on a free local port), for this app's tests and for
the tests of every app that sends notifications. Not used in production code."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


class Mailbox:
    """What the SMTP server accepted. A recipient whose address starts with "refused" is
    answered 550, as a real server answers for an unknown mailbox."""

    def __init__(self) -> None:
        self.received: list[Any] = []
        self.sessions: set[int] = set()  # SMTP connections that delivered something

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
        if address.startswith("refused"):
            return "550 5.1.1 No such mailbox / Ingen sådan brevlåda"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.received.append(envelope)
        self.sessions.add(id(session))
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            for envelope in self.received
        ]

    def subjects(self) -> list[tuple[str, str]]:
        """(To, Subject) of every message, sorted. A long encoded subject is folded after
        "Subject:"; the whitespace of a fold is no part of the text (RFC 5322 §3.2.2)."""
        return sorted((str(m["To"]), str(m["Subject"]).strip()) for m in self.messages())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """Start and stop a real SMTP server on one port (stopping it makes sends fail)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """Body of an `smtp` pytest fixture: pass pytest-django's `settings`. Sends go through
    Django's SMTP backend to the server; jobs run at once (ImmediateBackend)."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "samdrift <noreply@samdrift.test>"
    settings.SAMDRIFT_BASE_URL = "https://samdrift.test"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    try:
        yield server
    finally:
        server.stop()
