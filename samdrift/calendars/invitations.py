"""What a change to an event sends its attendees (ADR 0644, 0646).

* The organizer's change: attendees who are samdrift users get the event in their own calendar
  (a *delivery*, written by `services`), everyone else gets an iMIP e-mail (REQUEST, or CANCEL
  when taken off the event or the event is deleted).
* An attendee's own answer (their PARTSTAT in their copy, from a client or a page): the
  organizer's copies in samdrift take it over (a delivery), an outside organizer gets an iMIP
  REPLY.

Called by `services` inside the write's transaction; e-mails are notification rows delivered after
commit, at least once, by the kernel (ADR 0022).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from samdrift.accounts.selectors import active_users_by_email
from samdrift.collaboration.selectors import actor_email
from samdrift.core.actor import Actor
from samdrift.core.notifications.services import notify, notify_address

from . import scheduling, selectors
from .choices import Component

if TYPE_CHECKING:
    from .models import CalendarObject

INVITATION = "calendar_invitation"
CANCELLATION = "calendar_cancellation"
REPLY = "calendar_reply"


@dataclass(frozen=True)
class Delivery:
    """An event to write into a samdrift user's own calendar (`user_id`), or into one stored
    copy (`calendar_id`, `href`, `etag`)."""

    text: str
    uid: str
    user_id: int | None = None
    calendar_id: int | None = None
    href: str = ""
    etag: str | None = None


def _mail(kind: str, text: str, method: str, addresses: set[str], organizer: str) -> None:
    message = scheduling.itip(text, method)
    context = {
        "summary": scheduling.summary_of(text),
        "organizer": organizer,
        "when": scheduling.when_of(text),
    }
    for to in sorted(addresses):
        notify_address(to, kind, context, language="sv", calendar=message)


def _users(addresses: set[str]) -> dict[str, int]:
    return {u.email.strip().lower(): u.id for u in active_users_by_email(addresses)}


def on_stored(*, actor: Actor, before: str, row: CalendarObject) -> list[Delivery]:
    if row.component != Component.EVENT:
        return []
    organizer = scheduling.organizer_of(row.text)
    me = actor_email(actor).strip().lower()
    if not organizer or not me:
        return []
    if organizer == me:
        return _as_organizer(actor, organizer, before, row)
    return _as_attendee(me, organizer, before, row)


def _as_organizer(actor: Actor, organizer: str, before: str, row: CalendarObject) -> list[Delivery]:
    now = set(scheduling.attendees_of(row.text)) - {organizer}
    was = set(scheduling.attendees_of(before)) - {organizer} if before else set()
    inside = _users(now | was)
    changed = not before or scheduling.significant(before, row.text)
    invite = now if changed else now - was
    outside_invite = {a for a in invite if a not in inside}
    outside_cancel = {a for a in was - now if a not in inside}
    if outside_invite:
        _mail(INVITATION, row.text, "REQUEST", outside_invite, organizer)
    if outside_cancel:
        _mail(CANCELLATION, row.text, "CANCEL", outside_cancel, organizer)
    deliveries = [
        Delivery(text=row.text, uid=row.uid, user_id=inside[a]) for a in sorted(now) if a in inside
    ]
    deliveries += [
        Delivery(text=scheduling.mark_cancelled(row.text), uid=row.uid, user_id=inside[a])
        for a in sorted(was - now)
        if a in inside
    ]
    told = [inside[a] for a in invite if a in inside]
    if told:
        notify(
            told,
            INVITATION,
            {
                "summary": row.summary,
                "organizer": organizer,
                "when": scheduling.when_of(row.text),
            },
            "/calendars/",
            actor=actor,
        )
    return deliveries


def _as_attendee(me: str, organizer: str, before: str, row: CalendarObject) -> list[Delivery]:
    """My answer in my copy goes to the organizer: their copies here, or an e-mail REPLY."""
    now = scheduling.attendees_of(row.text).get(me)
    was = scheduling.attendees_of(before).get(me) if before else None
    if now is None or now == was:
        return []
    copies = [
        copy
        for copy in selectors.events_with_uid(row.uid)
        if copy.pk != row.pk and scheduling.organizer_of(copy.text) == organizer
    ]
    if not _users({organizer}):
        _mail(REPLY, scheduling.reply(row.text, me), "REPLY", {organizer}, organizer)
        return []
    return [
        Delivery(
            text=scheduling.set_partstat(copy.text, me, now),
            uid=copy.uid,
            calendar_id=copy.calendar_id,
            href=copy.href,
            etag=copy.etag,
        )
        for copy in copies
        if me in scheduling.attendees_of(copy.text)
    ]


def on_deleted(*, actor: Actor, text: str, component: str) -> list[Delivery]:
    if component != Component.EVENT or not text:
        return []
    organizer = scheduling.organizer_of(text)
    if not organizer or organizer != actor_email(actor).strip().lower():
        return []
    attendees = set(scheduling.attendees_of(text)) - {organizer}
    inside = _users(attendees)
    outside = {a for a in attendees if a not in inside}
    if outside:
        _mail(CANCELLATION, text, "CANCEL", outside, organizer)
    uid = scheduling.uid_of(text)
    return [
        Delivery(text=scheduling.mark_cancelled(text), uid=uid, user_id=inside[a])
        for a in sorted(attendees)
        if a in inside
    ]
