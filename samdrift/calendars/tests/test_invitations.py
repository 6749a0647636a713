"""Invitations by e-mail (iMIP) through real SMTP: samdrift sends the organizer's invitation to
an SMTP server (aiosmtpd) as text/calendar with METHOD:REQUEST; the outside attendee's reply goes
back by SMTP to a second server whose handler is samdrift's mail gate, and updates the stored
attendee status. A reply from an address that was not invited changes nothing."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import smtplib
import threading
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar as ICalendar

from samdrift.audit.models import AuditEvent
from samdrift.calendars import mailgate, scheduling, services
from samdrift.calendars.models import Calendar, CalendarObject
from samdrift.core.exceptions import PermissionDenied, ValidationFailed
from samdrift.core.notifications.delivery import deliver_due
from samdrift.core.notifications.models import Notification
from samdrift.core.notifications.testing import free_port

pytestmark = pytest.mark.django_db(transaction=True)

MEETING = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:samrad@test
DTSTAMP:20261101T080000Z
DTSTART;TZID=Europe/Stockholm:20261210T130000
DTEND;TZID=Europe/Stockholm:20261210T140000
SUMMARY:Samråd om e-arkiv
ORGANIZER:mailto:owner@example.se
ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:extern@kommun.se
ATTENDEE;PARTSTAT=ACCEPTED:mailto:owner@example.se
END:VEVENT
END:VCALENDAR
"""


class Mailbox:
    def __init__(self, on_message=None) -> None:
        self.messages: list[bytes] = []
        self.arrived = threading.Event()
        self.on_message = on_message
        self.outcomes: list[object] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope.content)
        if self.on_message is not None:
            # the gate is synchronous Django code: off the SMTP server's event loop
            self.outcomes.append(await asyncio.to_thread(self.on_message, envelope.content))
        self.arrived.set()
        return "250 OK"


@pytest.fixture
def smtp(settings):
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield box
    controller.stop()


@pytest.fixture
def gate():
    """samdrift's inbound mail: an SMTP server whose every message goes to the mail gate."""

    def run(raw: bytes) -> object:
        from django.db import connection

        try:
            return mailgate.receive(raw)
        except Exception as error:  # the test reads what the gate said
            return error
        finally:
            connection.close()

    box = Mailbox(on_message=run)
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
def shared(safos, spaces):
    services.ensure_calendars(actor=safos.actor("owner"))
    return Calendar.objects.get(workspace=spaces[0])


def reply_from(invitation: bytes, sender: str, partstat: str, method: str = "REPLY") -> bytes:
    """What the outside attendee's calendar program sends back (RFC 5546 §3.2.3)."""
    message = email.message_from_bytes(invitation, policy=email.policy.default)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    request = ICalendar.from_ical(part.get_content())
    event = request.walk("VEVENT")[0]
    answer = ICalendar()
    answer.add("PRODID", "-//kommun//EN")
    answer.add("VERSION", "2.0")
    answer.add("METHOD", method)
    reply = type(event)()
    for key in ("UID", "DTSTAMP", "ORGANIZER", "SEQUENCE", "DTSTART", "DTEND"):
        if key in event:
            reply[key] = event[key]
    reply.add("ATTENDEE", f"mailto:{sender}", parameters={"PARTSTAT": partstat})
    answer.add_component(reply)
    out = EmailMessage()
    out["From"], out["To"], out["Subject"] = sender, "owner@example.se", "Svar"
    out.set_content(answer.to_ical().decode(), subtype="calendar", params={"method": method})
    return out.as_bytes()


def send(port: int, raw: bytes, sender: str) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as client:
        client.sendmail(sender, ["kalender@samdrift.example"], raw)


