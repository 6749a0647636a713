"""Pages of the capacity figures (ADR 0846), under /operations/capacity/: thin, the rules are
`capacity`, `services.capacity` and `permissions`."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samdrift.core.charts import Series, column_chart
from samdrift.core.exceptions import DomainError, NotFound

from . import capacity, services
from .forms import CapacityImportForm, CapacityMetricForm
from .permissions import may_keep_capacity
from .views import _actor, _form_error, page


@page
@require_http_methods(["GET", "POST"])
def capacity_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    keeps = any(may_keep_capacity(actor=actor, provider_id=org) for org in actor.provider_org_ids)
    keeps = keeps or actor.sees_everything
    form = CapacityImportForm(request.POST or None)
    if request.method == "POST" and keeps and form.is_valid():
        try:
            count = services.capacity_import(actor=actor, text=form.cleaned_data["text"])
        except NotFound:
            raise
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("%(count)s figures were imported.") % {"count": count})
            return redirect("operations:capacity")
    context = {
        "nav": "operations",
        "rows": capacity.capacity_overview(actor=actor),
        "form": form if keeps else None,
    }
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "operations/capacity_list.html", context, status=status)


@page
@require_http_methods(["GET", "POST"])
def capacity_service(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    service_code, rows = capacity.capacity_service(actor=actor, code=code.upper())
    keeps = may_keep_capacity(actor=actor, provider_id=rows[0].metric.provider_id)
    form = CapacityMetricForm(request.POST or None)
    if request.method == "POST" and keeps and form.is_valid():
        try:
            services.capacity_metric_set(
                actor=actor, service_code=service_code, **form.cleaned_data
            )
        except NotFound:
            raise
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The figure was saved."))
            return redirect("operations:capacity_service", code=service_code)
    charts = []
    for row in rows:
        peaks = row.figures.monthly_peaks[-24:]
        if not peaks:
            continue
        series = [Series(_("Monthly peak"), [float(v) for _m, v in peaks])]
        if row.metric.capacity is not None:
            series.append(Series(_("Capacity"), [float(row.metric.capacity)] * len(peaks)))
        title = _("%(figure)s of %(service)s: the peak of each month") % {
            "figure": row.label,
            "service": service_code,
        }
        chart = column_chart(
            title=title,
            description=title,
            categories=[m for m, _v in peaks],
            series=series,
            chart_id=f"capacity-{row.metric.kind}",
        )
        charts.append((row, chart))
    context = {
        "nav": "operations",
        "code": service_code,
        "rows": rows,
        "charts": charts,
        "form": form if keeps else None,
    }
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "operations/capacity_service.html", context, status=status)
