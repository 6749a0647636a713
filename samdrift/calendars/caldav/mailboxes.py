"""RFC 6638's scheduling collections, answered by samdrift beside Radicale (ADR 0648).

Radicale has no scheduling. samdrift schedules on the server (ADR 0646): an invitation between
its users is delivered into the attendee's calendar in the write's transaction. What a calendar
program still needs to see that, and to ask when colleagues are busy, is here:

* the principal's `schedule-inbox-URL`, `schedule-outbox-URL`, `calendar-user-type` and its
  `mailto:` address in `calendar-user-address-set` (added to Radicale's PROPFIND answer), and
  `calendar-auto-schedule` in the DAV header, so the program leaves delivery to the server;
* the inbox (`/<user>/inbox/`): always empty, since deliveries are processed at once into the
  personal calendar (its `schedule-default-calendar-URL`); PROPFIND and sync-collection work;
* the outbox (`/<user>/outbox/`): a POST of a VFREEBUSY request answers each attendee with
  merged busy blocks under the workspace page's rule (`selectors.busy_by_address`); an address
  the person may not see answers as an unknown one (3.7), so the outbox cannot be used to find
  out who has an account. Every question is audited as a read.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote

from defusedxml import ElementTree as SafeET
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar as ICalendar
from icalendar import FreeBusy, vCalAddress
from radicale.xmlutils import make_clark

from samdrift.accounts.selectors import user_by_id
from samdrift.audit.services import audit_read
from samdrift.core.exceptions import ValidationFailed
from samdrift.core.i18n import bilingual_line

from .. import selectors
from ..addresses import address
from ..ical import as_moment, listed
from . import auth, context, multistatus

MAILBOX = re.compile(r"^/(?P<user>[^/]+)/(?P<box>inbox|outbox)/?$")
CAPABILITY = "calendar-auto-schedule"
PRODID = "-//samdrift//SAFOS kalender//SV"
MAX_BODY_BYTES = 256 * 1024
MAX_WINDOW = dt.timedelta(days=92)
MAX_RECIPIENTS = 100
# The inbox never holds anything, so one token names its only state.
INBOX_SYNC_STATE = "http://samdrift.se/ns/sync/inbox-empty"

NOT_YOURS = _("This scheduling mailbox belongs to someone else.")
NOT_ALLOWED = _("The %(box)s does not take %(method)s.")
NOT_CALENDAR = _("Send an iCalendar object (Content-Type: text/calendar).")
TOO_LARGE = _("A scheduling request may be at most %(limit)s bytes.")
MALFORMED = _("This is not valid iCalendar (RFC 5545): %(reason)s")
ONLY_FREE_BUSY = _(
    "The outbox answers free/busy questions only (METHOD:REQUEST with one VFREEBUSY); "
    "invitations are sent by saving the event in a calendar."
)
NOT_ORGANIZER = _("The ORGANIZER must be your own address, %(address)s.")
BAD_WINDOW = _("The time range must have DTSTART before DTEND and span at most %(days)s days.")
BAD_RECIPIENTS = _("Name between 1 and %(limit)s attendees.")

Answer = tuple[str, list[tuple[str, str]], bytes]
REASONS = {
    200: "OK",
    207: "Multi-Status",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    405: "Method Not Allowed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
}
ALLOW = {
    "inbox": "OPTIONS, PROPFIND, REPORT",
    "outbox": "OPTIONS, PROPFIND, REPORT, POST",
}


def mailbox_of(path: str) -> re.Match[str] | None:
    return MAILBOX.match(path)


def dav_header(value: str) -> str:
    """Radicale's DAV header with the scheduling capability added."""
    return value if CAPABILITY in value else f"{value}, {CAPABILITY}"