def test_invitation_reply_round_trip_over_smtp(safos, shared, smtp, gate):
    services.import_ics(actor=safos.actor("owner"), calendar_id=shared.id, text=MEETING)
    row = Notification.objects.get(kind="calendar_invitation")
    assert row.email_to == "extern@kommun.se"  # the organizer is not invited by herself
    deliver_due()
    assert smtp.arrived.wait(20)
    invitation = smtp.messages[0]
    message = email.message_from_bytes(invitation, policy=email.policy.default)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"
    parsed = ICalendar.from_ical(part.get_content())  # a valid .ics for any client
    assert str(parsed["METHOD"]) == "REQUEST"
    assert str(parsed.walk("VEVENT")[0]["UID"]) == "samrad@test"

    box, port = gate
    send(port, reply_from(invitation, "extern@kommun.se", "ACCEPTED"), "extern@kommun.se")
    assert box.arrived.wait(20)
    assert not isinstance(box.outcomes[0], Exception), box.outcomes[0]
    stored = CalendarObject.objects.get(uid="samrad@test")
    assert scheduling.attendees_of(stored.text)["extern@kommun.se"] == "ACCEPTED"
    assert AuditEvent.objects.filter(
        action="calendars.object_updated", actor_label="e-post extern@kommun.se"
    ).exists()


def test_a_reply_from_an_address_not_invited_changes_nothing(safos, shared, smtp):
    services.import_ics(actor=safos.actor("owner"), calendar_id=shared.id, text=MEETING)
    deliver_due()
    assert smtp.arrived.wait(20)
    before = CalendarObject.objects.get(uid="samrad@test").text
    forged = reply_from(smtp.messages[0], "angripare@example.org", "ACCEPTED")
    with pytest.raises(PermissionDenied, match=re.escape("angripare@example.org")):
        mailgate.receive(forged)
    # speaking for the invited attendee from another address is refused as well
    spoofed = reply_from(smtp.messages[0], "extern@kommun.se", "DECLINED").replace(
        b"From: extern@kommun.se", b"From: angripare@example.org"
    )
    with pytest.raises(PermissionDenied):
        mailgate.receive(spoofed)
    assert CalendarObject.objects.get(uid="samrad@test").text == before


def test_counter_tells_the_organizer_and_cancel_on_delete(safos, shared, smtp):
    services.import_ics(actor=safos.actor("owner"), calendar_id=shared.id, text=MEETING)
    deliver_due()
    assert smtp.arrived.wait(20)
    counter = reply_from(smtp.messages[0], "extern@kommun.se", "TENTATIVE", method="COUNTER")
    assert mailgate.receive(counter).method == "COUNTER"
    note = Notification.objects.get(kind="calendar_counter", channel="in_app")
    assert note.recipient == safos.users["owner"]
    row = CalendarObject.objects.get(uid="samrad@test")
    services.object_delete(actor=safos.actor("owner"), calendar_id=shared.id, href=row.href)
    cancel = Notification.objects.get(kind="calendar_cancellation")
    assert cancel.email_to == "extern@kommun.se" and "METHOD:CANCEL" in cancel.calendar


def test_an_outside_request_lands_in_the_invited_users_own_calendar(safos, spaces):
    request = MEETING.replace(
        "ORGANIZER:mailto:owner@example.se", "ORGANIZER:mailto:chef@kommun.se"
    )
    request = request.replace("mailto:extern@kommun.se", "mailto:editor@example.se")
    request = request.replace("VERSION:2.0", "VERSION:2.0\nMETHOD:REQUEST")
    out = EmailMessage()
    out["From"], out["To"], out["Subject"] = "chef@kommun.se", "editor@example.se", "Inbjudan"
    out.set_content(request, subtype="calendar", params={"method": "REQUEST"})
    assert mailgate.receive(out.as_bytes()).changed == 1
    mine = Calendar.objects.get(owner=safos.users["editor"])
    copy = CalendarObject.objects.get(calendar=mine, uid="samrad@test")
    assert "METHOD" not in copy.text
    # a cancellation from someone else than the organizer is refused
    cancel = (
        out.as_bytes()
        .replace(b"METHOD:REQUEST", b"METHOD:CANCEL")
        .replace(b'method="REQUEST"', b'method="CANCEL"')
        .replace(b"From: chef@kommun.se", b"From: annan@kommun.se")
    )
    with pytest.raises(PermissionDenied):
        mailgate.receive(cancel)
    assert "CANCELLED" not in CalendarObject.objects.get(pk=copy.pk).text


