"""Pages of service operations, under /operations/: thin — parse, call a selector or service,
render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samdrift.core.actor import Actor
from samdrift.core.exceptions import DomainError, NotFound, ValidationFailed
from samdrift.core.paging import paginate
from samdrift.organisations.selectors import visible_organisations

from . import selectors, services
from .choices import IncidentState
from .forms import ReportForm, TransitionForm
from .permissions import incident_abilities


def page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Logged in; a missing and a forbidden object are the same 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None

    return wrapper


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def _form_error(form: Any, error: DomainError) -> None:
    if isinstance(error, ValidationFailed) and error.errors:
        for field, texts in error.errors.items():
            for text in texts:
                form.add_error(field if field in form.fields else None, text)
    form.add_error(None, str(error))


@page
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    state = request.GET.get("state", "")
    if state not in IncidentState.values:
        state = ""
    paged = paginate(selectors.incident_list(actor=actor, state=state), params=request.GET)
    context = {
        **paged.context(),
        "nav": "operations",
        "state": state,
        "states": IncidentState.choices,
    }
    return render(request, "operations/incident_list.html", context)


@page
@require_http_methods(["GET", "POST"])
def incident_report(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    own = actor.member_org_ids
    organisations = [(org.id, org.name) for org in visible_organisations(actor).filter(id__in=own)]
    form = ReportForm(
        request.POST or None,
        services=selectors.reportable_services(actor=actor),
        organisations=organisations,
    )
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_open(
                actor=actor,
                service_code=form.cleaned_data["service"],
                organisation_id=form.cleaned_data["organisation"],
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                impact=form.cleaned_data["impact"],
                urgency=form.cleaned_data["urgency"],
            )
        except NotFound:
            raise
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The incident was reported."))
            return redirect("operations:incident", incident_id=incident.id)
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "operations/incident_report.html",
        {"nav": "operations", "form": form},
        status=status,
    )


@page
@require_GET
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = _actor(request)
    incident = selectors.incident_get(actor=actor, incident_id=incident_id)
    abilities = incident_abilities(
        actor=actor, incident=incident, affected_org_ids=selectors.affected_org_ids(incident)
    )
    context = {
        "nav": "operations",
        "incident": incident,
        "abilities": abilities,
        "clocks": selectors.clocks_for(actor=actor, incident=incident),
        "events": selectors.events_for(actor=actor, incident=incident),
        "transition_form": TransitionForm(),
    }
    return render(request, "operations/incident_detail.html", context)


@page
@require_POST
def incident_transition(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = _actor(request)
    selectors.incident_get(actor=actor, incident_id=incident_id)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.incident_transition(
                actor=actor, incident_id=incident_id, target=form.cleaned_data["state"]
            )
        except NotFound:
            raise
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The incident's state was changed."))
    else:
        messages.error(request, _("Choose a state."))
    return redirect("operations:incident", incident_id=incident_id)
