"""The mail gate: scheduling messages that arrive by e-mail (iMIP, RFC 6047; ADR 0644).

The mail server hands each message to `samdrift calendar mailgate` (a pipe transport, as
request trackers do). A REPLY updates the attendee's status on every copy of the event it was
invited to; a COUNTER tells the organizer what was proposed; a REQUEST or CANCEL from an outside
organizer lands in the invited samdrift users' own calendars. A message from an address that was
not invited (or is not the organizer) changes nothing and is refused with the reason.

The mail server is trusted to have checked the sender (SPF/DKIM/DMARC); samdrift compares the
checked From address with the event's attendees and organizer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar as ICalendar

from samdrift.accounts.selectors import active_users_by_email, actor_for_user
from samdrift.audit.services import audit_record, record_security_event
from samdrift.core.actor import Actor
from samdrift.core.exceptions import PermissionDenied
from samdrift.core.notifications.services import notify

from . import permissions, scheduling, selectors, services

NOT_INVITED = _("%(sender)s was not invited to this event: nothing was changed.")
NOT_ORGANIZER = _("%(sender)s is not the organizer of this event: nothing was changed.")
NO_RECIPIENT = _("No samdrift user this message is addressed to is invited to the event.")
COUNTER = "calendar_counter"


@dataclass(frozen=True)
class Outcome:
    method: str
    uid: str
    changed: int


def _mail_actor(sender: str) -> Actor:
    return Actor(user_id=None, label=f"e-post {sender}")


def receive(raw: bytes) -> Outcome:
    message = scheduling.read_message(raw)
    handler = {
        "REPLY": _reply,
        "COUNTER": _counter,
        "REQUEST": _request,
        "CANCEL": _cancel,
    }[message.method]
    with transaction.atomic():
        changed = handler(message)
    return Outcome(message.method, message.uid, changed)


def _invited_copies(message: scheduling.Inbound) -> list[selectors.CalendarObject]:
    copies = [
        row
        for row in selectors.events_with_uid(message.uid)
        if permissions.may_answer_invitation(
            sender=message.sender,
            attendee=message.attendee,
            invited=set(scheduling.attendees_of(row.text)),
        )
    ]
    if not copies:
        record_security_event("calendar_reply_not_invited", {"uid": message.uid[:200]})
        raise PermissionDenied(NOT_INVITED, sender=message.sender)
    return copies


def _reply(message: scheduling.Inbound) -> int:
    copies = _invited_copies(message)
    for row in copies:
        services.put_checked(
            actor=_mail_actor(message.sender),
            calendar_id=row.calendar_id,
            href=row.href,
            text=scheduling.set_partstat(row.text, message.attendee, message.partstat),
            if_match=row.etag,
            via="imip",
        )
    return len(copies)


def _counter(message: scheduling.Inbound) -> int:
    copies = _invited_copies(message)
    organizer = scheduling.organizer_of(copies[0].text)
    proposed = scheduling.when_of(message.text)
    users = active_users_by_email([organizer])
    actor = _mail_actor(message.sender)
    for row in copies:
        audit_record(
            actor=actor,
            action="calendars.counter_received",
            obj=row,
            after={"from": message.sender, "proposed_start": proposed},
        )
    notify(
        [u.id for u in users],
        COUNTER,
        {"summary": row.summary, "attendee": message.sender, "proposed": proposed},
        f"/calendars/{row.calendar_id}/",
        actor=actor,
    )
    return 0


def _recipients(message: scheduling.Inbound) -> list[Actor]:
    invited = set(scheduling.attendees_of(message.text))
    users = active_users_by_email(a for a in message.recipients if a in invited)
    if not users:
        raise PermissionDenied(NO_RECIPIENT)
    return [actor_for_user(u, loa_rank=0) for u in users]


def _stored_form(text: str) -> str:
    """The message's object as it is kept in a calendar: without its METHOD (RFC 4791 §4.1)."""
    calendar = ICalendar.from_ical(text)
    calendar.pop("METHOD", None)
    return calendar.to_ical().decode("utf-8")


def _request(message: scheduling.Inbound) -> int:
    organizer = scheduling.organizer_of(message.text)
    if not permissions.may_schedule_for(sender=message.sender, organizer=organizer):
        raise PermissionDenied(NOT_ORGANIZER, sender=message.sender)
    changed = 0
    for actor in _recipients(message):
        services.ensure_calendars(actor=actor)
        calendar = selectors.personal_calendar(actor.user_id or 0)
        if calendar is None:
            continue
        existing = selectors.live_objects(calendar).filter(uid=message.uid).first()
        if existing is not None and scheduling.organizer_of(existing.text) != organizer:
            continue  # another organizer's event with the same UID is never overwritten
        services.put_checked(
            actor=_mail_actor(message.sender),
            calendar_id=calendar.id,
            href=existing.href if existing else services.href_for_uid(message.uid),
            text=_stored_form(message.text),
            via="imip",
        )
        changed += 1
    return changed


def _cancel(message: scheduling.Inbound) -> int:
    changed = 0
    for actor in _recipients(message):
        calendar = selectors.personal_calendar(actor.user_id or 0)
        existing = (
            selectors.live_objects(calendar).filter(uid=message.uid).first() if calendar else None
        )
        if existing is None:
            continue
        if not permissions.may_schedule_for(
            sender=message.sender, organizer=scheduling.organizer_of(existing.text)
        ):
            raise PermissionDenied(NOT_ORGANIZER, sender=message.sender)
        services.put_checked(
            actor=_mail_actor(message.sender),
            calendar_id=existing.calendar_id,
            href=existing.href,
            text=scheduling.mark_cancelled(existing.text),
            if_match=existing.etag,
            via="imip",
        )
        changed += 1
    return changed
