"""Pages of the calendars under /calendars/: the calendars one reaches, a calendar's agenda, its
task board, import and export. Thin: parse, call one selector or service, answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    DomainError,
    NotFound,
    ValidationFailed,
    error_text,
    submit_form,
)
from samdrift.core.tenancy import scoped_page

from . import addons, selectors, services
from .choices import TaskStatus
from .forms import ChecklistItemForm, EventForm, ImportForm, MoveForm, TaskForm
from .ical import HOME_ZONE, MAX_OBJECT_BYTES

page = scoped_page
AGENDA_DAYS = 14
VIEWS = {
    "day": gettext_lazy("Day"),
    "week": gettext_lazy("Week"),
    "month": gettext_lazy("Month"),
    "agenda": gettext_lazy("Agenda"),
}


def _window(view: str, day: dt.date) -> tuple[dt.date, int, dt.date, dt.date]:
    """The first day shown, the number of days, and where Earlier and Later go."""
    if view == "day":
        return day, 1, day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    if view == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, 7, monday - dt.timedelta(days=7), monday + dt.timedelta(days=7)
    if view == "month":
        month = day.replace(day=1)
        monday = month - dt.timedelta(days=month.weekday())
        previous = (month - dt.timedelta(days=1)).replace(day=1)
        following = (month + dt.timedelta(days=32)).replace(day=1)
        return monday, 42, previous, following
    step = dt.timedelta(days=AGENDA_DAYS)
    return day, AGENDA_DAYS, day - step, day + step


def _weeks(
    first: dt.date, length: int, days: dict[dt.date, Any], asked: dt.date
) -> list[list[tuple[dt.date, bool, Any]]]:
    """The month grid: six weeks of (day, in the asked month, its occurrences)."""
    cells = [first + dt.timedelta(days=n) for n in range(length)]
    rows = [(d, d.month == asked.month, days.get(d, [])) for d in cells]
    return [rows[n : n + 7] for n in range(0, length, 7)]


MAX_IMPORT_BYTES = 20 * MAX_OBJECT_BYTES


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


_submit = submit_form


def _status(*forms: Any) -> int:
    return 422 if any(f.is_bound and f.errors for f in forms) else 200


@page
@require_GET
def calendar_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    services.ensure_calendars(actor=actor)
    context = {
        "nav": "calendars",
        "calendars": selectors.calendars_for(actor=actor),
        "caldav_url": request.build_absolute_uri("/caldav/"),
    }
    return render(request, "calendars/calendar_list.html", context)


def _first_day(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        return dt.datetime.now(HOME_ZONE).date()


def _add_event(actor: Actor, access: selectors.CalendarAccess, form: EventForm) -> Any:
    """The event, or, when an add-on is ticked, the event as that add-on makes it."""
    data = form.cleaned_data
    addon = form.chosen_addon()
    if addon is not None:
        fields = addons.EventFields(data["summary"], data["start"], data["end"], data["location"])
        return addon.create(actor, access.calendar, fields)
    return services.event_create(
        actor=actor,
        calendar_id=access.calendar.id,
        summary=data["summary"],
        start=data["start"],
        end=data["end"],
        location=data["location"],
    )


@page
@require_http_methods(["GET", "POST"])
def calendar_detail(request: HttpRequest, calendar_id: int) -> HttpResponse:
    actor = _actor(request)
    access = selectors.calendar_get(actor=actor, calendar_id=calendar_id)
    form = EventForm(request.POST or None, addons=addons.offered(actor, access.calendar))
    if request.method == "POST" and _submit(form, lambda: _add_event(actor, access, form)):
        addon = form.chosen_addon()
        messages.success(request, addon.added if addon else _("The event was added."))
        return redirect("calendars:detail", calendar_id=access.calendar.id)
    view = request.GET.get("view", "agenda")
    view = view if view in VIEWS else "agenda"
    asked = _first_day(request)
    first, length, previous, following = _window(view, asked)
    start = dt.datetime.combine(first, dt.time(), tzinfo=HOME_ZONE)
    end = start + dt.timedelta(days=length)
    days: dict[dt.date, list[selectors.Occurrence]] = {}
    for occurrence in selectors.occurrences(access.calendar, start=start, end=end):
        days.setdefault(occurrence.start.date(), []).append(occurrence)
    context = {
        "nav": "calendars",
        "access": access,
        "calendar": access.calendar,
        "view": view,
        "views": list(VIEWS.items()),
        "days": sorted(days.items()),
        "weeks": _weeks(first, length, days, asked) if view == "month" else [],
        "month": asked.replace(day=1),
        "first": first,
        "last": first + dt.timedelta(days=length - 1),
        "previous": previous,
        "next": following,
        "form": form,
        "import_form": ImportForm(),
    }
    return render(request, "calendars/calendar_detail.html", context, status=_status(form))


@page
@require_http_methods(["GET", "POST"])
def board(request: HttpRequest, calendar_id: int) -> HttpResponse:
    actor = _actor(request)
    access = selectors.calendar_get(actor=actor, calendar_id=calendar_id)
    choices = selectors.task_choices(access)
    adds_item = request.method == "POST" and "parent" in request.POST
    item_form = ChecklistItemForm(request.POST if adds_item else None)
    if adds_item and _submit(
        item_form,
        lambda: services.task_create(
            actor=actor,
            calendar_id=access.calendar.id,
            summary=item_form.cleaned_data["item"],
            parent_href=item_form.cleaned_data["parent"],
        ),
    ):
        messages.success(request, _("The checklist item was added."))
        return redirect("calendars:board", calendar_id=access.calendar.id)
    form = TaskForm(
        None if adds_item else request.POST or None,
        members=choices.members, documents=choices.documents,
    )  # fmt: skip
    if (
        request.method == "POST"
        and not adds_item
        and _submit(
            form,
            lambda: services.task_create(
                actor=actor,
                calendar_id=access.calendar.id,
                summary=form.cleaned_data["summary"],
                due=form.cleaned_data["due"],
                priority=form.cleaned_data["priority"],
                description=form.cleaned_data["description"],
                assignees=form.cleaned_data.get("assignees") or [],
                documents=form.cleaned_data.get("documents") or [],
            ),
        )
    ):
        messages.success(request, _("The task was added."))
        return redirect("calendars:board", calendar_id=access.calendar.id)
    columns = selectors.board(access.calendar)
    context = {
        "nav": "calendars",
        "access": access,
        "calendar": access.calendar,
        "columns": [(s, s.label, columns[s.value]) for s in TaskStatus],
        "statuses": TaskStatus.choices,
        "form": form,
        "item_form": item_form,
        "done": TaskStatus.COMPLETED.value,
        "to_do": TaskStatus.NEEDS_ACTION.value,
    }
    return render(request, "calendars/board.html", context, status=_status(form, item_form))


@page
@require_POST
def move(request: HttpRequest, calendar_id: int) -> HttpResponse:
    actor = _actor(request)
    selectors.calendar_get(actor=actor, calendar_id=calendar_id)  # 404 before anything else
    form = MoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(_("Choose one of the board's columns."))
        services.task_move(
            actor=actor,
            calendar_id=calendar_id,
            href=form.cleaned_data["href"],
            status=form.cleaned_data["status"],
            etag=form.cleaned_data["etag"],
        )
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The task was moved."))
    return redirect("calendars:board", calendar_id=calendar_id)


@page
@require_POST
def import_file(request: HttpRequest, calendar_id: int) -> HttpResponse:
    actor = _actor(request)
    selectors.calendar_get(actor=actor, calendar_id=calendar_id)  # 404 before anything else
    form = ImportForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationFailed(_("Choose an .ics file."))
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationFailed(_("The file is too large to import here; use the CLI."))
        text = upload.read().decode("utf-8", errors="strict")
        count = services.import_ics(actor=actor, calendar_id=calendar_id, text=text)
    except NotFound:
        raise
    except UnicodeDecodeError:
        messages.error(request, _("The file is not UTF-8 text."))
    except DomainError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("%(count)s entries were imported.") % {"count": count})
    return redirect("calendars:detail", calendar_id=calendar_id)


@page
@require_GET
def export(request: HttpRequest, calendar_id: int) -> HttpResponse:
    actor = _actor(request)
    access = selectors.calendar_get(actor=actor, calendar_id=calendar_id)
    response = HttpResponse(
        services.export_calendar(actor=actor, access=access),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="calendar-{access.calendar.id}.ics"'
    return response


FREE_BUSY_DAYS = 5


@page
@require_GET
def free_busy(request: HttpRequest, calendar_id: int) -> HttpResponse:
    actor = _actor(request)
    access = selectors.calendar_get(actor=actor, calendar_id=calendar_id)
    first = _first_day(request)
    start = dt.datetime.combine(first, dt.time(), tzinfo=HOME_ZONE)
    end = start + dt.timedelta(days=FREE_BUSY_DAYS)
    context = {
        "nav": "calendars",
        "access": access,
        "calendar": access.calendar,
        "rows": selectors.free_busy(actor=actor, access=access, start=start, end=end),
        "first": first,
        "last": first + dt.timedelta(days=FREE_BUSY_DAYS - 1),
        "previous": first - dt.timedelta(days=FREE_BUSY_DAYS),
        "next": first + dt.timedelta(days=FREE_BUSY_DAYS),
    }
    return render(request, "calendars/free_busy.html", context)
