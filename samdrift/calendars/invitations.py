"""Invitations by e-mail for an event's attendees (iMIP, ADR 0644): what the organizer's change
sends out. Called by `services` inside the write's transaction; the e-mails are notification rows
delivered after commit, at least once, by the kernel (ADR 0022)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from samdrift.collaboration.selectors import actor_email
from samdrift.core.actor import Actor
from samdrift.core.notifications.services import notify_address

from . import scheduling
from .choices import Component

if TYPE_CHECKING:
    from .models import CalendarObject

INVITATION = "calendar_invitation"
CANCELLATION = "calendar_cancellation"


def _send(kind: str, text: str, method: str, addresses: set[str], organizer: str) -> None:
    message = scheduling.itip(text, method)
    summary = scheduling.summary_of(text)
    for to in sorted(addresses):
        notify_address(
            to,
            kind,
            {"summary": summary, "organizer": organizer, "when": scheduling.when_of(text)},
            language="sv",
            calendar=message,
        )


def _organized_by(actor: Actor, text: str) -> str:
    """The organizer's address when the actor is the event's organizer, else ''."""
    organizer = scheduling.organizer_of(text)
    mine = actor_email(actor).strip().lower()
    return organizer if organizer and organizer == mine else ""


def on_stored(*, actor: Actor, before: str, row: CalendarObject) -> None:
    """A new event or a significant change invites every attendee again (REQUEST); attendees
    taken off the event are told it is cancelled for them (CANCEL)."""
    if row.component != Component.EVENT:
        return
    organizer = _organized_by(actor, row.text)
    if not organizer:
        return
    now = set(scheduling.attendees_of(row.text)) - {organizer}
    was = set(scheduling.attendees_of(before)) - {organizer} if before else set()
    if now and (not before or scheduling.significant(before, row.text)):
        _send(INVITATION, row.text, "REQUEST", now, organizer)
    elif now - was:
        _send(INVITATION, row.text, "REQUEST", now - was, organizer)
    if was - now:
        _send(CANCELLATION, row.text, "CANCEL", was - now, organizer)


def on_deleted(*, actor: Actor, text: str, component: str) -> None:
    if component != Component.EVENT or not text:
        return
    organizer = _organized_by(actor, text)
    if organizer:
        attendees = set(scheduling.attendees_of(text)) - {organizer}
        if attendees:
            _send(CANCELLATION, text, "CANCEL", attendees, organizer)
