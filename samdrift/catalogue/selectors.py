"""Reads of the catalogue. The catalogue is public to every logged-in actor; a draft only to its
provider's staff, and a draft is never revealed through another service's dependencies either."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from samdrift.core.actor import Actor
from samdrift.core.search.words import all_words
from samdrift.core.tenancy import visible_or_404
from samdrift.organisations.selectors import provider_agencies

from .choices import Lifecycle
from .models import Category, Service, ServiceDependency
from .permissions import managed_provider_ids, managed_services_q, visible_services_q

if TYPE_CHECKING:
    from samdrift.organisations.models import Organisation


def _visible(actor: Actor) -> QuerySet[Service]:
    return Service.objects.filter(visible_services_q(actor))


def default_provider() -> QuerySet[Organisation]:
    """The catalogue's owning provider, as a one-row queryset usable in a subquery: the provider
    of the total-commitment package, else the first provider agency (ADR 0042). A case that
    names no service is with it."""
    ranked = (
        provider_agencies()
        .annotate(
            owns_package=Exists(
                Service.objects.filter(provider=OuterRef("pk"), in_total_commitment=True)
            )
        )
        .order_by("-owns_package", "id")
        .values("pk")[:1]
    )
    return provider_agencies().filter(pk=Subquery(ranked))


def default_provider_id() -> int | None:
    return default_provider().values_list("pk", flat=True).first()


def service_provider_id(code: str) -> int | None:
    """The provider agency that runs the service with this code (whatever its lifecycle), else
    the catalogue owner: the provider whose staff operate it (EFOS's operators, ADR 0042)."""
    provider = Service.objects.filter(code=code).values_list("provider_id", flat=True).first()
    return provider if provider is not None else default_provider_id()


def case_provider_id(case_id: int) -> int | None:
    """The provider of a connection case's first service by code; None for a case without
    services (the caller decides who then bills it: the catalogue owner, ADR 0042)."""
    return (
        Service.objects.filter(connection_cases=case_id)
        .order_by("code")
        .values_list("provider_id", flat=True)
        .first()
    )


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


def service_for_change(*, actor: Actor, code: str) -> Service:
    """A service the actor keeps (its own provider's), for a form or an act on it. Another
    provider's service and a missing code are the same `NotFound`, in one query."""
    queryset = Service.objects.filter(managed_services_q(actor)).select_related(
        "category", "provider"
    )
    return visible_or_404(queryset, "service", code=code.strip().upper())


def managed_providers(*, actor: Actor) -> QuerySet[Organisation]:
    """The provider agencies whose services the actor keeps, for a new service's provider."""
    queryset = provider_agencies()
    if not actor.is_superuser:
        queryset = queryset.filter(pk__in=managed_provider_ids(actor))
    return queryset.order_by("name")


# --- services as other apps read them (no actor: the rows are public to every logged-in actor,
# drafts aside, and the callers scope what they show) --------------------------------------------


def published_services() -> QuerySet[Service]:
    """Published services (stored as `active`), in the catalogue's order: what an agency may ask
    for or be connected to."""
    return Service.objects.filter(lifecycle=Lifecycle.ACTIVE)


def total_commitment_package() -> QuerySet[Service]:
    """The published services a total commitment connects an agency to."""
    return published_services().filter(in_total_commitment=True)


def services_past_draft() -> QuerySet[Service]:
    """Services that are or were published (drafts left out): what demand is reported on."""
    return Service.objects.exclude(lifecycle=Lifecycle.DRAFT)


def service_labels() -> QuerySet[Service]:
    """Every service with only what its label needs (code and both names), for a list page's
    prefetch of its rows' services."""
    return Service.objects.only("id", "code", "name_sv", "name_en")


def category_list() -> QuerySet[Category]:
    """Categories are the same for every provider and name nothing of any agency."""
    return Category.objects.order_by("name_sv")


def dependency_edges(*, actor: Actor) -> list[ServiceDependency]:
    """Every dependency whose two ends the actor may see (a draft of another provider is left
    out with its links), with both services, in one query, in a stable order."""
    return list(
        ServiceDependency.objects.filter(visible_services_q(actor, "service__"))
        .filter(visible_services_q(actor, "depends_on__"))
        .select_related("service", "depends_on")
        .order_by("service__display_order", "service__code", "depends_on__code")
    )


def search_services(*, actor: Actor, words: Sequence[str], limit: int) -> list[Service]:
    """The site-wide search's services (ADR 0702): every word in the code or a name; drafts only
    for their provider's staff, like the catalogue. One query."""
    return list(
        _visible(actor)
        .filter(all_words(words, ("code", "name_sv", "name_en")))
        .only("id", "code", "name_sv", "name_en", "lifecycle")
        .order_by("display_order", "code")[:limit]
    )


def services_by_code(codes: Iterable[str] | None = None) -> QuerySet[Service]:
    """Every service whatever its lifecycle, optionally only those with these codes.

    Not scoped to an actor: billing resolves the codes of cost, price, usage and allocation
    rows with it after checking its own actor (finance managers), and onboarding the codes a
    request or case names (its services check the actor first); the caller narrows it further
    (billing keeps to the services it has billing terms for)."""
    queryset = Service.objects.all()
    if codes is not None:
        queryset = queryset.filter(code__in=list(codes))
    return queryset
