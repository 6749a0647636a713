"""Pages of the yearly report: read it, download it as tagged PDF, edit its prose."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samdrift.audit.services import audit_read
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from samdrift.core.i18n import page_language
from samdrift.core.jobs.origin import queued_by

from . import tasks
from .documents import render_pdf, report_context
from .forms import ReportDecisionForm, ReportTextForm
from .permissions import may_sign_report, report_abilities
from .selectors import (
    check_year,
    decision_get,
    decision_officials,
    government_report,
    report_signature,
    report_text_get,
    report_years,
    signed_report_pdf,
)
from .services import TEXT_FIELDS, report_decision_save, report_sign_start, report_text_save


def _pdf_download(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _year_or_404(year: int) -> int:
    try:
        return check_year(year)
    except ValidationFailed:
        raise Http404 from None


@login_required
@require_GET
def report_index(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    try:
        years = report_years(actor=actor)
    except NotFound:
        raise Http404 from None
    return render(request, "reporting/index.html", {"nav": "reports", "years": years})


@login_required
@require_GET
def government_report_page(request: HttpRequest, year: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    year = _year_or_404(year)
    try:
        report = government_report(actor=actor, year=year, language=page_language())
    except NotFound:
        raise Http404 from None
    signature = report_signature(actor=actor, year=year)
    decision = report.decision
    context: dict[str, Any] = {
        **report_context(report),
        "nav": "reports",
        "abilities": report_abilities(actor=actor),
        "signature": signature,
        "may_sign": may_sign_report(
            actor=actor,
            decided_by_id=decision.decided_by_id if decision else None,
            sealed=signature is not None,
        ),
    }
    return render(request, "reporting/report_page.html", context)


@login_required
@require_POST
def report_sign(request: HttpRequest, year: int) -> HttpResponse:
    """File the report with EFOS and send the deciding official on to sign it there."""
    actor = request.actor  # type: ignore[attr-defined]
    year = _year_or_404(year)
    try:
        document_id = report_sign_start(actor=actor, year=year)
    except NotFound:
        raise Http404 from None
    except (BusinessRuleViolation, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return redirect("reporting:government", year=year)
    return redirect("efos:document_detail", document_id=document_id)


@login_required
@require_GET
def signed_report_download(request: HttpRequest, year: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    year = _year_or_404(year)
    try:
        body = signed_report_pdf(actor=actor, year=year)
    except NotFound:
        raise Http404 from None
    audit_read(actor=actor, access="download", object_type="reporting.signedreport",
               object_id=year, detail={"format": "pdf"})  # fmt: skip
    return _pdf_download(body, f"regeringsrapport-{year}-signerad.pdf")


@login_required
@require_GET
def government_report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    year = _year_or_404(year)
    language = "en" if request.GET.get("lang") == "en" else "sv"  # the PDF is Swedish unless asked
    try:
        report = government_report(actor=actor, year=year, language=language)
    except NotFound:
        raise Http404 from None
    body = render_pdf(report)
    audit_read(actor=actor, access="export", object_type="reporting.governmentreport",
               object_id=year, detail={"format": "pdf", "language": language})  # fmt: skip
    name = f"regeringsrapport-{year}.pdf" if language == "sv" else f"government-report-{year}.pdf"
    return _pdf_download(body, name)


@login_required
@require_POST
def government_report_pdf_prepare(request: HttpRequest, year: int) -> HttpResponse:
    """Queue the PDF as a background job and show the job (its result links the file)."""
    actor = request.actor  # type: ignore[attr-defined]
    year = _year_or_404(year)
    if not report_abilities(actor=actor)["download"]:
        raise Http404
    language = "en" if request.POST.get("lang") == "en" else "sv"
    with queued_by(
        actor,
        agency_id=min(actor.provider_org_ids, default=None),
        label=_("Government report %(year)s (PDF)") % {"year": year},
    ):
        job = tasks.render_government_pdf.enqueue(
            user_id=actor.user_id, year=year, language=language
        )
    if job.is_finished:  # an immediate backend (tests) has rendered and stored it already
        return redirect("reporting:government", year=year)
    return redirect("jobs:detail", job_id=int(job.id))


@login_required
@require_http_methods(["GET", "POST"])
def report_text_edit(request: HttpRequest, year: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    year = _year_or_404(year)
    abilities = report_abilities(actor=actor)
    if not abilities["view"]:
        raise Http404
    if not abilities["edit_text"]:
        raise DjangoPermissionDenied
    row = report_text_get(actor=actor, year=year)
    if request.method == "POST":
        form = ReportTextForm(request.POST)
        if form.is_valid():
            try:
                report_text_save(
                    actor=actor,
                    year=year,
                    texts={name: form.cleaned_data[name] for name in TEXT_FIELDS},
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationFailed as exc:
                for field, errors in exc.errors.items():
                    for error in errors:
                        form.add_error(None if field == "__all__" else field, error)
            except (BusinessRuleViolation, PermissionDenied) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The report text was saved."))
                return redirect("reporting:government", year=year)
    else:
        initial: dict[str, Any] = {name: getattr(row, name) for name in TEXT_FIELDS} if row else {}
        initial["version"] = row.version if row else None
        form = ReportTextForm(initial=initial)
    return render(
        request, "reporting/text_form.html", {"nav": "reports", "form": form, "year": year}
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_decision_edit(request: HttpRequest, year: int) -> HttpResponse:
    """Record who decided the report, who presented it, when, and the reference (ADR 0514)."""
    actor = request.actor  # type: ignore[attr-defined]
    year = _year_or_404(year)
    abilities = report_abilities(actor=actor)
    if not abilities["view"]:
        raise Http404
    if not abilities["decide"]:
        raise DjangoPermissionDenied
    officials = decision_officials(actor=actor)
    if request.method == "POST":
        form = ReportDecisionForm(request.POST, officials=officials)
        if form.is_valid():
            try:
                report_decision_save(actor=actor, year=year, **form.cleaned_data)
            except ValidationFailed as exc:
                for field, errors in exc.errors.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            except (BusinessRuleViolation, PermissionDenied) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The decision was saved."))
                return redirect("reporting:government", year=year)
    else:
        current = decision_get(actor=actor, year=year)
        initial: dict[str, Any] = (
            {
                "reference": current.reference,
                "decided_on": current.decided_on,
                "decided_by": current.decided_by_id,
                "presented_by": current.presented_by_id,
            }
            if current
            else {}
        )
        form = ReportDecisionForm(initial=initial, officials=officials)
    return render(
        request, "reporting/decision_form.html", {"nav": "reports", "form": form, "year": year}
    )
