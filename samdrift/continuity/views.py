"""Pages of the Program 2032 sites, under /continuity/ (ADR 0913): thin — call a selector,
render. Who sees what is decided in `permissions` and `selectors`; a customer gets the same 404
as an address that does not exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from samdrift.core.actor import Actor
from samdrift.core.exceptions import DomainError, NotFound, ValidationFailed, errors_onto_form
from samdrift.core.paging import paginate
from samdrift.core.text import TextCheckedForm

from . import placements, redundancy, selectors
from .diagram import site_diagram
from .forms import PlaceForm, PolicyForm, SiteForm
from .permissions import sites_abilities


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


@login_required
@require_GET
def sites(request: HttpRequest) -> HttpResponse:
    return _sites_page(request)


def _sites_page(
    request: HttpRequest,
    *,
    site_form: TextCheckedForm | None = None,
    place_form: TextCheckedForm | None = None,
    policy_form: TextCheckedForm | None = None,
) -> HttpResponse:
    actor = _actor(request)
    try:
        world = selectors.landscape(actor=actor)
    except NotFound:
        raise Http404 from None
    rows = world.rows
    abilities = sites_abilities(actor=actor)
    services = [(s.code, f"{s.code} {s.name}") for s in world.services]
    site_choices = [(s.code, f"{s.code} {s.name}") for s in world.sites]
    context = {
        "nav": "sites",
        "sites": world.sites,
        "rows": rows,
        "violations": redundancy.violations(world.facts, world.site_facts),
        "service_count": len(world.facts),
        "diagram": site_diagram(world.sites, rows),
        "abilities": abilities,
        "site_form": site_form or (SiteForm() if abilities["add_site"] else None),
        "place_form": place_form or PlaceForm(services=services, sites=site_choices),
        "policy_form": policy_form or PolicyForm(services=services),
    }
    status = (
        422
        if any(f is not None and f.errors for f in (site_form, place_form, policy_form))
        else 200
    )
    return render(request, "continuity/sites.html", context, status=status)


def _back() -> HttpResponse:
    return redirect(reverse("continuity:sites") + "#diagram")


def _keeper(request: HttpRequest, ability: str) -> Actor:
    actor = _actor(request)
    if not sites_abilities(actor=actor)[ability]:
        raise Http404
    return actor


def _kept(
    request: HttpRequest, form: TextCheckedForm, act: Callable[[dict[str, Any]], str], slot: str
) -> HttpResponse:
    """Do `act` with a valid form's data: its message, then back to the page. A refusal goes on
    the form (nothing was stored); another provider's service is the same 404 as a missing one."""
    if form.is_valid():
        try:
            said = act(form.cleaned_data)
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, said)
            return _back()
    return _sites_page(request, **{slot: form})


def _service_and_site_choices(actor: Actor) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    services = [(s.code, f"{s.code} {s.name}") for s in selectors.own_services(actor=actor)]
    sites = [(s.code, f"{s.code} {s.name}") for s in selectors.site_list(actor=actor)]
    return services, sites


@login_required
@require_POST
def site_add(request: HttpRequest) -> HttpResponse:
    """Register a site from the page's form (provider administrators, ADR 0910)."""
    actor = _keeper(request, "add_site")

    def act(data: dict[str, Any]) -> str:
        site = placements.site_register(
            actor=actor, code=data["code"], name=data["name"], operator_number=data["operator"],
            region=data["region"], security_class=data["security_class"],
            capacity=data["capacity"], nis_relevant=data["nis_relevant"],
        )  # fmt: skip
        return _("Site %(code)s is registered.") % {"code": site.code}

    return _kept(request, SiteForm(request.POST), act, "site_form")


@login_required
@require_POST
def place(request: HttpRequest) -> HttpResponse:
    """Place one of the actor's services on a site (ADR 0911)."""
    actor = _keeper(request, "place")
    services, sites = _service_and_site_choices(actor)

    def act(data: dict[str, Any]) -> str:
        placements.place_service(
            actor=actor, service_code=data["service"], site_code=data["site"],
            role=data["role"], rto_hours=data["rto_hours"],
        )  # fmt: skip
        return _("%(service)s is placed on %(site)s.") % data

    form = PlaceForm(request.POST, services=services, sites=sites)
    return _kept(request, form, act, "place_form")


@login_required
@require_POST
def policy(request: HttpRequest) -> HttpResponse:
    """Set one of the actor's services' redundancy policy (ADR 0911)."""
    actor = _keeper(request, "place")
    services, _sites = _service_and_site_choices(actor)

    def act(data: dict[str, Any]) -> str:
        placements.set_policy(
            actor=actor, service_code=data["service"], min_sites=data["min_sites"],
            min_regions=data["min_regions"], min_security_class=data["min_security_class"],
        )  # fmt: skip
        return _("The redundancy policy of %(service)s is set.") % data

    return _kept(request, PolicyForm(request.POST, services=services), act, "policy_form")


@login_required
@require_POST
def unplace(request: HttpRequest, placement_id: int) -> HttpResponse:
    """Take an instance of one of the actor's services off its site."""
    actor = _keeper(request, "place")
    try:
        placements.unplace(actor=actor, placement_id=placement_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The placement is removed."))
    return _back()


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
