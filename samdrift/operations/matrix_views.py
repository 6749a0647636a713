"""Pages of the responsibility matrices and of routing an incident by them (ADR 0845), under
/operations/matrices/ and /operations/incidents/ID/: thin, the rules are `services.raci`,
`matrices` and `permissions`."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import matrices, selectors, services
from .forms import EscalateForm, MatrixForm, RouteForm
from .permissions import matrix_abilities
from .views import _actor, act, list_and_create, page


@page
@require_http_methods(["GET", "POST"])
def matrix_list(request: HttpRequest) -> HttpResponseBase:
    actor = _actor(request)
    choices = matrices.matrix_services(actor=actor)
    initial: dict[str, object] = {"effective_from": timezone.localdate()}
    source = request.GET.get("from", "")
    if source.isdigit():
        copied = matrices.matrix_get(actor=actor, matrix_id=int(source))
        initial |= {
            "service": copied.service.code,
            "name": copied.name,
            "text": matrices.matrix_table(copied).text,
        }
    return list_and_create(
        request,
        form=MatrixForm(request.POST or None, services=choices, initial=initial),
        create=(lambda d: services.matrix_draft(actor=actor, service_code=d["service"],
            name=d["name"], effective_from=d["effective_from"], text=d["text"],
            note=d["note"])) if choices else None,
        done=_("The draft was saved. Publish it when it is complete."),
        to=lambda matrix: redirect("operations:matrix", matrix_id=matrix.pk),
        rows=matrices.matrix_list(actor=actor),
        template="operations/matrix_list.html",
    )  # fmt: skip


@page
@require_GET
def matrix_detail(request: HttpRequest, matrix_id: int) -> HttpResponse:
    actor = _actor(request)
    matrix = matrices.matrix_get(actor=actor, matrix_id=matrix_id)
    context = {
        "nav": "operations",
        "matrix": matrix,
        "table": matrices.matrix_table(matrix),
        "abilities": matrix_abilities(actor=actor, matrix=matrix),
        "versions": matrices.versions_of(actor=actor, service_id=matrix.service_id),
        "in_effect": matrices.matrix_in_effect(
            service_id=matrix.service_id, on=timezone.localdate()
        ),
    }
    return render(request, "operations/matrix_detail.html", context)


@page
@require_POST
def matrix_publish(request: HttpRequest, matrix_id: int) -> HttpResponse:
    actor = _actor(request)
    matrices.matrix_get(actor=actor, matrix_id=matrix_id)
    act(request, lambda: services.matrix_publish(actor=actor, matrix_id=matrix_id),
        _("The version was published; it takes effect on its date."))  # fmt: skip
    return redirect("operations:matrix", matrix_id=matrix_id)


@page
@require_POST
def incident_route(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = _actor(request)
    incident = selectors.incident_get(actor=actor, incident_id=incident_id)
    functions = matrices.route_choices(service_id=incident.service_id, on=timezone.localdate())
    form = RouteForm(request.POST, functions=functions)
    if not form.is_valid():
        messages.error(request, _("Choose one of the matrix's functions."))
        return redirect("operations:incident", incident_id=incident_id)
    function = form.cleaned_data["function"]
    act(request, lambda: services.incident_route(actor=actor, incident_id=incident_id,
                                                 function=function),
        _("The incident was routed to the function's parties."))  # fmt: skip
    return redirect("operations:incident", incident_id=incident_id)


@page
@require_POST
def incident_escalate(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = _actor(request)
    selectors.incident_get(actor=actor, incident_id=incident_id)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the incident is escalated."))
        return redirect("operations:incident", incident_id=incident_id)
    reason = form.cleaned_data["reason"]
    act(request, lambda: services.incident_escalate(actor=actor, incident_id=incident_id,
                                                    reason=reason),
        _("The accountable party was told."))  # fmt: skip
    return redirect("operations:incident", incident_id=incident_id)
