"""Pages of the Program 2032 sites, under /continuity/ (ADR 0913): thin — call a selector,
render. Who sees what is decided in `permissions` and `selectors`; a customer gets the same 404
as an address that does not exist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.paging import paginate

from . import redundancy, selectors
from .diagram import site_diagram


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


@login_required
@require_GET
def sites(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    try:
        world = selectors.landscape(actor=actor)
    except NotFound:
        raise Http404 from None
    rows = world.rows
    context = {
        "nav": "sites",
        "sites": world.sites,
        "rows": rows,
        "violations": redundancy.violations(world.facts, world.site_facts),
        "service_count": len(world.facts),
        "diagram": site_diagram(world.sites, rows),
    }
    return render(request, "continuity/sites.html", context)


@login_required
@require_GET
def lose(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    code = request.GET.get("site", "").strip()
    try:
        site_list = list(selectors.site_list(actor=actor))
        report = selectors.lose_site(actor=actor, site_code=code) if code else None
        error = ""
    except NotFound:
        raise Http404 from None
    except ValidationFailed as refused:
        report, error = None, str(refused)
    context = {"nav": "sites", "sites": site_list, "chosen": code.upper(), "report": report,
               "error": error}  # fmt: skip
    return render(request, "continuity/lose.html", context, status=422 if error else 200)


@login_required
@require_GET
def drills(request: HttpRequest) -> HttpResponse:
    """Restore drills, newest first, and the provider's services against the newest (ADR 0915)."""
    actor = _actor(request)
    try:
        drills = selectors.drill_list(actor=actor)
    except NotFound:
        raise Http404 from None
    newest = drills.first()
    targets = selectors.drill_targets(actor=actor, drill=newest) if newest else []
    context = {"nav": "sites", "newest": newest, "targets": targets,
               "archiving": selectors.archiving(actor=actor),
               **paginate(drills, params=request.GET).context("drills")}  # fmt: skip
    return render(request, "continuity/drills.html", context)
