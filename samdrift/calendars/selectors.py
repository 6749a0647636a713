"""Reading calendars and their objects. Which calendars an actor reaches is decided here and in
`permissions`, nowhere else: the pages, the API and CalDAV all come through these functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import recurring_ical_events
from django.db.models import Q, QuerySet
from icalendar import Calendar as ICalendar

from samdrift.accounts.selectors import active_users_by_email
from samdrift.collaboration.policy import policy_for
from samdrift.collaboration.selectors import (
    member_list,
    memberships_of,
    memberships_of_users,
    workspace_documents,
)
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound

from .choices import Component, TaskStatus
from .ical import HOME_ZONE
from .models import Calendar, CalendarObject
from .permissions import calendar_abilities

if TYPE_CHECKING:
    from samdrift.collaboration.models import Member, Workspace

#: A page never expands more occurrences than this, however the rules are written (an RRULE
#: without end is infinite; the window bounds it, and this bounds a dense rule in the window).
MAX_OCCURRENCES = 2000


@dataclass(frozen=True)
class CalendarAccess:
    calendar: Calendar
    workspace: Workspace | None
    member: Member | None
    abilities: dict[str, bool]

    @property
    def classification(self) -> int:
        return self.workspace.classification if self.workspace is not None else 0


def _reaches_level(actor: Actor, workspace: Workspace | None) -> bool:
    if workspace is None or actor.user_id is None:
        return True
    return policy_for(workspace.classification).min_loa <= actor.loa_rank


def calendars_for(*, actor: Actor, max_class: int | None = None) -> list[CalendarAccess]:
    """The actor's personal calendar and those of the workspaces they are a member of (that
    their login's level reaches), personal first. Two queries, whatever the number."""
    if actor.user_id is None:
        return []
    members = {m.workspace_id: m for m in memberships_of(user_id=actor.user_id)}
    rows = Calendar.objects.filter(owner_id=actor.user_id) | Calendar.objects.filter(
        workspace_id__in=list(members)
    )
    found = []
    for calendar in rows.order_by("workspace_id", "id"):
        member = members.get(calendar.workspace_id) if calendar.workspace_id else None
        workspace = member.workspace if member is not None else None
        access = _access(actor, calendar, workspace, member, max_class)
        if access.abilities["view"] and _reaches_level(actor, workspace):
            found.append(access)
    found.sort(key=lambda a: (a.workspace is not None, a.calendar.name.casefold()))
    return found


def _access(
    actor: Actor,
    calendar: Calendar,
    workspace: Workspace | None,
    member: Member | None,
    max_class: int | None,
) -> CalendarAccess:
    abilities = calendar_abilities(
        actor=actor, calendar=calendar, workspace=workspace, member=member, max_class=max_class
    )
    return CalendarAccess(calendar, workspace, member, abilities)


def calendar_get(*, actor: Actor, calendar_id: int, max_class: int | None = None) -> CalendarAccess:
    """The calendar as the actor may see it; `NotFound` for one they do not (same as missing)."""
    if actor.user_id is None:
        raise NotFound("calendar")
    # The scope is in the query, so another's calendar costs the same queries as a missing one.
    mine = memberships_of(user_id=actor.user_id).values("workspace_id")
    scope = Q(owner_id=actor.user_id) | Q(workspace_id__in=mine)
    try:
        calendar = (
            Calendar.objects.select_related("workspace").filter(scope).get(id=int(calendar_id))
        )
    except (Calendar.DoesNotExist, ValueError, TypeError):
        raise NotFound("calendar") from None
    member = None
    if calendar.workspace_id is not None and actor.user_id is not None:
        member = (
            memberships_of(user_id=actor.user_id).filter(workspace_id=calendar.workspace_id).first()
        )
    access = _access(actor, calendar, calendar.workspace, member, max_class)
    if not access.abilities["view"] or not _reaches_level(actor, access.workspace):
        raise NotFound("calendar")
    return access


def by_slug(accesses: Iterable[CalendarAccess], slug: str) -> CalendarAccess | None:
    return next((a for a in accesses if a.calendar.slug == slug), None)


def live_objects(calendar: Calendar) -> QuerySet[CalendarObject]:
    return CalendarObject.objects.filter(calendar=calendar, deleted=False)


def object_get(calendar: Calendar, href: str) -> CalendarObject | None:
    return live_objects(calendar).filter(href=href).first()


def objects_by_href(calendar: Calendar, hrefs: Iterable[str]) -> dict[str, CalendarObject]:
    return {o.href: o for o in live_objects(calendar).filter(href__in=list(hrefs))}


def objects_in_range(
    calendar: Calendar, *, start: int, end: int, component: str | None = None
) -> QuerySet[CalendarObject]:
    """Objects whose enclosing range meets [start, end): the index `calobj_range` answers it.
    `starts < end` is the indexed bound; `ends > start` filters what it returns."""
    rows = live_objects(calendar).filter(starts__lt=end, ends__gt=start)
    return rows.filter(component=component) if component else rows


