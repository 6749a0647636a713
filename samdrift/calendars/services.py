"""Every change to calendars and their objects goes through here, whichever way it came (CalDAV,
pages, API, import), so the checks, the change numbers sync-collection reads and the audit are
the same for all (ADR 0641)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar as ICalendar
from icalendar import Event, Todo
from radicale.item import get_etag

from samdrift.accounts.selectors import actor_for_user, user_by_id
from samdrift.audit.services import audit_read, audit_record
from samdrift.collaboration.selectors import actor_email, memberships_of, workspaces_by_ids
from samdrift.core.actor import Actor
from samdrift.core.exceptions import ConcurrentUpdate, PermissionDenied, ValidationFailed

from . import invitations, scheduling, selectors
from .choices import Component, TaskStatus
from .ical import HOME_ZONE, Parsed, parse_object
from .models import Calendar, CalendarObject

READ_ONLY = _("You may read this calendar but not change it.")
STALE = _("Someone changed this entry after you opened it. Reload it and try again.")
EXISTS = _("An entry with this name already exists.")
UID_TAKEN = _("Another entry in this calendar already has UID %(uid)s.")
NO_ENTRY = _("There is no such entry in this calendar.")
EMPTY_IMPORT = _("The file holds no events or tasks.")
BAD_HREF = _("An entry's name is 1–255 characters without slashes.")
CALENDAR_KEPT = _(
    "Calendars are made and removed by samdrift (your own, and one per workspace), not by a "
    "calendar program."
)
BAD_COLOR = _("A colour is written #RRGGBB.")
BAD_NAME = _("A calendar's name is 1–200 characters.")


def ensure_calendars(*, actor: Actor) -> None:
    """The actor's personal calendar and one per workspace they are a member of, made on first
    use. Idempotent; one query when nothing is missing."""
    if actor.user_id is None:
        return
    workspace_ids = set(
        memberships_of(user_id=actor.user_id).values_list("workspace_id", flat=True)
    )
    have = set(
        Calendar.objects.filter(workspace_id__in=workspace_ids).values_list(
            "workspace_id", flat=True
        )
    )
    missing = workspace_ids - have
    personal = Calendar.objects.filter(owner_id=actor.user_id).exists()
    if not missing and personal:
        return
    with transaction.atomic():
        if not personal:
            Calendar.objects.get_or_create(
                # the person's name: the same in every language and every client
                owner_id=actor.user_id,
                defaults={"name": str(actor.label or actor.user_id)[:200]},
            )
        for workspace in workspaces_by_ids(missing):
            Calendar.objects.get_or_create(workspace=workspace, defaults={"name": workspace.name})


def _writable(actor: Actor, calendar_id: int, max_class: int | None) -> Calendar:
    access = selectors.calendar_get(actor=actor, calendar_id=calendar_id, max_class=max_class)
    if not access.abilities["write"]:
        raise PermissionDenied(READ_ONLY)
    return access.calendar


def _check_href(href: str) -> str:
    href = (href or "").strip()
    if not href or len(href) > 255 or "/" in href or href in {".", ".."}:
        raise ValidationFailed(BAD_HREF, errors={"href": [str(BAD_HREF)]})
    return href


def _organisation(calendar: Calendar) -> int | None:
    return calendar.workspace.owner_org_id if calendar.workspace_id and calendar.workspace else None


@transaction.atomic
def object_put(
    *,
    actor: Actor,
    calendar_id: int,
    href: str,
    text: str,
    if_match: str | None = None,
    if_none_match: bool = False,
    max_class: int | None = None,
    parsed: Parsed | None = None,
    via: str = "web",
    if_schedule_tag: str | None = None,
) -> CalendarObject:
    """Store one object (new or replacing the one at `href`). `if_match` (an ETag) refuses the
    write when the stored object changed since the client read it (RFC 7232); `if_none_match`
    refuses to replace anything; `if_schedule_tag` (RFC 6638's If-Schedule-Tag-Match) refuses it
    when the organizer's version changed since. Nothing is written when any check fails."""
    calendar = _writable(actor, calendar_id, max_class)
    return put_checked(
        actor=actor,
        calendar_id=calendar.id,
        href=href,
        text=text,
        if_match=if_match,
        if_none_match=if_none_match,
        parsed=parsed,
        via=via,
        if_schedule_tag=if_schedule_tag,
    )


@transaction.atomic
def put_checked(
    *,
    actor: Actor,
    calendar_id: int,
    href: str,
    text: str,
    if_match: str | None = None,
    if_none_match: bool = False,
    parsed: Parsed | None = None,
    via: str,
    if_schedule_tag: str | None = None,
    merges_answer: bool = False,
) -> CalendarObject:
    """The write itself, for a caller that has already decided the actor may write here:
    `object_put` (permissions) and the mail gate (the sender was invited, ADR 0644).
    `merges_answer`: scheduling carries an attendee's answer into the organizer's copy, which
    keeps its Schedule-Tag (ADR 0648)."""
    href = _check_href(href)
    parsed = parsed or parse_object(text)
    calendar = Calendar.objects.select_for_update().get(id=calendar_id)
    current = CalendarObject.objects.filter(calendar=calendar, href=href).first()
    live = current if current is not None and not current.deleted else None
    if if_none_match and live is not None:
        raise ConcurrentUpdate(EXISTS)
    if if_match and if_match != "*" and (live is None or live.etag != if_match):
        raise ConcurrentUpdate(STALE)
    if if_match == "*" and live is None:
        raise ConcurrentUpdate(STALE)
    if if_schedule_tag is not None and (live is None or live.schedule_tag != if_schedule_tag):
        raise ConcurrentUpdate(STALE)
    if selectors.uid_taken(calendar, parsed.uid, href):
        raise ValidationFailed(
            UID_TAKEN, errors={"ics": [str(UID_TAKEN) % {"uid": parsed.uid}]}, uid=parsed.uid
        )
    calendar.seq += 1
    calendar.save(update_fields=["seq"])
    row = current or CalendarObject(calendar=calendar, href=href)
    before = {"summary": live.summary, "etag": live.etag} if live is not None else None
    live_text = live.text if live is not None else ""
    for field in (
        "uid",
        "component",
        "summary",
        "status",
        "priority",
        "due",
        "starts",
        "ends",
        "recurring",
        "has_alarm",
        "parent_uid",
        "assignees",
    ):
        setattr(row, field, getattr(parsed, field))
    row.links = parsed.links or []
    row.text = parsed.text
    row.etag = get_etag(parsed.text)
    row.schedule_tag = _schedule_tag(actor, parsed, live, merges_answer=merges_answer)
    row.seq = calendar.seq
    row.deleted = False
    row.modified_at = timezone.now()
    row.modified_by_id = actor.user_id
    row.save()
    audit_record(
        actor=actor,
        action="calendars.object_updated" if live is not None else "calendars.object_created",
        obj=row,
        organisation_id=_organisation(calendar),
        before=before,
        after={"calendar": calendar.id, "href": href, "summary": row.summary, "via": via},
    )
    if via not in QUIET:
        _deliver(actor, invitations.on_stored(actor=actor, before=live_text, row=row))
    return row


def _schedule_tag(
    actor: Actor, parsed: Parsed, live: CalendarObject | None, *, merges_answer: bool
) -> str:
    """RFC 6638 §3.2.10: a scheduling object's tag changes with the organizer's version (their
    own write, or its delivery into an attendee's copy), and stays when only an answer changes
    (an attendee's own write to their copy, or their answer merged into the organizer's)."""
    if not parsed.organizer:
        return ""
    kept = live.schedule_tag if live is not None else ""
    if kept and merges_answer:
        return kept
    if (
        kept
        and actor.user_id is not None
        and actor_email(actor).strip().lower() != parsed.organizer
    ):
        return kept  # the attendee's own copy, written by them
    return f'"{uuid.uuid4().hex}"'


#: Writes that come from scheduling itself never schedule again (no loops).
QUIET = ("imip", "scheduling")


def _deliver(actor: Actor, deliveries: list[invitations.Delivery]) -> None:
    """Write what scheduling hands over: an event into an attendee's own calendar (keeping the
    answer they already gave), or an answer into the organizer's copy (ADR 0646)."""
    for delivery in deliveries:
        if delivery.calendar_id is not None:
            put_checked(
                actor=actor,
                calendar_id=delivery.calendar_id,
                href=delivery.href,
                text=delivery.text,
                if_match=delivery.etag,
                via="scheduling",
                merges_answer=True,
            )
            continue
        attendee = actor_for_user(user_by_id(delivery.user_id), loa_rank=0)
        ensure_calendars(actor=attendee)
        calendar = selectors.personal_calendar(delivery.user_id or 0)
        if calendar is None:
            continue
        existing = selectors.live_objects(calendar).filter(uid=delivery.uid).first()
        text = delivery.text
        if existing is not None:
            if scheduling.organizer_of(existing.text) != scheduling.organizer_of(text):
                continue  # another organizer's event with this UID is never overwritten
            me = actor_email(attendee).strip().lower()
            answer = scheduling.attendees_of(existing.text).get(me)
            if answer and not scheduling.significant(existing.text, text):
                text = scheduling.set_partstat(text, me, answer)
        put_checked(
            actor=actor,
            calendar_id=calendar.id,
            href=existing.href if existing is not None else href_for_uid(delivery.uid),
            text=text,
            via="scheduling",
        )


@transaction.atomic
def object_delete(
    *,
    actor: Actor,
    calendar_id: int,
    href: str,
    if_match: str | None = None,
    max_class: int | None = None,
    via: str = "web",
    if_schedule_tag: str | None = None,
) -> None:
    calendar = Calendar.objects.select_for_update().get(
        id=_writable(actor, calendar_id, max_class).id
    )
    row = selectors.object_get(calendar, href)
    if row is None:
        raise ValidationFailed(NO_ENTRY, errors={"href": [str(NO_ENTRY)]})
    if if_match and if_match != "*" and row.etag != if_match:
        raise ConcurrentUpdate(STALE)
    if if_schedule_tag is not None and row.schedule_tag != if_schedule_tag:
        raise ConcurrentUpdate(STALE)
    calendar.seq += 1
    calendar.save(update_fields=["seq"])
    deliveries = invitations.on_deleted(actor=actor, text=row.text, component=row.component)
    # A tombstone: sync-collection tells clients the object is gone (RFC 6578 §3.5.2).
    row.deleted, row.text, row.seq = True, "", calendar.seq
    row.modified_at, row.modified_by_id = timezone.now(), actor.user_id
    row.save(update_fields=["deleted", "text", "seq", "modified_at", "modified_by"])
    audit_record(
        actor=actor,
        action="calendars.object_deleted",
        obj=row,
        organisation_id=_organisation(calendar),
        before={"summary": row.summary},
        after={"calendar": calendar.id, "href": href, "via": via},
    )
    if via not in QUIET:
        _deliver(actor, deliveries)


@transaction.atomic
def calendar_set_properties(
    *, actor: Actor, calendar_id: int, name: str | None = None, color: str | None = None
) -> Calendar:
    """A calendar's name and colour (from the page or a client's PROPPATCH). A workspace's
    calendar is named by its members who may write it."""
    calendar = Calendar.objects.select_for_update().get(id=_writable(actor, calendar_id, None).id)
    before = {"name": calendar.name, "color": calendar.color}
    if name is not None:
        name = name.strip()
        if not 1 <= len(name) <= 200:
            raise ValidationFailed(BAD_NAME, errors={"name": [str(BAD_NAME)]})
        calendar.name = name
    if color is not None:
        color = color.strip()[:7]
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", color):
            raise ValidationFailed(BAD_COLOR, errors={"color": [str(BAD_COLOR)]})
        calendar.color = color
    calendar.save(update_fields=["name", "color"])
    audit_record(
        actor=actor,
        action="calendars.calendar_changed",
        obj=calendar,
        organisation_id=_organisation(calendar),
        before=before,
        after={"name": calendar.name, "color": calendar.color},
    )
    return calendar


@transaction.atomic
def object_move(
    *,
    actor: Actor,
    from_calendar_id: int,
    href: str,
    to_calendar_id: int,
    to_href: str,
    max_class: int | None = None,
) -> CalendarObject:
    """An entry moved to another calendar the actor may write (WebDAV MOVE): written there,
    then removed here, in one transaction."""
    source = _writable(actor, from_calendar_id, max_class)
    row = selectors.object_get(source, href)
    if row is None:
        raise ValidationFailed(NO_ENTRY, errors={"href": [str(NO_ENTRY)]})
    text = row.text
    object_delete(actor=actor, calendar_id=source.id, href=href, max_class=max_class, via="move")
    return object_put(
        actor=actor,
        calendar_id=to_calendar_id,
        href=to_href,
        text=text,
        max_class=max_class,
        via="move",
    )


def _wrap(component: Any) -> str:
    calendar = ICalendar()
    calendar.add("PRODID", "-//samdrift//SAFOS kalender//SV")
    calendar.add("VERSION", "2.0")
    calendar.add_component(component)
    return calendar.to_ical().decode("utf-8")


def event_create(
    *,
    actor: Actor,
    calendar_id: int,
    summary: str,
    start: dt.datetime | dt.date,
    end: dt.datetime | dt.date,
    location: str = "",
    description: str = "",
) -> CalendarObject:
    event = _new(Event(), summary, description)
    event.add("DTSTART", start)
    event.add("DTEND", end)
    if location:
        event.add("LOCATION", location)
    return object_put(
        actor=actor, calendar_id=calendar_id, href=f"{event['UID']}.ics", text=_wrap(event)
    )


def _new(component: Any, summary: str, description: str) -> Any:
    """A new event or task with a fresh UID, stamped now."""
    component.add("UID", f"{uuid.uuid4()}@samdrift")
    component.add("DTSTAMP", timezone.now())
    component.add("SUMMARY", summary)
    if description:
        component.add("DESCRIPTION", description)
    return component


BAD_ASSIGNEE = _("Assign the task to members of the workspace only.")
BAD_DOCUMENT = _("Link documents of this workspace only.")


def task_create(
    *,
    actor: Actor,
    calendar_id: int,
    summary: str,
    due: dt.datetime | None = None,
    priority: int = 0,
    description: str = "",
    assignees: list[str] | None = None,
    documents: list[int] | None = None,
    parent_href: str = "",
) -> CalendarObject:
    """A task; `assignees` are members' addresses and `documents` the workspace's document
    ids, both checked against the calendar's workspace (members may be of several agencies).
    `parent_href`: the task is a checklist item of that task (RELATED-TO, one level)."""
    access = selectors.calendar_get(actor=actor, calendar_id=calendar_id)
    parent = _checklist_parent(access.calendar, parent_href) if parent_href else None
    choices = selectors.task_choices(access)
    people = dict(choices.members)
    wanted = [a.strip().lower() for a in assignees or []]
    if any(a not in people for a in wanted):
        raise ValidationFailed(BAD_ASSIGNEE, errors={"assignees": [str(BAD_ASSIGNEE)]})
    files = dict(choices.documents)
    if any(d not in files for d in documents or []):
        raise ValidationFailed(BAD_DOCUMENT, errors={"documents": [str(BAD_DOCUMENT)]})
    todo = _new(Todo(), summary, description)
    for address in wanted:
        todo.add(
            "ATTENDEE",
            f"mailto:{address}",
            parameters={"CN": people[address], "ROLE": "REQ-PARTICIPANT"},
        )
    for document_id in documents or []:
        todo.add(
            "ATTACH",
            f"{settings.SAMDRIFT_BASE_URL}/collaboration/documents/{document_id}/",
            parameters={"FILENAME": files[document_id], "VALUE": "URI"},
        )
    todo.add("STATUS", TaskStatus.NEEDS_ACTION.value)
    if parent is not None:
        todo.add("RELATED-TO", parent.uid, parameters={"RELTYPE": "PARENT"})
    if due is not None:
        todo.add("DUE", due.astimezone(HOME_ZONE))
    if priority:
        todo.add("PRIORITY", priority)
    return object_put(
        actor=actor, calendar_id=calendar_id, href=f"{todo['UID']}.ics", text=_wrap(todo)
    )


NO_PARENT = _("The task to add a checklist item to is not in this calendar.")
NESTED = _("A checklist item cannot have a checklist of its own.")


def _checklist_parent(calendar: Calendar, href: str) -> CalendarObject:
    parent = selectors.object_get(calendar, href)
    if parent is None or parent.component != Component.TODO:
        raise ValidationFailed(NO_PARENT, errors={"parent": [str(NO_PARENT)]})
    if parent.parent_uid:
        raise ValidationFailed(NESTED, errors={"parent": [str(NESTED)]})
    return parent


BAD_STATUS = _("Choose one of the board's columns.")


def task_move(
    *, actor: Actor, calendar_id: int, href: str, status: str, etag: str | None = None
) -> CalendarObject:
    """Move a card to another column: the task's STATUS in its iCalendar text, so a CalDAV client
    sees the move at its next sync. `etag` (what the board showed) refuses a stale move."""
    if status not in TaskStatus.values:
        raise ValidationFailed(BAD_STATUS, errors={"status": [str(BAD_STATUS)]})
    access = selectors.calendar_get(actor=actor, calendar_id=calendar_id)
    row = selectors.object_get(access.calendar, href)
    if row is None or row.component != Component.TODO:
        raise ValidationFailed(NO_ENTRY, errors={"href": [str(NO_ENTRY)]})
    calendar = ICalendar.from_ical(row.text)
    now = timezone.now()
    for todo in calendar.walk("VTODO"):
        for name in ("STATUS", "COMPLETED", "PERCENT-COMPLETE", "LAST-MODIFIED"):
            todo.pop(name, None)
        todo.add("STATUS", status)
        todo.add("LAST-MODIFIED", now)
        if status == TaskStatus.COMPLETED:
            todo.add("COMPLETED", now)
            todo.add("PERCENT-COMPLETE", 100)
        todo["SEQUENCE"] = int(todo.get("SEQUENCE") or 0) + 1
    return object_put(
        actor=actor,
        calendar_id=calendar_id,
        href=href,
        text=calendar.to_ical().decode("utf-8"),
        if_match=etag or row.etag,
    )


def _split(text: str) -> list[tuple[str, str]]:
    """An .ics file as one object per UID (with the time zones it names), as CalDAV stores it."""
    try:
        source = ICalendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        parse_object(text)  # raises the clear message
        raise ValidationFailed(str(error)) from None
    zones = {str(tz.get("TZID")): tz for tz in source.walk("VTIMEZONE")}
    groups: dict[str, list[Any]] = {}
    for component in source.subcomponents:
        if component.name in Component.values:
            groups.setdefault(str(component.get("UID") or uuid.uuid4()), []).append(component)
    out = []
    for uid, components in groups.items():
        calendar = ICalendar()
        calendar.add("PRODID", "-//samdrift//SAFOS kalender//SV")
        calendar.add("VERSION", "2.0")
        for zone in zones.values():
            calendar.add_component(zone)
        for component in components:
            calendar.add_component(component)
        out.append((uid, calendar.to_ical().decode("utf-8")))
    return out


def import_ics(*, actor: Actor, calendar_id: int, text: str) -> int:
    """Every event and task of an .ics file into the calendar, all or nothing: a bad object
    refuses the whole file and names it. An entry with the same UID is replaced."""
    objects = _split(text)
    if not objects:
        raise ValidationFailed(EMPTY_IMPORT, errors={"ics": [str(EMPTY_IMPORT)]})
    parsed = [parse_object(body) for _uid, body in objects]
    with transaction.atomic():
        calendar = _writable(actor, calendar_id, None)
        existing = dict(
            selectors.live_objects(calendar)
            .filter(uid__in=[p.uid for p in parsed])
            .values_list("uid", "href")
        )
        for item in parsed:
            href = existing.get(item.uid) or href_for_uid(item.uid)
            object_put(
                actor=actor,
                calendar_id=calendar.id,
                href=href,
                text=item.text,
                parsed=item,
                via="import",
            )
    return len(parsed)


def href_for_uid(uid: str) -> str:
    """A resource name from a UID, as Radicale makes one: safe characters only."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_.@" else "-" for ch in uid)[:200]
    return f"{cleaned or uuid.uuid4().hex}.ics"


def export_calendar(*, actor: Actor, access: selectors.CalendarAccess) -> str:
    """The whole calendar as one .ics; the export is a read of everything in it, audited."""
    audit_read(
        actor=actor,
        obj=access.calendar,
        access="export",
        organisation_id=_organisation(access.calendar),
    )
    return selectors.export_text(access.calendar)
