"""Pages of security operations, under /security/ (ADR 0952): thin — call a selector, render.
Who sees which finding, and whether its location, is decided in `permissions` and `selectors`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from samdrift.core.actor import Actor
from samdrift.core.charts import Series, bar_chart
from samdrift.core.exceptions import DomainError, NotFound, errors_onto_form
from samdrift.core.paging import paginate
from samdrift.core.text import TextCheckedForm

from . import selectors
from .advisories import advisory_publish
from .advisory_document import csaf_products
from .cases import case_rows, security_case_set
from .choices import FindingStatus, InformationClass, SecurityCategory, Severity
from .dashboard import soc_dashboard
from .models import Component
from .permissions import security_abilities
from .services import ImportOutcome, import_upload

STATUS_LABELS = {
    "known_affected": gettext_lazy("Affected"),
    "fixed": gettext_lazy("Fixed"),
    "known_not_affected": gettext_lazy("Not affected"),
}


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


@login_required
@require_GET
def findings(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    chosen = {
        "severity": request.GET.get("severity", "") if request.GET.get("severity", "") in Severity.values else "",
        "status": request.GET.get("status", "") if request.GET.get("status", "") in FindingStatus.values else "",
        "search": request.GET.get("q", "").strip()[:100],
    }  # fmt: skip
    rows, total = selectors.finding_rows(
        actor=actor, severity=chosen["severity"], status=chosen["status"], search=chosen["search"]
    )
    context = {
        "nav": "security",
        "rows": rows,
        "total": total,
        "chosen": chosen,
        "severities": Severity.choices,
        "statuses": FindingStatus.choices,
        "abilities": security_abilities(actor=actor),
    }
    return render(request, "security/findings.html", context)


@login_required
@require_GET
def finding(request: HttpRequest, finding_id: int) -> HttpResponse:
    """One finding: what it is, its deadline, where it reaches and the advisories about it."""
    try:
        detail = selectors.finding_detail(actor=_actor(request), finding_id=finding_id)
    except NotFound:
        raise Http404 from None
    context = {"nav": "security", "detail": detail, "finding": detail.finding}
    return render(request, "security/finding.html", context)


class ImportForm(TextCheckedForm):
    """A scanner report for one of the SOC's own components."""

    component = forms.ChoiceField(
        label=gettext_lazy("Component"),
        error_messages={"invalid_choice": gettext_lazy("Choose one of your components.")},
    )
    file = forms.FileField(
        label=gettext_lazy("Report"),
        help_text=gettext_lazy("JSON or XML as the scanner wrote it."),
        error_messages={
            "required": gettext_lazy("Choose the report file."),
            "empty": gettext_lazy("The file is empty."),
        },
    )

    def __init__(self, *args: Any, components: Iterable[Component], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["component"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (c.name, f"{c.name} {c.version}".strip()) for c in components
        ]


@login_required
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    """The SOC imports a scanner report for a component; the reports imported so far."""
    actor = _actor(request)
    if not security_abilities(actor=actor)["import"]:
        raise Http404
    components = selectors.component_list(actor=actor)
    form = ImportForm(request.POST or None, request.FILES or None, components=components)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = import_upload(
                actor=actor, component_name=form.cleaned_data["component"],
                upload=form.cleaned_data["file"],
            )  # fmt: skip
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _outcome_text(outcome))
            return redirect("security:imports")
    paged = paginate(selectors.import_runs(actor=actor), params=request.GET)
    context = {**paged.context(), "nav": "security", "form": form}
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "security/imports.html", context, status=status)


def _outcome_text(outcome: ImportOutcome) -> str:
    if outcome.already_imported:
        return _("This report was imported already (%(when)s); nothing changed.") % {
            "when": date_format(
                timezone.localtime(outcome.run.imported_at), "SHORT_DATETIME_FORMAT"
            )
        }
    return _(
        "Imported: %(reported)s findings listed, %(created)s new, %(updated)s seen again, "
        "%(fixed)s no longer listed and marked fixed."
    ) % {"reported": outcome.reported, "created": outcome.created,
         "updated": outcome.updated, "fixed": outcome.fixed}  # fmt: skip


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The SOC's overview (ADR 0959): ages, deadlines passing per agency, time to remediate."""
    try:
        board = soc_dashboard(actor=_actor(request), today=timezone.localdate())
    except NotFound:
        raise Http404 from None
    ages_chart = bar_chart(
        title=_("Open findings by severity and age in days: %(figures)s")
        % {"figures": "; ".join(
            f"{row.label} " + ", ".join(f"{label}: {n}" for label, n in
                                        zip(board.bucket_labels, row.counts, strict=True))
            for row in board.ages
        )},
        description="",
        categories=[row.label for row in board.ages],
        series=[Series(label, [row.counts[i] for row in board.ages])
                for i, label in enumerate(board.bucket_labels)],
        chart_id="ages",
    ) if board.ages else ""  # fmt: skip
    mttr_chart = bar_chart(
        title=_("Mean days to remediate per service: %(figures)s")
        % {"figures": "; ".join(f"{m.code} {m.mean_days:.1f}" for m in board.mttr)},
        description="",
        categories=[m.code for m in board.mttr],
        series=[Series(_("days"), [round(m.mean_days, 1) for m in board.mttr])],
        chart_id="mttr",
    ) if board.mttr else ""  # fmt: skip
    context = {"nav": "security", "board": board, "ages_chart": ages_chart,
               "mttr_chart": mttr_chart}  # fmt: skip
    return render(request, "security/dashboard.html", context)


