"""Pages of security operations, under /security/ (ADR 0952): thin — call a selector, render.
Who sees which finding, and whether its location, is decided in `permissions` and `selectors`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from samdrift.core.actor import Actor
from samdrift.core.charts import Series, bar_chart
from samdrift.core.exceptions import NotFound

from . import selectors
from .choices import FindingStatus, Severity
from .dashboard import soc_dashboard
from .permissions import security_abilities


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