def answer(environ: dict[str, Any], mailbox: re.Match[str]) -> Answer:
    """The whole answer to a request for `/<user>/inbox/` or `/<user>/outbox/`."""
    principal = auth.log_in_from_header(environ)
    if not principal:
        return _status(401, [("WWW-Authenticate", 'Basic realm="SAFOS", charset="UTF-8"')], b"")
    if unquote(mailbox["user"]).lower() != principal:
        return _refusal(403, NOT_YOURS)
    box, method = mailbox["box"], str(environ.get("REQUEST_METHOD", "GET")).upper()
    home = f"{environ.get('SCRIPT_NAME', '')}/{quote(principal)}/"
    if method == "OPTIONS":
        headers = [("DAV", dav_header("1, 2, 3, calendar-access")), ("Allow", ALLOW[box])]
        return _status(200, headers, b"")
    if method == "PROPFIND":
        return _propfind(environ, box, home)
    if method == "REPORT":
        return _report(environ)
    if method == "POST" and box == "outbox":
        return _free_busy(environ, home)
    refused = _refusal(405, NOT_ALLOWED, box=box, method=method)
    return refused[0], [*refused[1], ("Allow", ALLOW[box])], refused[2]


# --- PROPFIND and REPORT on a mailbox ----------------------------------------------------------


def _values(box: str, home: str, email: str) -> dict[str, Callable[[ET.Element], None]]:
    """What each property of a mailbox holds, as a function filling its element."""

    def hrefs(*targets: str) -> Callable[[ET.Element], None]:
        def fill(element: ET.Element) -> None:
            for target in targets:
                ET.SubElement(element, make_clark("D:href")).text = target

        return fill

    def children(*tags: str) -> Callable[[ET.Element], None]:
        def fill(element: ET.Element) -> None:
            for tag in tags:
                ET.SubElement(element, make_clark(tag))

        return fill

    def privileges(*names: str) -> Callable[[ET.Element], None]:
        def fill(element: ET.Element) -> None:
            for name in names:
                privilege = ET.SubElement(element, make_clark("D:privilege"))
                ET.SubElement(privilege, make_clark(name))

        return fill

    def text(value: str) -> Callable[[ET.Element], None]:
        def fill(element: ET.Element) -> None:
            element.text = value

        return fill

    def reports(element: ET.Element) -> None:
        supported = ET.SubElement(element, make_clark("D:supported-report"))
        report = ET.SubElement(supported, make_clark("D:report"))
        ET.SubElement(report, make_clark("D:sync-collection"))

    kind = "C:schedule-inbox" if box == "inbox" else "C:schedule-outbox"
    values = {
        "D:resourcetype": children("D:collection", kind),
        "D:displayname": text(f"{box} ({email})"),
        "D:owner": hrefs(home),
        "D:current-user-principal": hrefs(home),
        "D:supported-report-set": reports,
        "D:sync-token": text(INBOX_SYNC_STATE),
    }
    if box == "inbox":
        values["D:current-user-privilege-set"] = privileges("D:read", "C:schedule-deliver")
        values["C:schedule-default-calendar-URL"] = hrefs(f"{home}personal/")
    else:
        values["D:current-user-privilege-set"] = privileges("D:read", "C:schedule-send")
        values["C:supported-calendar-component-set"] = _component_set("VFREEBUSY")
    return {make_clark(name): fill for name, fill in values.items()}


def _component_set(*names: str) -> Callable[[ET.Element], None]:
    def fill(element: ET.Element) -> None:
        for name in names:
            ET.SubElement(element, make_clark("C:comp"), {"name": name})

    return fill


def _propfind(environ: dict[str, Any], box: str, home: str) -> Answer:
    body = _body(environ)
    if isinstance(body, tuple):
        return body
    user = user_by_id(context.state().login.actor.user_id)  # type: ignore[union-attr]
    values = _values(box, home, (user.email if user else "") or "")
    try:
        asked = _asked_properties(body)
    except (ET.ParseError, ValueError) as error:
        return _refusal(400, MALFORMED, reason=str(error))
    multistatus = ET.Element(make_clark("D:multistatus"))
    response = ET.SubElement(multistatus, make_clark("D:response"))
    ET.SubElement(response, make_clark("D:href")).text = f"{home}{box}/"
    names_only = asked == "propname"
    wanted = list(values) if asked in ("allprop", "propname") else asked
    found, missing = [t for t in wanted if t in values], [t for t in wanted if t not in values]
    for tags, status in ((found, "200 OK"), (missing, "404 Not Found")):
        if not tags:
            continue
        propstat = ET.SubElement(response, make_clark("D:propstat"))
        prop = ET.SubElement(propstat, make_clark("D:prop"))
        for tag in tags:
            element = ET.SubElement(prop, tag)
            if status.startswith("200") and not names_only:
                values[tag](element)
        ET.SubElement(propstat, make_clark("D:status")).text = f"HTTP/1.1 {status}"
    return _xml(207, multistatus)


