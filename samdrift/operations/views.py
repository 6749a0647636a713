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
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samdrift.core.actor import Actor
from samdrift.core.charts import Series, bar_chart
from samdrift.core.exceptions import DomainError, NotFound, ValidationFailed
from samdrift.core.paging import paginate
from samdrift.organisations.selectors import visible_organisations

from . import deadlines, legal, matrices, selectors, services
from .choices import IncidentState, ProblemState
from .forms import (
    ClassifyForm,
    EscalateForm,
    LinkProblemForm,
    MajorForm,
    NoteForm,
    OutageForm,
    ParentForm,
    PriorityForm,
    ReportForm,
    RespondForm,
    RouteForm,
    TransitionForm,
    WaitForm,
)
from .permissions import incident_abilities, may_record_outage, sees_provider_work


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


def act(request: HttpRequest, call: Callable[[], Any], done: str) -> None:
    """Run one service call; its refusal becomes the page's error message."""
    try:
        call()
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)


def list_and_create(
    request: HttpRequest,
    *,
    form: Any,
    create: Callable[[dict[str, Any]], Any] | None,
    done: str,
    to: Callable[[Any], HttpResponseBase],
    rows: Any,
    template: str,
) -> HttpResponseBase:
    """The shape of a list page with a form that creates one more (problems, changes, matrix
    versions): the service's refusal goes on the form (422), success redirects to the new one.
    `create` is None when the actor may not create: the form is then not shown."""
    if request.method == "POST" and create is not None and form.is_valid():
        try:
            created = create(form.cleaned_data)
        except NotFound:
            raise
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, done)
            return to(created)
    paged = paginate(rows, params=request.GET)
    context = {**paged.context(), "nav": "operations", "form": form if create else None}
    status = 422 if form.is_bound and form.errors else 200
    return render(request, template, context, status=status)


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
        "user_is_provider_staff": sees_provider_work(actor),
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
        {"nav": "operations", "form": form, "intake": selectors.intake_addresses(actor=actor)},
        status=status,
    )


@page
@require_GET
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = _actor(request)
    incident = selectors.incident_get(actor=actor, incident_id=incident_id)
    abilities = incident_abilities(
        actor=actor,
        incident=incident,
        affected_org_ids=selectors.affected_org_ids(incident),
        party_roles=selectors.party_roles(incident),
    )
    context = {
        "nav": "operations",
        "incident": incident,
        "abilities": abilities,
        "parties": selectors.incident_parties(incident),
        "clocks": selectors.clocks_for(actor=actor, incident=incident),
        "events": selectors.events_for(actor=actor, incident=incident),
        "transition_form": TransitionForm(),
    }
    if abilities["work"] or abilities["link"] or abilities["declare_major"]:
        context.update(incident_forms(actor=actor, incident=incident))
    elif abilities["note"]:
        context["note_form"] = NoteForm()
    if abilities["route"]:
        functions = matrices.route_choices(service_id=incident.service_id, on=timezone.localdate())
        context["route_form"] = RouteForm(
            functions=functions, initial={"function": incident.function}
        )
    if abilities["escalate"]:
        context["escalate_form"] = EscalateForm()
    if abilities["legal"]:
        language = get_language() or "sv"
        context["legal_rows"] = legal.legal_rows(actor=actor, incident=incident)
        context["classify_form"] = ClassifyForm(
            regimes=[(c, deadlines.regime_label(c, language)) for c in deadlines.regime_codes()],
            initial={"regimes": incident.regimes},
        )
        context["regime_labels"] = [deadlines.regime_label(c, language) for c in incident.regimes]
    return render(request, "operations/incident_detail.html", context)


def incident_forms(*, actor: Any, incident: Any) -> dict[str, Any]:
    """The forms the incident page shows an operator (the page asks `abilities` which)."""
    agencies = [(c.organisation_id, c.organisation.name)
                for c in selectors.clocks_for(actor=actor, incident=incident)]  # fmt: skip
    problems = [(p.pk, f"PRB{p.pk} {p.title}")
                for p in selectors.problem_list(actor=actor).filter(provider_id=incident.provider_id)
                .exclude(state=ProblemState.CLOSED)[:200]]  # fmt: skip
    return {
        "note_form": NoteForm(),
        "respond_form": RespondForm(),
        "priority_form": PriorityForm(
            initial={"impact": incident.impact, "urgency": incident.urgency}
        ),
        "wait_form": WaitForm(agencies=agencies) if agencies else None,
        "major_form": MajorForm(initial={"major": "0" if incident.major else "1"}),
        "parent_form": ParentForm(initial={"parent": incident.parent_id}),
        "problem_form": LinkProblemForm(
            problems=problems, initial={"problem": incident.problem_id}
        ),
    }


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


# --- availability and outages (issue 16 item 3, ADR 0830) -------------------------------------


def _year_param(request: HttpRequest) -> int:
    try:
        return selectors.check_year(request.GET.get("year") or timezone.localdate().year)
    except ValidationFailed:
        return timezone.localdate().year