def changes_since(calendar: Calendar, seq: int) -> QuerySet[CalendarObject]:
    """Every object changed or deleted after change `seq` (sync-collection, RFC 6578)."""
    return CalendarObject.objects.filter(calendar=calendar, seq__gt=seq).only(
        "href", "deleted", "seq"
    )


def uid_taken(calendar: Calendar, uid: str, href: str) -> bool:
    return live_objects(calendar).filter(uid=uid).exclude(href=href).exists()


@dataclass(frozen=True)
class Occurrence:
    href: str
    uid: str
    summary: str
    start: dt.datetime
    end: dt.datetime
    all_day: bool
    location: str
    recurring: bool
    #: Counts in free/busy: not TRANSP:TRANSPARENT, not cancelled (RFC 5545 §3.8.2.7).
    busy: bool = True


def _as_local(value: Any) -> tuple[dt.datetime, bool]:
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=HOME_ZONE)
        return aware.astimezone(HOME_ZONE), False
    return dt.datetime.combine(value, dt.time(), tzinfo=HOME_ZONE), True


def occurrences(calendar: Calendar, *, start: dt.datetime, end: dt.datetime) -> list[Occurrence]:
    """The events in [start, end) with recurrences expanded (exceptions, EXDATE and RDATE
    honoured, in the event's own time zone across daylight-saving changes), earliest first."""
    window = objects_in_range(
        calendar,
        start=int(start.timestamp()),
        end=int(end.timestamp()),
        component=Component.EVENT,
    ).only("href", "uid", "text", "recurring")
    found: list[Occurrence] = []
    for row in window:
        parsed = ICalendar.from_ical(row.text)
        # `after` yields in order and lazily, so a dense or endless rule costs only what is shown
        for event in recurring_ical_events.of(parsed).after(start):
            begins, all_day = _as_local(event["DTSTART"].dt)
            if begins >= end:
                break
            finish = event.get("DTEND")
            ends = _as_local(finish.dt)[0] if finish is not None else begins
            found.append(
                Occurrence(
                    href=row.href,
                    uid=row.uid,
                    summary=str(event.get("SUMMARY") or ""),
                    start=begins,
                    end=ends,
                    all_day=all_day,
                    location=str(event.get("LOCATION") or ""),
                    recurring=row.recurring,
                    busy=str(event.get("TRANSP") or "OPAQUE").upper() != "TRANSPARENT"
                    and str(event.get("STATUS") or "").upper() != "CANCELLED",
                )
            )
            if len(found) >= MAX_OCCURRENCES:
                break
    found.sort(key=lambda o: (o.start, o.summary))
    return found[:MAX_OCCURRENCES]


@dataclass(frozen=True)
class TaskChoices:
    """Whom a task may be assigned to and which documents it may link: the workspace's members
    (address, name) and documents (id, name); nothing for a personal calendar."""

    members: list[tuple[str, str]]
    documents: list[tuple[int, str]]


def task_choices(access: CalendarAccess) -> TaskChoices:
    if access.workspace is None:
        return TaskChoices([], [])
    members = [
        (m.user.email.strip().lower(), m.user.get_full_name() or m.user.get_username())
        for m in member_list(workspace=access.workspace)
        if m.user.email
    ]
    documents = list(workspace_documents(workspace=access.workspace).values_list("id", "name"))
    return TaskChoices(members, documents)


def board(calendar: Calendar) -> dict[str, list[CalendarObject]]:
    """The workspace's tasks by column (status), most urgent first in each: one query. A task
    with a parent task on the board is a checklist item of its card (`card.checklist`, to do
    first), not a card of its own."""
    columns: dict[str, list[CalendarObject]] = {s.value: [] for s in TaskStatus}
    rows = list(
        live_objects(calendar)
        .filter(component=Component.TODO)
        .only(
            "href",
            "uid",
            "parent_uid",
            "summary",
            "status",
            "priority",
            "due",
            "etag",
            "calendar_id",
            "assignees",
            "links",
        )
        .order_by("due", "summary", "id")
    )
    by_uid = {row.uid: row for row in rows}

    def has_parent(row: CalendarObject) -> bool:
        return bool(row.parent_uid) and row.parent_uid in by_uid and row.parent_uid != row.uid

    items: dict[str, list[CalendarObject]] = {}
    for row in rows:
        # One level of checklist; deeper ones (a client may nest) stay cards, never hidden.
        if has_parent(row) and not has_parent(by_uid[row.parent_uid]):
            items.setdefault(row.parent_uid, []).append(row)
        else:
            columns[row.task_status].append(row)
    for row in rows:
        checklist = sorted(
            items.get(row.uid, []),
            key=lambda i: (i.task_status == TaskStatus.COMPLETED, i.summary.casefold()),
        )
        row.checklist = checklist  # type: ignore[attr-defined]
        row.checklist_done = sum(  # type: ignore[attr-defined]
            i.task_status == TaskStatus.COMPLETED for i in checklist
        )
    for cards in columns.values():
        cards.sort(key=lambda c: (c.priority == 0, c.priority, c.due is None, c.due))
    return columns