# --- advisories (ADR 0967) ----------------------------------------------------------------------


class AdvisoryForm(TextCheckedForm):
    vulnerability_id = forms.CharField(
        label=gettext_lazy("Vulnerability (CVE or other id)"), max_length=200
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    summary = forms.CharField(
        label=gettext_lazy("Summary for the agencies"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def advisories(request: HttpRequest) -> HttpResponse:
    """The advisories the actor may read; the SOC also publishes here."""
    actor = _actor(request)
    soc = security_abilities(actor=actor)["soc"]
    form = AdvisoryForm(request.POST or None) if soc else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                published = advisory_publish(actor=actor, **form.cleaned_data)
            except NotFound:
                raise Http404 from None
            except DomainError as error:
                errors_onto_form(form, error)
            else:
                messages.success(
                    request,
                    _("Published to %(n)s agencies.") % {"n": len(published.agencies)},
                )
                return redirect("security:advisory", advisory_id=published.advisory.id)
    paged = paginate(selectors.advisory_list(actor=actor), params=request.GET)
    context = {**paged.context(), "nav": "security", "form": form}
    status = 422 if form is not None and form.is_bound and form.errors else 200
    return render(request, "security/advisories.html", context, status=status)


@login_required
@require_GET
def advisory(request: HttpRequest, advisory_id: int) -> HttpResponse:
    try:
        copy = selectors.advisory_copy(actor=_actor(request), advisory_id=advisory_id)
    except NotFound:
        raise Http404 from None
    products = [
        {
            "name": row.name,
            "status": STATUS_LABELS.get(row.status, row.status),
            "remedy": row.remedy,
        }
        for row in csaf_products(copy.document)
    ]
    context = {"nav": "security", "copy": copy, "advisory": copy.advisory, "products": products}
    return render(request, "security/advisory.html", context)


@login_required
@require_GET
def advisory_csaf(request: HttpRequest, advisory_id: int) -> HttpResponse:
    """The CSAF 2.0 document itself, as a download."""
    try:
        copy = selectors.advisory_copy(actor=_actor(request), advisory_id=advisory_id)
    except NotFound:
        raise Http404 from None
    response = JsonResponse(copy.document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    name = copy.document["document"]["tracking"]["id"].lower()
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


# --- security cases (ADR 0968) ------------------------------------------------------------------


class SecurityCaseForm(TextCheckedForm):
    incident = forms.IntegerField(label=gettext_lazy("Incident number (INC…)"), min_value=1)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=SecurityCategory.choices)
    information_classes = forms.MultipleChoiceField(
        label=gettext_lazy("Information affected"), choices=InformationClass.choices,
        widget=forms.CheckboxSelectMultiple, required=False,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def security_cases(request: HttpRequest) -> HttpResponse:
    """The SOC's security cases with their next legal deadline; a form marks an incident."""
    actor = _actor(request)
    if not security_abilities(actor=actor)["soc"]:
        raise Http404
    form = SecurityCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            security_case_set(
                actor=actor, incident_id=data["incident"], category=data["category"],
                information_classes=data["information_classes"], personal_data=False,
            )  # fmt: skip
        except NotFound:
            form.add_error("incident", _("No incident of yours has that number."))
        except DomainError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("INC%(n)s is a security case.") % {"n": data["incident"]})
            return redirect("security:cases")
    paged = paginate(selectors.security_case_list(actor=actor), params=request.GET)
    rows = case_rows(actor=actor, cases=list(paged.page.object_list))
    context = {**paged.context(), "nav": "security", "form": form, "rows": rows}
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "security/cases.html", context, status=status)
