"""Pages of an incident's legal reporting (ADR 0844): classify, record a report, download it as
text or accessible PDF. Thin: the rules are `services.legal` and `legal` (reading)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samdrift.core.exceptions import DomainError, NotFound, ValidationFailed
from samdrift.core.i18n import page_language

from . import deadlines, legal, legal_document, selectors, services
from .forms import ClassifyForm, LegalReportForm
from .views import _actor, _form_error, page


def regime_choices(language: str) -> list[tuple[str, str]]:
    return [(code, deadlines.regime_label(code, language)) for code in deadlines.regime_codes()]


@page
@require_POST
def classify(request: HttpRequest, incident_id: int) -> HttpResponse:
    actor = _actor(request)
    incident = selectors.incident_get(actor=actor, incident_id=incident_id)
    legal.legal_rows(actor=actor, incident=incident)  # NotFound unless the actor may
    form = ClassifyForm(request.POST, regimes=regime_choices(get_language() or "sv"))
    if not form.is_valid():
        messages.error(request, _("Choose among the regimes shown."))
        return redirect("operations:incident", incident_id=incident_id)
    try:
        services.incident_classify(
            actor=actor,
            incident_id=incident_id,
            regimes=form.cleaned_data["regimes"],
            aware_at=form.cleaned_data["aware_at"] or None,
        )
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The legal reporting of the incident was saved."))
    return redirect("operations:incident", incident_id=incident_id)


def _key(regime: str, code: str, customer: int | None) -> str:
    return deadlines.deadline_key(regime, code, customer)


@page
@require_http_methods(["GET", "POST"])
def report(
    request: HttpRequest, incident_id: int, regime: str, code: str, customer: int | None = None
) -> HttpResponse:
    actor = _actor(request)
    language = page_language()
    incident = selectors.incident_get(actor=actor, incident_id=incident_id)
    row = legal.legal_row(actor=actor, incident=incident, key=_key(regime, code, customer))
    items = [(item.key, item.text(language)) for item in row.deadline.checklist]
    initial = {f"item_{k}": v for k, v in legal.prefill(row, incident, language).items()}
    form = LegalReportForm(request.POST or None, items=items, initial=initial)
    if request.method == "POST" and row.report is None and form.is_valid():
        try:
            services.legal_report_record(
                actor=actor,
                incident_id=incident_id,
                key=row.key,
                content=form.content(),
                reference=form.cleaned_data["reference"],
                met_at=form.cleaned_data["met_at"] or None,
            )
        except NotFound:
            raise
        except DomainError as error:
            if isinstance(error, ValidationFailed) and error.errors:
                error.errors = {f"item_{k}": v for k, v in error.errors.items()} | {
                    k: v for k, v in error.errors.items() if k in form.fields
                }
            _form_error(form, error)
        else:
            messages.success(request, _("The report was recorded as made."))
            return redirect("operations:incident", incident_id=incident_id)
    status = 422 if form.is_bound and form.errors else 200
    context = {
        "nav": "operations",
        "incident": incident,
        "row": row,
        "label": row.deadline.label(language),
        "regime": deadlines.regime_label(row.deadline.regime, language),
        "items": [(label, row.report.content.get(key, "")) for key, label in items]
        if row.report
        else [],
        "form": form,
    }
    return render(request, "operations/legal_report.html", context, status=status)


@page
@require_GET
def download(
    request: HttpRequest,
    incident_id: int,
    regime: str,
    code: str,
    fmt: str,
    customer: int | None = None,
) -> HttpResponse:
    if fmt not in ("pdf", "txt"):
        raise NotFound("format")
    actor = _actor(request)
    language = request.GET.get("language") or page_language()
    if language not in ("sv", "en"):
        language = "sv"
    incident = selectors.incident_get(actor=actor, incident_id=incident_id)
    row = legal.legal_row(actor=actor, incident=incident, key=_key(regime, code, customer))
    name = f"INC{incident.pk}-{row.key.replace('/', '-').replace(':', '-')}-{language}"
    if fmt == "pdf":
        response = HttpResponse(
            legal_document.render_pdf(actor, row, incident, language),
            content_type="application/pdf",
        )
    else:
        response = HttpResponse(
            legal_document.render_text(actor, row, incident, language),
            content_type="text/plain; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
