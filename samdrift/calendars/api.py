"""API of the calendars, mounted under /api/v1/calendars (issue 12): the same selectors and
services as the pages and CalDAV, so the same rules. A calendar the caller does not reach is
404, like one that does not exist."""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime as dt
from typing import Any

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from samdrift.core.api import ApiRequest, Page, errors
from samdrift.core.exceptions import ValidationFailed

from . import selectors, services
from .ical import HOME_ZONE

router = Router(tags=["calendars"])

#: The widest window one call expands (recurrences are computed per call).
MAX_WINDOW_DAYS = 366
BAD_BUSY_WINDOW = "The window is 1–31 days. / Fönstret är 1–31 dagar."
BAD_WINDOW = "The window is 1–366 days and ends after it starts. / Fönstret är 1–366 dagar."


class CalendarOut(Schema):
    id: int
    name: str
    color: str
    workspace: int | None
    can_write: bool


class OccurrenceOut(Schema):
    href: str
    uid: str
    summary: str
    start: dt.datetime
    end: dt.datetime
    all_day: bool
    location: str
    recurring: bool


class LinkOut(Schema):
    name: str
    url: str


class TaskOut(Schema):
    href: str
    etag: str
    summary: str
    status: str
    priority: int
    due: dt.datetime | None
    assignees: str
    links: list[LinkOut]


class Window(Schema):
    start: dt.date
    end: dt.date


class MoveIn(Schema):
    href: str
    status: str
    etag: str | None = None


@router.get(
    "/",
    response={200: list[CalendarOut], **errors(422)},
    summary="The caller's calendars",
    description="The caller's own calendar and one per workspace they are a member of.",
)
@paginate(Page)
def list_calendars(request: ApiRequest) -> list[dict[str, Any]]:
    services.ensure_calendars(actor=request.auth)
    return [
        {
            "id": a.calendar.id,
            "name": a.calendar.name,
            "color": a.calendar.color,
            "workspace": a.calendar.workspace_id,
            "can_write": a.abilities["write"],
        }
        for a in selectors.calendars_for(actor=request.auth)
    ]


@router.get(
    "/{calendar_id}/events",
    response={200: list[OccurrenceOut], **errors(404, 422)},
    summary="Events in a window",
    description="Occurrences between two dates (Europe/Stockholm), recurrences expanded. 404 "
    "for a calendar the caller does not reach.",
)
@paginate(Page)
def list_events(request: ApiRequest, calendar_id: int, window: Query[Window]) -> list[Any]:
    access = selectors.calendar_get(actor=request.auth, calendar_id=calendar_id)
    days = (window.end - window.start).days
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise ValidationFailed(BAD_WINDOW, errors={"end": [BAD_WINDOW]})
    start = dt.datetime.combine(window.start, dt.time(), tzinfo=HOME_ZONE)
    end = dt.datetime.combine(window.end, dt.time(), tzinfo=HOME_ZONE)
    return selectors.occurrences(access.calendar, start=start, end=end)


@router.get(
    "/{calendar_id}/tasks",
    response={200: list[TaskOut], **errors(404, 422)},
    summary="The calendar's tasks",
    description="Every task (VTODO) by board column, most urgent first.",
)
@paginate(Page)
def list_tasks(request: ApiRequest, calendar_id: int) -> list[Any]:
    access = selectors.calendar_get(actor=request.auth, calendar_id=calendar_id)
    columns = selectors.board(access.calendar)
    return [
        {**_task(card), "status": status} for status, cards in columns.items() for card in cards
    ]


def _task(card: Any) -> dict[str, Any]:
    return {
        "href": card.href,
        "etag": card.etag,
        "summary": card.summary,
        "priority": card.priority,
        "due": card.due,
        "assignees": card.assignees,
        "links": card.links,
    }


@router.post(
    "/{calendar_id}/tasks/move",
    response={200: TaskOut, **errors(403, 404, 409, 422)},
    summary="Move a task to another column",
    description="Sets the task's STATUS. With `etag`, a task changed since it was read is 409 "
    "and nothing is written. 403 for a member who may only read.",
)
def move_task(request: ApiRequest, calendar_id: int, body: MoveIn) -> dict[str, Any]:
    row = services.task_move(
        actor=request.auth,
        calendar_id=calendar_id,
        href=body.href,
        status=body.status,
        etag=body.etag,
    )
    return {**_task(row), "status": row.task_status}


class BlockOut(Schema):
    start: dt.datetime
    end: dt.datetime


class BusyOut(Schema):
    name: str
    agency: str
    busy: list[BlockOut]


@router.get(
    "/{calendar_id}/free-busy",
    response={200: list[BusyOut], **errors(404, 422)},
    summary="When the workspace's members are busy",
    description="Busy blocks only (merged, no titles) per member of the calendar's workspace, "
    "from the calendars whose class the caller's login reaches; at most 31 days. 404 for a "
    "personal calendar or one the caller does not reach.",
)
@paginate(Page)
def free_busy(request: ApiRequest, calendar_id: int, window: Query[Window]) -> list[Any]:
    access = selectors.calendar_get(actor=request.auth, calendar_id=calendar_id)
    days = (window.end - window.start).days
    if not 1 <= days <= 31:
        raise ValidationFailed(BAD_BUSY_WINDOW, errors={"end": [BAD_BUSY_WINDOW]})
    start = dt.datetime.combine(window.start, dt.time(), tzinfo=HOME_ZONE)
    end = dt.datetime.combine(window.end, dt.time(), tzinfo=HOME_ZONE)
    rows = selectors.free_busy(actor=request.auth, access=access, start=start, end=end)
    return [
        {"name": r.name, "agency": r.agency, "busy": [{"start": s, "end": e} for s, e in r.busy]}
        for r in rows
    ]
