"""Reading one iCalendar resource (RFC 5545) before it is stored, whichever way it came (CalDAV,
page, API, import): it must parse, hold one kind of component with one UID, name only time zones
that exist, and not end before it starts. What samdrift keeps beside the text (time range, task
fields) is read here once, so nothing parses it again to list or filter (ADR 0641).

The time range is Radicale's own (`Item.time_range`), so the range samdrift filters on in SQL is
exactly the one Radicale would have filtered on itself.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from icalendar import Calendar as ICalendar
from radicale import item as radicale_item

from samdrift.core.exceptions import ValidationFailed

from .addresses import address
from .choices import Component, TaskStatus

#: One object (an event with its exceptions, a task): far above any real one, far below what
#: would let one client fill the database (the issue's 10 MB event is refused here).
MAX_OBJECT_BYTES = 1024 * 1024
HOME_ZONE = zoneinfo.ZoneInfo("Europe/Stockholm")

MALFORMED = _("This is not valid iCalendar (RFC 5545): %(reason)s")
TOO_LARGE = _("A calendar object may be at most %(limit)s bytes; this one is %(size)s.")
NO_COMPONENT = _("The object holds no event, task or journal entry.")
MIXED = _("One object holds one kind of component with one UID (RFC 4791 §4.1).")
NO_UID = _("Every event and task needs a UID.")
NO_START = _("An event needs a start (DTSTART).")
END_BEFORE_START = _("%(component)s %(uid)s ends (%(end)s) before it starts (%(start)s).")
UNKNOWN_ZONE = _("Unknown time zone %(tzid)s: name an IANA zone or include its VTIMEZONE.")
BAD_STATUS = _("Unknown task status %(status)s.")


@dataclass(frozen=True)
class Parsed:
    text: str
    uid: str
    component: str
    summary: str
    status: str
    priority: int
    due: dt.datetime | None
    starts: int
    ends: int
    recurring: bool
    has_alarm: bool = False
    parent_uid: str = ""
    assignees: str = ""
    links: list[dict[str, str]] | None = None
    #: The ORGANIZER's address (lower case, no `mailto:`): a scheduling object when set.
    organizer: str = ""


def _refuse(message: Any, field: str = "ics", **params: Any) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [str(message) % params]}, **params)


def as_moment(value: Any) -> dt.datetime:
    """A DTSTART/DTEND/DUE value as an aware datetime: a date is its midnight and a floating time
    is read in Europe/Stockholm, as a Swedish agency's client would show it."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=HOME_ZONE)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=HOME_ZONE)
    raise _refuse(MALFORMED, reason=f"{value!r}")


def _known_zone(tzid: str, defined: set[str]) -> bool:
    if tzid in defined:
        return True
    try:
        zoneinfo.ZoneInfo(tzid)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _check_zones(calendar: Any) -> None:
    defined = {str(tz.get("TZID")) for tz in calendar.walk("VTIMEZONE")}
    for component in calendar.walk():
        for prop in component.property_items(recursive=False, sorted=False):
            params = getattr(prop[1], "params", None)
            tzid = params.get("TZID") if params else None
            if tzid and not _known_zone(str(tzid), defined):
                raise _refuse(UNKNOWN_ZONE, tzid=str(tzid))


def _check_order(component: Any, uid: str) -> None:
    start = component.get("DTSTART")
    end = component.get("DTEND") if component.name == "VEVENT" else component.get("DUE")
    if component.name == "VEVENT" and start is None:
        raise _refuse(NO_START)
    if start is None or end is None:
        return
    begins, finishes = as_moment(start.dt), as_moment(end.dt)
    if finishes < begins:
        raise _refuse(
            END_BEFORE_START,
            component=component.name,
            uid=uid,
            end=finishes.isoformat(),
            start=begins.isoformat(),
        )


def _components(calendar: Any) -> list[Any]:
    kinds = {c.value for c in Component}
    return [c for c in calendar.subcomponents if c.name in kinds]