def availability_chart(rows: list[selectors.ServiceAvailability], *, title: str) -> Any:
    """Measured availability against the agreed target, one pair of bars per row (ADR 0006/0048);
    the page's table beside it holds the same figures."""
    return bar_chart(
        title=title,
        description=_("Measured availability and the agreed target, in per cent."),
        categories=[f"{r.code} {r.name}"[:60] for r in rows],
        series=[
            Series(_("Measured"), [round(r.percent or 0.0, 3) for r in rows]),
            Series(_("Agreed target"), [r.target for r in rows]),
        ],
        format_value=lambda v: f"{v:.3f} %",
    )


def _availability_context(rows: list[selectors.ServiceAvailability], title: str) -> dict[str, Any]:
    measured = [r for r in rows if r.percent is not None]
    return {
        "rows": rows,
        "chart": availability_chart(measured, title=title) if measured else None,
    }


@page
@require_GET
def availability(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    year = _year_param(request)
    rows = selectors.availability_overview(actor=actor, year=year, language=get_language() or "sv")
    title = _("Availability per service in %(year)s against the agreed target") % {"year": year}
    context = {
        "nav": "operations",
        "year": year,
        "title": title,
        "own_agencies": visible_organisations(actor).filter(id__in=actor.member_org_ids),
        **_availability_context(rows, title),
    }
    return render(request, "operations/availability.html", context)


@page
@require_GET
def availability_service(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    year = _year_param(request)
    overall, per_agency = selectors.availability_service(
        actor=actor, code=code.upper(), year=year, language=get_language() or "sv"
    )
    title = _("Availability of %(service)s per agency in %(year)s") % {
        "service": overall.code,
        "year": year,
    }
    outages = selectors.outage_list(actor=actor, service_code=overall.code)[:50]
    context = {
        "nav": "operations",
        "year": year,
        "title": title,
        "overall": overall,
        "outages": outages,
        "may_record": may_record_outage(actor=actor, provider_id=overall.provider_id),
        "form": OutageForm(initial={"service_code": overall.code}),
        **_availability_context(per_agency, title),
    }
    return render(request, "operations/availability_service.html", context)


@page
@require_GET
def availability_agency(request: HttpRequest, agency_id: int) -> HttpResponse:
    actor = _actor(request)
    year = _year_param(request)
    agency, rows = selectors.availability_agency(
        actor=actor, agency_id=agency_id, year=year, language=get_language() or "sv"
    )
    title = _("Availability of %(agency)s's services in %(year)s against the agreed target") % {
        "agency": agency.name,
        "year": year,
    }
    context = {"nav": "operations", "year": year, "title": title, "agency": agency}
    return render(
        request,
        "operations/availability_agency.html",
        {**context, **_availability_context(rows, title)},
    )


@page
@require_POST
def outage_record(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = OutageForm(request.POST)
    code = (request.POST.get("service_code") or "").strip().upper()
    if form.is_valid():
        try:
            services.outage_record(actor=actor, **form.cleaned_data)
        except NotFound:
            raise
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The outage was recorded."))
    else:
        messages.error(request, _("Fill in the service, a summary and when the outage started."))
    if code and selectors.availability_services(actor=actor).filter(code=code).exists():
        return redirect("operations:availability_service", code=code)
    return redirect("operations:availability")


@page
@require_POST
def outage_end(request: HttpRequest, outage_id: int) -> HttpResponse:
    actor = _actor(request)
    outage = selectors.outage_get(actor=actor, outage_id=outage_id)
    try:
        services.outage_end(actor=actor, outage_id=outage_id, ended_at=request.POST.get("ended_at"))
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The outage was ended."))
    return redirect("operations:availability_service", code=outage.service.code)


# --- status pages (issue 16 item 4, ADR 0832) --------------------------------------------------


@require_GET
def status_list(request: HttpRequest) -> HttpResponse:
    """Public: every service's status now, without any agency's data."""
    rows = selectors.status_services(language=get_language() or "sv")
    context = {"nav": "operations", "rows": rows, "components": selectors.status_components()}
    return render(request, "operations/status_list.html", context)


@require_GET
def status_service(request: HttpRequest, code: str) -> HttpResponse:
    """Public summary of one service; after login, for the agencies that use it (and its
    provider's staff), the outages' texts and the own agencies' availability, followed live."""
    language = get_language() or "sv"
    try:
        status = selectors.status_page(code=code.upper(), language=language)
    except NotFound:
        raise Http404 from None
    year = timezone.localdate().year
    detailed, rows, topic_key = selectors.status_detail(
        actor=_actor(request), page=status, year=year, language=language
    )
    context = {
        "nav": "operations",
        "page": status,
        "detailed": detailed,
        "rows": rows,
        "year": year,
        "topic_key": topic_key,
    }
    return render(request, "operations/status_service.html", context)