@pytest.mark.parametrize(
    "raw",
    [
        b"From: a@b.se\r\nSubject: x\r\n\r\nhej",
        b"From: a@b.se\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n",
    ],
)
def test_a_message_without_a_scheduling_object_is_refused(db, raw):
    with pytest.raises(ValidationFailed):
        mailgate.receive(raw)


INSIDE = MEETING.replace("mailto:extern@kommun.se", "mailto:editor@example.se")


def test_samdrift_attendees_get_the_event_in_their_own_calendar_and_answer_back(safos, shared):
    services.import_ics(actor=safos.actor("owner"), calendar_id=shared.id, text=INSIDE)
    # no iMIP e-mail to a samdrift user: the event is already in their calendar (a notice, by
    # their preferences, says so)
    assert not Notification.objects.filter(kind="calendar_invitation").exclude(calendar="").exists()
    assert Notification.objects.filter(
        kind="calendar_invitation", channel="in_app", recipient=safos.users["editor"]
    ).exists()
    own = Calendar.objects.get(owner=safos.users["editor"])
    copy = CalendarObject.objects.get(calendar=own, uid="samrad@test")
    # the editor accepts in their own copy (as a calendar program would write it)
    services.object_put(
        actor=safos.actor("editor"),
        calendar_id=own.id,
        href=copy.href,
        text=scheduling.set_partstat(copy.text, "editor@example.se", "ACCEPTED"),
        if_match=copy.etag,
    )
    organizers = CalendarObject.objects.get(calendar=shared, uid="samrad@test")
    assert scheduling.attendees_of(organizers.text)["editor@example.se"] == "ACCEPTED"
    # a later significant change by the organizer reaches the copy; deleting cancels it
    moved = organizers.text.replace("T130000", "T150000").replace("T140000", "T160000")
    services.object_put(
        actor=safos.actor("owner"), calendar_id=shared.id, href=organizers.href, text=moved
    )
    assert "T150000" in CalendarObject.objects.get(pk=copy.pk).text
    services.object_delete(actor=safos.actor("owner"), calendar_id=shared.id, href=organizers.href)
    assert "STATUS:CANCELLED" in CalendarObject.objects.get(pk=copy.pk).text


def test_an_answer_to_an_outside_organizer_goes_back_by_e_mail(safos, spaces):
    outside = INSIDE.replace("ORGANIZER:mailto:owner@example.se", "ORGANIZER:mailto:chef@kommun.se")
    out = EmailMessage()
    out["From"], out["To"], out["Subject"] = "chef@kommun.se", "editor@example.se", "Inbjudan"
    out.set_content(
        outside.replace("VERSION:2.0", "VERSION:2.0\nMETHOD:REQUEST"),
        subtype="calendar",
        params={"method": "REQUEST"},
    )
    mailgate.receive(out.as_bytes())
    own = Calendar.objects.get(owner=safos.users["editor"])
    copy = CalendarObject.objects.get(calendar=own, uid="samrad@test")
    services.object_put(
        actor=safos.actor("editor"),
        calendar_id=own.id,
        href=copy.href,
        text=scheduling.set_partstat(copy.text, "editor@example.se", "DECLINED"),
    )
    reply = Notification.objects.get(kind="calendar_reply")
    assert reply.email_to == "chef@kommun.se" and "METHOD:REPLY" in reply.calendar
    answer = ICalendar.from_ical(reply.calendar).walk("VEVENT")[0]
    attendees = answer.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == ["mailto:editor@example.se"]
    assert attendees[0].params["PARTSTAT"] == "DECLINED"
