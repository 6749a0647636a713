"""E-mail intake through real SMTP: a customer official's message to the provider's intake
address (an aiosmtpd server whose handler is samdrift's gate) becomes an incident of their agency
with its clocks; an unknown sender, a non-customer and an unknown service change nothing."""

from __future__ import annotations

import asyncio
import smtplib
import threading
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command

from samdrift.audit.models import AuditEvent
from samdrift.core.exceptions import PermissionDenied, ValidationFailed
from samdrift.core.notifications.testing import free_port
from samdrift.operations import intake
from samdrift.operations.models import AffectedAgency, Incident

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "drift+2021005521@samdrift.example"


class Gate:
    def __init__(self) -> None:
        self.outcomes: list[object] = []
        self.arrived = threading.Event()

    def _receive(self, raw: bytes, recipient: str) -> object:
        from django.db import connection

        try:
            return intake.receive(raw, recipient=recipient)
        except Exception as error:  # the test reads what the gate said
            return error
        finally:
            connection.close()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        outcome = await asyncio.to_thread(self._receive, envelope.content, envelope.rcpt_tos[0])
        self.outcomes.append(outcome)
        self.arrived.set()
        if isinstance(outcome, PermissionDenied):
            return f"550 {outcome}"
        if isinstance(outcome, Exception):
            return f"554 {outcome}"
        return "250 OK"


@pytest.fixture
def gate():
    handler = Gate()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def mail(
    sender: str, subject: str, body: str = "Inloggningen svarar inte sedan i morse."
) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, ADDRESS, subject
    message.set_content(body)
    return message


def test_a_customer_mail_becomes_an_incident_with_clocks(ops, gate):
    handler, port = gate
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as client:
        client.send_message(mail("a_member@example.se", "[APP] Inloggningen fungerar inte"))
    assert handler.arrived.wait(20)
    incident = handler.outcomes[0]
    assert isinstance(incident, Incident), incident
    assert incident.service == ops.app and incident.reported_by_org == ops.a
    assert incident.title == "Inloggningen fungerar inte"
    assert "a_member@example.se" in incident.description
    assert AffectedAgency.objects.filter(incident=incident, organisation=ops.a).exists()
    assert AuditEvent.objects.filter(object_id=str(incident.id)).exists()


def test_the_one_service_is_taken_when_none_is_named(ops):
    incident = intake.receive(
        mail("b_member@example.se", "Allt står still").as_bytes(), recipient=ADDRESS
    )
    assert incident.service == ops.base and incident.reported_by_org == ops.b


@pytest.mark.parametrize(
    ("sender", "subject", "to", "refusal"),
    [
        ("okand@example.org", "[APP] Hjälp", ADDRESS, PermissionDenied),
        ("c_member@example.se", "[OWN] Fel", ADDRESS, PermissionDenied),  # not FK's customer
        ("a_member@example.se", "[BASE] Fel", ADDRESS, ValidationFailed),  # A lacks BASE
        ("a_member@example.se", "[APP] Fel", "drift+5560000000@samdrift.example", ValidationFailed),
        ("a_member@example.se", "[APP] Fel", "info@samdrift.example", ValidationFailed),
        ("a_member@example.se", "", "", ValidationFailed),
    ],
)
def test_bad_mail_is_refused_and_changes_nothing(ops, gate, sender, subject, to, refusal):
    handler, port = gate
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as client:
        message = mail(sender, subject, "" if not subject else "Text")
        with pytest.raises(smtplib.SMTPException):
            client.sendmail(sender, [to or ADDRESS], message.as_bytes())
    assert handler.arrived.wait(20)
    assert isinstance(handler.outcomes[0], refusal), handler.outcomes[0]
    assert not Incident.objects.exists()


def test_the_cli_gate_exits_77_for_an_unknown_sender(ops, monkeypatch):
    import io
    import sys

    raw = mail("okand@example.org", "[APP] Hjälp").as_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    with pytest.raises(CommandError) as refused:
        call_command("operations", "mailgate", "--to", ADDRESS)
    assert refused.value.returncode == 77 and " / " in str(refused.value)
    assert not Incident.objects.exists()


def test_the_report_page_names_the_providers_address(ops, client):
    client.force_login(ops.users["a_member"])
    page = client.get("/operations/report/")
    assert page.status_code == 200
    assert "drift+2021005521@" in page.content.decode()
