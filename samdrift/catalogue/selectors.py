"""Reads of the catalogue. The catalogue is public to every logged-in actor; drafts only to staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet

from samdrift.core.exceptions import NotFound

from .choices import Lifecycle
from .models import Service, ServiceDependency

if TYPE_CHECKING:
    from samdrift.core.actor import Actor


def _visible(actor: Actor) -> QuerySet[Service]:
    queryset = Service.objects.all()
    if not actor.is_provider_staff:
        queryset = queryset.exclude(lifecycle=Lifecycle.DRAFT)
    return queryset


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
            Prefetch(
                "dependency_links", queryset=ServiceDependency.objects.select_related("depends_on")
            ),
            Prefetch(
                "dependant_links", queryset=ServiceDependency.objects.select_related("service")
            ),
        )
    )
    try:
        return queryset.get(code=code)
    except Service.DoesNotExist:
        raise NotFound("service") from None