def _asked_properties(body: bytes) -> list[str] | str:
    """The property tags a PROPFIND asks for, or "allprop" / "propname"."""
    if not body.strip():
        return "allprop"
    root = SafeET.fromstring(body)
    if root.tag != make_clark("D:propfind"):
        raise ValueError("the body is not a DAV:propfind")
    if root.find(make_clark("D:propname")) is not None:
        return "propname"
    prop = root.find(make_clark("D:prop"))
    return [child.tag for child in prop] if prop is not None else "allprop"


def _report(environ: dict[str, Any]) -> Answer:
    """A mailbox holds nothing: every report is an empty multistatus (with the one sync token
    for sync-collection, so a client's next sync is an empty one too)."""
    body = _body(environ)
    if isinstance(body, tuple):
        return body
    try:
        root = SafeET.fromstring(body) if body.strip() else None
    except ET.ParseError as error:
        return _refusal(400, MALFORMED, reason=str(error))
    multistatus = ET.Element(make_clark("D:multistatus"))
    if root is not None and root.tag == make_clark("D:sync-collection"):
        ET.SubElement(multistatus, make_clark("D:sync-token")).text = INBOX_SYNC_STATE
    return _xml(207, multistatus)


# --- POST to the outbox: a free/busy question ----------------------------------------------------


def _free_busy(environ: dict[str, Any], home: str) -> Answer:
    if not str(environ.get("CONTENT_TYPE", "")).lower().startswith("text/calendar"):
        return _refusal(415, NOT_CALENDAR)
    body = _body(environ)
    if isinstance(body, tuple):
        return body
    login = context.state().login
    if login is None:  # `answer` logged in first
        raise RuntimeError("the outbox answered without a login")
    user = user_by_id(login.actor.user_id)
    own = ((user.email if user else "") or "").lower()
    try:
        question = ICalendar.from_ical(body)
    except ValueError as error:
        return _refusal(400, MALFORMED, reason=str(error))
    wanted = [c for c in question.walk() if c.name == "VFREEBUSY"]
    if str(question.get("METHOD", "")).upper() != "REQUEST" or len(wanted) != 1:
        return _refusal(403, ONLY_FREE_BUSY)
    request = wanted[0]
    if not own or address(request.get("ORGANIZER")) != own:
        return _refusal(403, NOT_ORGANIZER, address=f"mailto:{own}")
    window = _window(request)
    if window is None:
        return _refusal(403, BAD_WINDOW, days=MAX_WINDOW.days)
    attendees = listed(request, "ATTENDEE")
    if not 1 <= len(attendees) <= MAX_RECIPIENTS:
        return _refusal(403, BAD_RECIPIENTS, limit=MAX_RECIPIENTS)
    start, end = window
    busy = selectors.busy_by_address(
        actor=login.actor,
        addresses=[address(a) for a in attendees],
        start=start,
        end=end,
        max_class=login.max_class,
    )
    audit_read(
        actor=login.actor,
        access="caldav",
        object_type="calendars.free_busy",
        detail={
            "asked": sorted(busy),
            "answered": sum(blocks is not None for blocks in busy.values()),
            "start": start.isoformat(),
            "end": end.isoformat(),
        },
    )
    reply = ET.Element(make_clark("C:schedule-response"))
    for attendee in attendees:
        blocks = busy.get(address(attendee))
        response = ET.SubElement(reply, make_clark("C:response"))
        recipient = ET.SubElement(response, make_clark("C:recipient"))
        ET.SubElement(recipient, make_clark("D:href")).text = str(attendee)
        status = ET.SubElement(response, make_clark("C:request-status"))
        if blocks is None:
            status.text = "3.7;Invalid calendar user"
            continue
        status.text = "2.0;Success"
        data = ET.SubElement(response, make_clark("C:calendar-data"))
        data.text = _free_busy_reply(request, own, str(attendee), start, end, blocks)
    return _xml(200, reply)


