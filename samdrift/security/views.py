"""Pages of security operations, under /security/ (ADR 0952): thin — call a selector, render.
Who sees which finding, and whether its location, is decided in `permissions` and `selectors`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from samdrift.core.actor import Actor

from . import selectors
from .choices import FindingStatus, Severity
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
