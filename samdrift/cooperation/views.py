"""Pages of the DSAM evaluations, under /cooperation/ (ADR 0963): thin — call a selector or a
service, render. Who sees and changes what is decided in `permissions` and `selectors`; a draft
that is not the actor's is the same 404 as an address that does not exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, ValidationFailed, submit_form
from samdrift.core.i18n import page_language

from . import selectors, services
from .choices import Grade, Verdict
from .forms import DecisionForm
from .parsing import parse_catalogue
from .permissions import cooperation_abilities, decision_abilities
from .report import render_report

MAX_UPLOAD = 2 * 1024 * 1024


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


def _home(request: HttpRequest, error: Any = None, status: int = 200) -> HttpResponse:
    actor = _actor(request)
    context = {
        "nav": "cooperation",
        "evaluations": selectors.evaluation_list(actor=actor),
        "catalogues": selectors.catalogue_list(actor=actor),
        "abilities": cooperation_abilities(actor=actor),
        "owners": selectors.owner_choices(actor=actor),
        "editable_catalogues": selectors.editable_catalogues(actor=actor),
        "error": error,
    }
    return render(request, "cooperation/home.html", context, status=status)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return _home(request)


@login_required
@require_POST
def catalogue_import(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    upload = request.FILES.get("file")
    try:
        if upload is None or upload.size is None or upload.size > MAX_UPLOAD:
            raise ValidationFailed(
                _("Choose a CSV or JSON file of at most 2 MB."), errors={"file": [_("Required.")]}
            )
        suffix = Path(upload.name or "").suffix.lower().lstrip(".")
        parsed = parse_catalogue(upload.read(), suffix)
        owners = [org_id for org_id, _name in selectors.owner_choices(actor=actor)]
        owner = _int(request.POST.get("owner")) or (owners[0] if owners else 0)
        catalogue = services.import_catalogue(
            actor=actor, owner_id=owner, parsed=parsed,
            code=request.POST.get("code", ""), name=request.POST.get("name", ""),
        )  # fmt: skip
    except NotFound:
        raise Http404 from None
    except ValidationFailed as refused:
        return _home(request, refused, 422)
    return redirect("cooperation:catalogue", code=catalogue.code)


@login_required
@require_POST
def evaluation_create(request: HttpRequest) -> HttpResponse:
    try:
        evaluation = services.create_evaluation(
            actor=_actor(request), catalogue_code=request.POST.get("catalogue", ""),
            code=request.POST.get("code", ""), title=request.POST.get("title", ""),
        )  # fmt: skip
    except NotFound:
        raise Http404 from None
    except ValidationFailed as refused:
        return _home(request, refused, 422)
    return redirect("cooperation:evaluation", code=evaluation.code)


@login_required
@require_GET
def catalogue(request: HttpRequest, code: str) -> HttpResponse:
    try:
        found = selectors.catalogue_get(actor=_actor(request), code=code)
    except NotFound:
        raise Http404 from None
    context = {"nav": "cooperation", "catalogue": found,
               "requirements": selectors.requirements(found)}  # fmt: skip
    return render(request, "cooperation/catalogue.html", context)


def _evaluation(
    request: HttpRequest, code: str, error: Any = None, status: int = 200
) -> HttpResponse:
    try:
        table = selectors.comparison(actor=_actor(request), code=code)
    except NotFound:
        raise Http404 from None
    context = {
        "nav": "cooperation",
        "table": table,
        "grades": Grade,
        "verdicts": Verdict.choices,
        "error": error,
        "report_url": reverse("cooperation:report", kwargs={"code": table.evaluation.code}),
    }
    return render(request, "cooperation/evaluation.html", context, status=status)


@login_required
@require_GET
def evaluation(request: HttpRequest, code: str) -> HttpResponse:
    return _evaluation(request, code)


@login_required
@require_GET
def report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The evaluation's accessible PDF report, in the reader's language."""
    try:
        table = selectors.comparison(actor=_actor(request), code=code)
    except NotFound:
        raise Http404 from None
    data = render_report(table, page_language())
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="dsam-{table.evaluation.pk}.pdf"'
    return response


def _write(request: HttpRequest, code: str, action: Any) -> HttpResponse:
    try:
        action()
    except NotFound:
        raise Http404 from None
    except ValidationFailed as refused:
        return _evaluation(request, code, refused, 422)
    return redirect("cooperation:evaluation", code=code)


@login_required
@require_POST
def solution_add(request: HttpRequest, code: str) -> HttpResponse:
    return _write(request, code, lambda: services.add_solution(
        actor=_actor(request), evaluation_code=code, name=request.POST.get("name", ""),
        description=request.POST.get("description", ""),
    ))  # fmt: skip


@login_required
@require_POST
def assess(request: HttpRequest, code: str) -> HttpResponse:
    return _write(request, code, lambda: services.assess(
        actor=_actor(request), evaluation_code=code,
        solution_id=_int(request.POST.get("solution")),
        requirement_ref=request.POST.get("requirement", ""),
        verdict=request.POST.get("verdict", ""), evidence=request.POST.get("evidence", ""),
    ))  # fmt: skip


@login_required
@require_POST
def publish(request: HttpRequest, code: str) -> HttpResponse:
    return _write(
        request, code, lambda: services.publish(actor=_actor(request), evaluation_code=code)
    )


# --- steering group decisions (ADR 0972) ------------------------------------------------------


def _decision_form(request: HttpRequest, data: Any = None) -> DecisionForm:
    actor = _actor(request)
    return DecisionForm(
        data,
        recorders=selectors.decision_recorder_choices(actor=actor),
        providers=selectors.decision_provider_choices(actor=actor),
    )


def _decisions(request: HttpRequest, form: DecisionForm, status: int = 200) -> HttpResponse:
    actor = _actor(request)
    context = {
        "nav": "cooperation",
        "decisions": selectors.decision_list(actor=actor),
        "abilities": decision_abilities(actor=actor),
        "form": form,
    }
    return render(request, "cooperation/decisions.html", context, status=status)


@login_required
@require_GET
def decisions(request: HttpRequest) -> HttpResponse:
    return _decisions(request, _decision_form(request))


@login_required
@require_POST
def decision_record(request: HttpRequest) -> HttpResponse:
    form = _decision_form(request, request.POST)
    recorded: list[Any] = []

    def record() -> None:
        data = form.cleaned_data
        made = services.decision_record(
            actor=_actor(request), recorded_for=data["recorded_for"], body=data["body"],
            reference=data["reference"], decided_on=data["decided_on"], title=data["title"],
            text=data["text"], provider_ids=data["providers"],
        )  # fmt: skip
        recorded.append(made)

    try:
        if submit_form(form, record):
            return redirect("cooperation:decision", decision_id=recorded[0].pk)
    except NotFound:
        raise Http404 from None
    return _decisions(request, form, 422)


@login_required
@require_GET
def decision(request: HttpRequest, decision_id: int) -> HttpResponse:
    try:
        found = selectors.decision_get(actor=_actor(request), decision_id=decision_id)
    except NotFound:
        raise Http404 from None
    return render(request, "cooperation/decision.html", {"nav": "cooperation", "decision": found})