def _window(request: Any) -> tuple[dt.datetime, dt.datetime] | None:
    try:
        start, end = (as_moment(request.get(name).dt) for name in ("DTSTART", "DTEND"))
    except (AttributeError, ValidationFailed):
        return None
    if end <= start or end - start > MAX_WINDOW:
        return None
    return start, end


def _free_busy_reply(
    request: Any,
    organizer: str,
    attendee: str,
    start: dt.datetime,
    end: dt.datetime,
    blocks: list[tuple[dt.datetime, dt.datetime]],
) -> str:
    """RFC 5546's VFREEBUSY REPLY for one attendee: busy periods in UTC, nothing else."""
    reply = ICalendar()
    reply.add("prodid", PRODID)
    reply.add("version", "2.0")
    reply.add("method", "REPLY")
    component = FreeBusy()
    component.add("uid", str(request.get("UID") or ""))
    component.add("dtstamp", timezone.now().astimezone(dt.UTC))
    component.add("dtstart", start.astimezone(dt.UTC))
    component.add("dtend", end.astimezone(dt.UTC))
    component.add("organizer", vCalAddress(f"mailto:{organizer}"))
    component.add("attendee", vCalAddress(attendee))
    for busy_start, busy_end in blocks:
        component.add(
            "freebusy",
            (busy_start.astimezone(dt.UTC), busy_end.astimezone(dt.UTC)),
            parameters={"FBTYPE": "BUSY"},
        )
    reply.add_component(component)
    return reply.to_ical().decode("utf-8")


# --- the principal's scheduling properties in Radicale's PROPFIND answer ------------------------


def with_principal_properties(body: bytes, *, home: str, email: str) -> bytes:
    """Radicale's multistatus for a PROPFIND, with the principal's scheduling properties filled
    in where Radicale answered 404 and its `mailto:` address first in calendar-user-address-set.
    Other responses are left as they are."""

    def href(target: str) -> multistatus.Fill:
        def fill(element: ET.Element) -> None:
            ET.SubElement(element, make_clark("D:href")).text = target

        return fill

    def individual(element: ET.Element) -> None:
        element.text = "INDIVIDUAL"

    fills = {
        make_clark("C:schedule-inbox-URL"): href(f"{home}inbox/"),
        make_clark("C:schedule-outbox-URL"): href(f"{home}outbox/"),
        make_clark("C:calendar-user-type"): individual,
    }
    root = multistatus.parse(body)
    for target, response in multistatus.responses(root):
        if target.rstrip("/") == unquote(home).rstrip("/"):
            found = multistatus.found_properties(response)
            if found is not None:
                _mailto_first(found, email)
            multistatus.fill_missing(response, fills)
    return multistatus.serialise(root)


def _mailto_first(prop: ET.Element, email: str) -> None:
    addresses = prop.find(make_clark("C:calendar-user-address-set"))
    if addresses is None or not email:
        return
    mailto = ET.Element(make_clark("D:href"), {"preferred": "1"})
    mailto.text = f"mailto:{email}"
    addresses.insert(0, mailto)


# --- answers ------------------------------------------------------------------------------------


def _body(environ: dict[str, Any]) -> bytes | Answer:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return _refusal(413, TOO_LARGE, limit=MAX_BODY_BYTES)
    body: bytes = environ["wsgi.input"].read(length) if length > 0 else b""
    return body


def _status(code: int, headers: list[tuple[str, str]], body: bytes) -> Answer:
    return f"{code} {REASONS[code]}", [*headers, ("Content-Length", str(len(body)))], body


def _refusal(code: int, message: Any, **params: Any) -> Answer:
    text = bilingual_line(message, params).encode("utf-8")
    return _status(code, [("Content-Type", "text/plain; charset=utf-8")], text)


def _xml(code: int, root: ET.Element) -> Answer:
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    headers = [("Content-Type", "application/xml; charset=utf-8")]
    if code == 207:
        headers.append(("DAV", dav_header("1, 2, 3, calendar-access")))
    return _status(code, headers, body)
