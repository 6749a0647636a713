"""iTIP over e-mail (iMIP, RFC 5546/6047): reading and writing the scheduling messages of an
event, without touching the database (`services` stores and sends, ADR 0644).

Addresses are compared case-insensitively without `mailto:`.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.utils import getaddresses, parseaddr
from typing import Any

from django.utils.translation import gettext_lazy as _
from icalendar import Calendar as ICalendar

from samdrift.core.exceptions import ValidationFailed

from .addresses import address

METHODS = ("REQUEST", "REPLY", "CANCEL", "COUNTER")
MAX_MESSAGE_BYTES = 5 * 1024 * 1024

NO_CALENDAR = _("The message carries no iCalendar scheduling object (text/calendar).")
BAD_METHOD = _("Scheduling method %(method)s is not handled here.")
TOO_BIG = _("The message is larger than %(limit)s bytes.")


def _events(calendar: Any) -> list[Any]:
    return [c for c in calendar.subcomponents if c.name == "VEVENT"]


def _master(calendar: Any) -> Any | None:
    events = _events(calendar)
    return next(
        (e for e in events if e.get("RECURRENCE-ID") is None), events[0] if events else None
    )


def organizer_of(text: str) -> str:
    master = _master(ICalendar.from_ical(text))
    return address(master.get("ORGANIZER")) if master is not None else ""


def summary_of(text: str) -> str:
    master = _master(ICalendar.from_ical(text))
    return str(master.get("SUMMARY") or "") if master is not None else ""


def when_of(text: str) -> str:
    master = _master(ICalendar.from_ical(text))
    start = master.get("DTSTART") if master is not None else None
    return start.dt.isoformat(sep=" ") if start is not None else ""


def attendees_of(text: str) -> dict[str, str]:
    """The master event's attendees and their participation status."""
    master = _master(ICalendar.from_ical(text))
    if master is None:
        return {}
    found = master.get("ATTENDEE") or []
    found = found if isinstance(found, list) else [found]
    return {
        address(a): str(getattr(a, "params", {}).get("PARTSTAT", "NEEDS-ACTION")) for a in found
    }


#: What makes an invitation worth sending again (RFC 5546 §2.1.4: a "significant" change).
SIGNIFICANT = ("DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "SUMMARY", "LOCATION")


def significant(before: str, after: str) -> bool:
    old, new = _master(ICalendar.from_ical(before)), _master(ICalendar.from_ical(after))
    if old is None or new is None:
        return True
    return any(str(old.get(k, "")) != str(new.get(k, "")) for k in SIGNIFICANT)


def itip(text: str, method: str) -> str:
    """The stored object as an iTIP message: METHOD set, a CANCEL marked cancelled with its
    SEQUENCE raised (RFC 5546 §3.2.5)."""
    source = ICalendar.from_ical(text)
    out = ICalendar()
    out.add("PRODID", "-//samdrift//SAFOS kalender//SV")
    out.add("VERSION", "2.0")
    out.add("METHOD", method)
    for component in source.subcomponents:
        if method == "CANCEL" and component.name == "VEVENT":
            component.pop("STATUS", None)
            component.add("STATUS", "CANCELLED")
            component["SEQUENCE"] = int(component.get("SEQUENCE") or 0) + 1
        out.add_component(component)
    return out.to_ical().decode("utf-8")


def mark_cancelled(text: str) -> str:
    calendar = ICalendar.from_ical(text)
    for event in _events(calendar):
        event.pop("STATUS", None)
        event.add("STATUS", "CANCELLED")
    return calendar.to_ical().decode("utf-8")


def uid_of(text: str) -> str:
    master = _master(ICalendar.from_ical(text))
    return str(master.get("UID") or "") if master is not None else ""


def reply(text: str, attendee: str) -> str:
    """An attendee's answer (RFC 5546 §3.2.3): the event with only that attendee on it, as a
    REPLY (METHOD is added by `itip`)."""
    calendar = ICalendar.from_ical(text)
    for event in _events(calendar):
        found = event.get("ATTENDEE") or []
        mine = [
            a for a in (found if isinstance(found, list) else [found]) if address(a) == attendee
        ]
        event.pop("ATTENDEE", None)
        for entry in mine:
            event.add("ATTENDEE", entry)
    return calendar.to_ical().decode("utf-8")


def set_partstat(text: str, attendee: str, partstat: str) -> str:
    """The stored event with one attendee's participation status changed (every instance)."""
    calendar = ICalendar.from_ical(text)
    for event in _events(calendar):
        found = event.get("ATTENDEE") or []
        for entry in found if isinstance(found, list) else [found]:
            if address(entry) == attendee:
                entry.params["PARTSTAT"] = partstat
                entry.params.pop("RSVP", None)
    return calendar.to_ical().decode("utf-8")


@dataclass(frozen=True)
class Inbound:
    sender: str
    recipients: tuple[str, ...]
    method: str
    uid: str
    text: str
    #: The attendee a REPLY/COUNTER speaks for, and their status.
    attendee: str
    partstat: str


def _calendar_part(message: Any) -> str | None:
    for part in message.walk():
        if part.get_content_type() in ("text/calendar", "application/ics"):
            payload = part.get_payload(decode=True) or b""
            return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    return None


def read_message(raw: bytes) -> Inbound:
    """An e-mail as the scheduling message it carries, or `ValidationFailed` saying why not."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise ValidationFailed(
            TOO_BIG,
            errors={"message": [str(TOO_BIG) % {"limit": MAX_MESSAGE_BYTES}]},
            limit=MAX_MESSAGE_BYTES,
        )
    message = email.message_from_bytes(raw, policy=email.policy.default)
    text = _calendar_part(message)
    if text is None:
        raise ValidationFailed(NO_CALENDAR, errors={"message": [str(NO_CALENDAR)]})
    try:
        calendar = ICalendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError):
        raise ValidationFailed(NO_CALENDAR, errors={"message": [str(NO_CALENDAR)]}) from None
    method = str(calendar.get("METHOD") or "").upper()
    if method not in METHODS:
        raise ValidationFailed(
            BAD_METHOD,
            errors={"message": [str(BAD_METHOD) % {"method": method or "-"}]},
            method=method or "-",
        )
    master = _master(calendar)
    if master is None or not master.get("UID"):
        raise ValidationFailed(NO_CALENDAR, errors={"message": [str(NO_CALENDAR)]})
    attendee, partstat = "", ""
    if method in ("REPLY", "COUNTER"):
        replying = master.get("ATTENDEE")
        replying = replying[0] if isinstance(replying, list) else replying
        attendee = address(replying)
        partstat = str(getattr(replying, "params", {}).get("PARTSTAT", "NEEDS-ACTION")).upper()
    recipients = tuple(
        address(a)
        for _name, a in getaddresses(message.get_all("To", []) + message.get_all("Cc", []))
    )
    return Inbound(
        sender=address(parseaddr(str(message.get("From", "")))[1]),
        recipients=recipients,
        method=method,
        uid=str(master.get("UID")),
        text=text,
        attendee=attendee,
        partstat=partstat,
    )
