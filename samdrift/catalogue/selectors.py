"""Reads of the catalogue. The catalogue is public to every logged-in actor; a draft only to its
provider's staff, and a draft is never revealed through another service's dependencies either."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from samdrift.core.actor import Actor
from samdrift.core.tenancy import visible_or_404
from samdrift.organisations.models import Organisation

from .models import Service, ServiceDependency
from .permissions import visible_services_q


def _visible(actor: Actor) -> QuerySet[Service]:
    return Service.objects.filter(visible_services_q(actor))


def default_provider() -> QuerySet[Organisation]:
    """The catalogue's owning provider, as a one-row queryset usable in a subquery: the provider
    of the total-commitment package, else the first provider agency (ADR 0042). A case that
    names no service is with it."""
    ranked = (
        Organisation.objects.filter(kind="provider")
        .annotate(
            owns_package=Exists(
                Service.objects.filter(provider=OuterRef("pk"), in_total_commitment=True)
            )
        )
        .order_by("-owns_package", "id")
        .values("pk")[:1]
    )
    return Organisation.objects.filter(pk=Subquery(ranked))


def default_provider_id() -> int | None:
    return default_provider().values_list("pk", flat=True).first()


def service_provider_id(code: str) -> int | None:
    """The provider agency that runs the service with this code (whatever its lifecycle), else
    the catalogue owner: the provider whose staff operate it (EFOS's operators, ADR 0042)."""
    provider = Service.objects.filter(code=code).values_list("provider_id", flat=True).first()
    return provider if provider is not None else default_provider_id()


def service_list(*, actor: Actor, lifecycle: str = "", search: str = "") -> QuerySet[Service]:
    """Services with category, provider and the number of open subscriptions, in one query."""
    queryset = (
        _visible(actor)
        .select_related("category", "provider")
        .annotate(
            connected_count=Count(
                "subscriptions", filter=Q(subscriptions__end_date__isnull=True), distinct=True
            )
        )
    )
    if lifecycle:
        queryset = queryset.filter(lifecycle=lifecycle)
    if search:
        queryset = queryset.filter(
            Q(code__icontains=search) | Q(name_sv__icontains=search) | Q(name_en__icontains=search)
        )
    return queryset.order_by("display_order", "code")


def service_get(*, actor: Actor, code: str) -> Service:
    queryset = (
        _visible(actor)
        .select_related("category", "provider")
        .prefetch_related(
            # Links to services the actor may not open are left out here, once, for the page,
            # the API and anything else that shows the service.
            Prefetch(
                "dependency_links",
                queryset=ServiceDependency.objects.filter(
                    visible_services_q(actor, "depends_on__")
                ).select_related("depends_on"),
            ),
            Prefetch(
                "dependant_links",
                queryset=ServiceDependency.objects.filter(
                    visible_services_q(actor, "service__")
                ).select_related("service"),
            ),
        )
    )
    return visible_or_404(queryset, "service", code=code)
