"""Pages that work an incident (answer, note, priority, waiting, major, parent, problem) and the
problem and change pages (ADR 0848). Thin: every rule is the services' and `permissions`'; a
refusal comes back as the page's message, in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .choices import CHANGE_TRANSITIONS, PROBLEM_TRANSITIONS, ChangeState, ProblemState
from .forms import (
    ChangeForm,
    KnownErrorForm,
    LinkProblemForm,
    MajorForm,
    NoteForm,
    ParentForm,
    PriorityForm,
    ProblemForm,
    RespondForm,
    StateForm,
    WaitForm,
    WindowForm,
)
from .permissions import change_abilities, problem_abilities
from .views import _actor, act, list_and_create, page


def _incident_action(
    request: HttpRequest, incident_id: int, form: Any, call: Callable[[Any], Any], done: str
) -> HttpResponse:
    selectors.incident_get(actor=_actor(request), incident_id=incident_id)
    if form.is_valid():
        act(request, lambda: call(form.cleaned_data), done)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("operations:incident", incident_id=incident_id)


@page
@require_POST
def incident_note(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = _actor(request)
    return _incident_action(request, incident_id, NoteForm(request.POST),
        lambda d: services.incident_note(actor=actor, incident_id=incident_id, text=d["text"]),
        _("The note was added."))  # fmt: skip


@page
@require_POST
def incident_respond(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = _actor(request)
    return _incident_action(request, incident_id, RespondForm(request.POST),
        lambda d: services.incident_respond(actor=actor, incident_id=incident_id, message=d["message"]),
        _("The answer was recorded; the response clocks stopped."))  # fmt: skip


@page
@require_POST
def incident_priority(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = _actor(request)
    return _incident_action(request, incident_id, PriorityForm(request.POST),
        lambda d: services.incident_set_priority(actor=actor, incident_id=incident_id, **d),
        _("The priority was changed; every clock was counted again from the start."))  # fmt: skip


@page
@require_POST
def incident_wait(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = _actor(request)
    incident = selectors.incident_get(actor=actor, incident_id=incident_id)
    agencies = [(c.organisation_id, c.organisation.name)
                for c in selectors.clocks_for(actor=actor, incident=incident)]  # fmt: skip
    return _incident_action(request, incident_id, WaitForm(request.POST, agencies=agencies),
        lambda d: services.incident_wait(actor=actor, incident_id=incident_id,
                                         organisation_id=d["organisation"], waiting=d["waiting"],
                                         reason=d["reason"]),
        _("The agency's clocks were changed."))  # fmt: skip


@page
@require_POST
def incident_major(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = _actor(request)
    return _incident_action(request, incident_id, MajorForm(request.POST),
        lambda d: services.incident_set_major(actor=actor, incident_id=incident_id, major=d["major"]),
        _("The major incident flag was saved."))  # fmt: skip


@page
@require_POST
def incident_parent(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = _actor(request)
    return _incident_action(request, incident_id, ParentForm(request.POST),
        lambda d: services.incident_set_parent(actor=actor, incident_id=incident_id,
                                               parent_id=d["parent"]),
        _("The parent incident was saved."))  # fmt: skip


@page
@require_POST
def incident_problem(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = _actor(request)
    incident = selectors.incident_get(actor=actor, incident_id=incident_id)
    problems = [(p.pk, p.title) for p in
                selectors.problem_list(actor=actor).filter(provider_id=incident.provider_id)]  # fmt: skip
    return _incident_action(request, incident_id, LinkProblemForm(request.POST, problems=problems),
        lambda d: services.incident_link_problem(actor=actor, incident_id=incident_id,
                                                 problem_id=d["problem"]),
        _("The problem link was saved."))  # fmt: skip


# --- problems -----------------------------------------------------------------------------------


@page
@require_http_methods(["GET", "POST"])
def problem_list(request: HttpRequest) -> HttpResponseBase:
    actor = _actor(request)
    choices = selectors.operated_services(actor=actor)
    return list_and_create(
        request,
        form=ProblemForm(request.POST or None, services=choices),
        create=(lambda d: services.problem_open(actor=actor, service_code=d["service"],
                                                title=d["title"])) if choices else None,
        done=_("The problem was opened."),
        to=lambda problem: redirect("operations:problem", problem_id=problem.pk),
        rows=selectors.problem_list(actor=actor),
        template="operations/problem_list.html",
    )  # fmt: skip


@page
@require_GET
def problem_detail(request: HttpRequest, problem_id: int) -> HttpResponse:
    actor = _actor(request)
    problem = selectors.problem_get(actor=actor, problem_id=problem_id)
    targets = [(s, str(ProblemState(s).label)) for s in sorted(PROBLEM_TRANSITIONS[problem.state])]
    context = {
        "nav": "operations",
        "problem": problem,
        "abilities": problem_abilities(actor=actor, problem=problem),
        "incidents": selectors.incident_list(actor=actor).filter(problem=problem)[:100],
        "known_form": KnownErrorForm(
            initial={"root_cause": problem.root_cause, "workaround": problem.workaround}
        ),
        "state_form": StateForm(states=targets) if targets else None,
    }
    return render(request, "operations/problem_detail.html", context)


@page
@require_POST
def problem_known_error(request: HttpRequest, problem_id: int) -> HttpResponse:
    actor = _actor(request)
    selectors.problem_get(actor=actor, problem_id=problem_id)
    form = KnownErrorForm(request.POST)
    if form.is_valid():
        act(request, lambda: services.problem_known_error(actor=actor, problem_id=problem_id,
                                                           **form.cleaned_data),
             _("The root cause and workaround were saved."))  # fmt: skip
    else:
        messages.error(request, _("Give both the root cause and the workaround."))
    return redirect("operations:problem", problem_id=problem_id)


@page
@require_POST
def problem_transition(request: HttpRequest, problem_id: int) -> HttpResponse:
    actor = _actor(request)
    selectors.problem_get(actor=actor, problem_id=problem_id)
    target = request.POST.get("state", "")
    act(request, lambda: services.problem_transition(actor=actor, problem_id=problem_id,
                                                      target=target),
         _("The problem's state was changed."))  # fmt: skip
    return redirect("operations:problem", problem_id=problem_id)


# --- changes ------------------------------------------------------------------------------------


@page
@require_http_methods(["GET", "POST"])
def change_list(request: HttpRequest) -> HttpResponseBase:
    actor = _actor(request)
    choices = selectors.operated_services(actor=actor)

    def create(d: dict[str, Any]) -> Any:
        return services.change_create(actor=actor, service_code=d["service"], kind=d["kind"],
            title=d["title"], window_start=d["window_start"], window_end=d["window_end"],
            description=d["description"], fallback=d["fallback"])  # fmt: skip

    return list_and_create(
        request,
        form=ChangeForm(request.POST or None, services=choices),
        create=create if choices else None,
        done=_("The change was recorded."),
        to=lambda change: redirect("operations:change", change_id=change.pk),
        rows=selectors.change_list(actor=actor),
        template="operations/change_list.html",
    )


@page
@require_GET
def change_detail(request: HttpRequest, change_id: int) -> HttpResponse:
    actor = _actor(request)
    change = selectors.change_get(actor=actor, change_id=change_id)
    abilities = change_abilities(actor=actor, change=change)
    targets = [(s, str(ChangeState(s).label)) for s in sorted(CHANGE_TRANSITIONS[change.state])]
    context = {
        "nav": "operations",
        "change": change,
        "abilities": abilities,
        "state_form": StateForm(states=targets) if targets and abilities["work"] else None,
        "window_form": WindowForm(
            initial={"window_start": change.window_start, "window_end": change.window_end}
        ),
    }
    return render(request, "operations/change_detail.html", context)


@page
@require_POST
def change_transition(request: HttpRequest, change_id: int) -> HttpResponse:
    actor = _actor(request)
    selectors.change_get(actor=actor, change_id=change_id)
    target = request.POST.get("state", "")
    act(request, lambda: services.change_transition(actor=actor, change_id=change_id,
                                                     target=target),
         _("The change's state was changed."))  # fmt: skip
    return redirect("operations:change", change_id=change_id)


@page
@require_POST
def change_reschedule(request: HttpRequest, change_id: int) -> HttpResponse:
    actor = _actor(request)
    selectors.change_get(actor=actor, change_id=change_id)
    form = WindowForm(request.POST)
    if form.is_valid():
        act(request, lambda: services.change_reschedule(actor=actor, change_id=change_id,
                                                         **form.cleaned_data),
             _("The maintenance window was moved."))  # fmt: skip
    else:
        messages.error(request, _("Give when the window starts and ends."))
    return redirect("operations:change", change_id=change_id)
