"""Pages of the responsibility matrices and of routing an incident by them (ADR 0845), under
/operations/matrices/ and /operations/incidents/ID/: thin, the rules are `services.raci`,
`matrices` and `permissions`."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samdrift.core.exceptions import DomainError, NotFound
from samdrift.core.paging import paginate

from . import matrices, selectors, services
from .forms import EscalateForm, MatrixForm, RouteForm
from .permissions import matrix_abilities
from .views import _actor, _form_error, page


@page
@require_http_methods(["GET", "POST"])
def matrix_list(request: HttpRequest) -> HttpResponse:
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
    form = MatrixForm(request.POST or None, services=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            matrix = services.matrix_draft(actor=actor, service_code=form.cleaned_data["service"],
                name=form.cleaned_data["name"], effective_from=form.cleaned_data["effective_from"],
                text=form.cleaned_data["text"], note=form.cleaned_data["note"])  # fmt: skip
        except NotFound:
            raise
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The draft was saved. Publish it when it is complete."))
            return redirect("operations:matrix", matrix_id=matrix.pk)
    paged = paginate(matrices.matrix_list(actor=actor), params=request.GET)
    context = {**paged.context(), "nav": "operations", "form": form if choices else None}
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "operations/matrix_list.html", context, status=status)


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
    try:
        services.matrix_publish(actor=actor, matrix_id=matrix_id)
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The version was published; it takes effect on its date."))
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
    try:
        services.incident_route(
            actor=actor, incident_id=incident_id, function=form.cleaned_data["function"]
        )
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The incident was routed to the function's parties."))
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
    try:
        services.incident_escalate(
            actor=actor, incident_id=incident_id, reason=form.cleaned_data["reason"]
        )
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The accountable party was told."))
    return redirect("operations:incident", incident_id=incident_id)