def export_text(calendar: Calendar) -> str:
    """The whole calendar as one iCalendar stream (each VTIMEZONE once)."""
    out = ICalendar()
    out.add("PRODID", "-//samdrift//SAFOS kalender//SV")
    out.add("VERSION", "2.0")
    out.add("X-WR-CALNAME", calendar.name)
    zones: set[str] = set()
    for row in live_objects(calendar).only("text").order_by("id"):
        for component in ICalendar.from_ical(row.text).subcomponents:
            if component.name == "VTIMEZONE":
                if str(component.get("TZID")) in zones:
                    continue
                zones.add(str(component.get("TZID")))
            out.add_component(component)
    return out.to_ical().decode("utf-8")


def events_with_uid(uid: str) -> QuerySet[CalendarObject]:
    """Every stored copy of one event, in any calendar: only for the mail gate, which then
    checks the sender against each copy's attendees (ADR 0644)."""
    return live_objects_everywhere().filter(uid=uid, component=Component.EVENT)


def live_objects_everywhere() -> QuerySet[CalendarObject]:
    return CalendarObject.objects.filter(deleted=False)


def personal_calendar(user_id: int) -> Calendar | None:
    return Calendar.objects.filter(owner_id=user_id).first()


@dataclass(frozen=True)
class BusyRow:
    """One person's busy time in a window: blocks only, merged, never what they are."""

    name: str
    agency: str
    busy: list[tuple[dt.datetime, dt.datetime]]


def _merge(blocks: list[tuple[dt.datetime, dt.datetime]]) -> list[tuple[dt.datetime, dt.datetime]]:
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for start, end in sorted(blocks):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def free_busy(
    *, actor: Actor, access: CalendarAccess, start: dt.datetime, end: dt.datetime
) -> list[BusyRow]:
    """When the members of a workspace are busy, for finding a time (ADR 0645): from each
    member's own calendar and the calendars of every workspace they are in whose class the
    asking login reaches. Blocks are merged per person, so neither titles nor which calendar a
    block came from can be read from them."""
    if access.workspace is None or not access.abilities["free_busy"]:
        raise NotFound("calendar")
    members = list(member_list(workspace=access.workspace))
    blocks = _busy_blocks(actor, [m.user_id for m in members], start=start, end=end)
    return [
        BusyRow(
            name=m.user.get_full_name() or m.user.get_username(),
            agency=m.organisation.name,
            busy=blocks[m.user_id],
        )
        for m in members
    ]


def busy_by_address(
    *,
    actor: Actor,
    addresses: Sequence[str],
    start: dt.datetime,
    end: dt.datetime,
    max_class: int | None = None,
) -> dict[str, list[tuple[dt.datetime, dt.datetime]] | None]:
    """A CalDAV client's free/busy question (RFC 6638 outbox, ADR 0648): per address, the merged
    busy blocks of the person with it, or None when there is no such active person or the actor
    may not see them. The rule is the workspace page's: the actor themself, or someone who
    shares a workspace with them; counted are that person's own calendar and their workspaces'
    calendars whose class the login reaches (the app password's class as well). An address the
    actor may not see answers as an unknown one."""
    wanted = {a.strip().lower() for a in addresses if a and a.strip()}
    if actor.user_id is None or not wanted:
        return dict.fromkeys(wanted)
    people = {u.email.lower(): u.id for u in active_users_by_email(wanted)}
    mine = {m.workspace_id for m in memberships_of(user_id=actor.user_id)}
    shares: set[int] = {actor.user_id}
    for membership in memberships_of_users(list(people.values())):
        if membership.workspace_id in mine:
            shares.add(membership.user_id)
    seen = [uid for uid in people.values() if uid in shares]
    blocks = _busy_blocks(actor, seen, start=start, end=end, max_class=max_class)
    return {a: blocks.get(people[a]) if a in people else None for a in wanted}


def _busy_blocks(
    actor: Actor,
    user_ids: Sequence[int],
    *,
    start: dt.datetime,
    end: dt.datetime,
    max_class: int | None = None,
) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """Merged busy blocks per person in [start, end): their own calendar and their workspaces'
    calendars whose class the asking login reaches. Transparent and cancelled events are free."""
    reached: dict[int, list[int]] = {}
    for membership in memberships_of_users(user_ids):
        classification = membership.workspace.classification
        if policy_for(classification).min_loa <= actor.loa_rank and (
            max_class is None or classification <= max_class
        ):
            reached.setdefault(membership.workspace_id, []).append(membership.user_id)
    calendars = Calendar.objects.filter(Q(owner_id__in=user_ids) | Q(workspace_id__in=reached))
    blocks: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {uid: [] for uid in user_ids}
    for calendar in calendars:
        people = (
            [calendar.owner_id]
            if calendar.owner_id
            else reached.get(calendar.workspace_id or 0, [])
        )
        for occurrence in occurrences(calendar, start=start, end=end):
            if not occurrence.busy:
                continue
            for person in people:
                blocks[person].append((max(occurrence.start, start), min(occurrence.end, end)))
    return {person: _merge(found) for person, found in blocks.items()}