def _time_range(text: str) -> tuple[int, int]:
    item = radicale_item.Item(collection_path="check", text=text)
    start, end = item.time_range
    return int(start), int(end)


def parse_object(text: str, *, time_range: tuple[int, int] | None = None) -> Parsed:
    """The checked object, or `ValidationFailed` saying what is wrong (in Swedish and English)."""
    size = len(text.encode("utf-8"))
    if size > MAX_OBJECT_BYTES:
        raise _refuse(TOO_LARGE, limit=MAX_OBJECT_BYTES, size=size)
    try:
        calendar = ICalendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise _refuse(MALFORMED, reason=str(error)[:200]) from None
    if calendar.name != "VCALENDAR":
        raise _refuse(MALFORMED, reason="BEGIN:VCALENDAR")
    components = _components(calendar)
    if not components:
        raise _refuse(NO_COMPONENT)
    uids = {str(c.get("UID") or "") for c in components}
    if "" in uids:
        raise _refuse(NO_UID)
    if len(uids) > 1 or len({c.name for c in components}) > 1:
        raise _refuse(MIXED)
    uid = uids.pop()
    try:
        _check_zones(calendar)
        for component in components:
            _check_order(component, uid)
        master = next((c for c in components if c.get("RECURRENCE-ID") is None), components[0])
        status = str(master.get("STATUS") or "")
        if master.name == "VTODO" and status and status not in TaskStatus.values:
            raise _refuse(BAD_STATUS, status=status)
        due = master.get("DUE") if master.name == "VTODO" else None
        starts, ends = time_range or _time_range(text)
    except ValidationFailed:
        raise
    except Exception as error:  # a value icalendar or vobject cannot read (bad dates, rules)
        raise _refuse(MALFORMED, reason=str(error)[:200]) from None
    return Parsed(
        text=text,
        uid=uid,
        component=master.name,
        summary=str(master.get("SUMMARY") or "")[:500],
        status=status if master.name == "VTODO" else "",
        priority=int(master.get("PRIORITY") or 0) if master.name == "VTODO" else 0,
        due=as_moment(due.dt) if due is not None else None,
        starts=starts,
        ends=ends,
        recurring=any(c.get("RRULE") or c.get("RDATE") for c in components),
        has_alarm=any(sub.name == "VALARM" for c in components for sub in c.subcomponents),
        parent_uid=_parent(master) if master.name == "VTODO" else "",
        assignees=_assignees(master) if master.name == "VTODO" else "",
        links=_links(master) if master.name == "VTODO" else [],
        organizer=address(master.get("ORGANIZER")),
    )


def listed(component: Any, name: str) -> list[Any]:
    found = component.get(name) or []
    return found if isinstance(found, list) else [found]


def _parent(todo: Any) -> str:
    """The UID of the task this one is a checklist item of: RELATED-TO with RELTYPE PARENT,
    RFC 5545's default when RELTYPE is absent."""
    for related in listed(todo, "RELATED-TO"):
        reltype = str(getattr(related, "params", {}).get("RELTYPE") or "PARENT").upper()
        if reltype == "PARENT" and str(related).strip():
            return str(related).strip()[:255]
    return ""


def _assignees(todo: Any) -> str:
    """The task's attendees by name (CN), else by address."""
    names = []
    for attendee in listed(todo, "ATTENDEE"):
        params = getattr(attendee, "params", {})
        names.append(str(params.get("CN") or str(attendee).removeprefix("mailto:")))
    return ", ".join(names)[:1000]


def _links(todo: Any) -> list[dict[str, str]]:
    """Web links the task carries (ATTACH with a URI; RFC 8607's FILENAME names them)."""
    found = []
    for attach in listed(todo, "ATTACH"):
        url = str(attach)
        if url.startswith(("https://", "http://", "/")):
            name = str(getattr(attach, "params", {}).get("FILENAME") or url)
            found.append({"name": name[:200], "url": url[:500]})
    return found[:20]
