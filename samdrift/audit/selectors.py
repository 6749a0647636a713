"""Reads of the audit trail: an object's history on its page, and the provider's trail search."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound
from samdrift.core.tenancy import org_scope

from .models import AuditEvent
from .permissions import trail_abilities


def _visible(actor: Actor, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """An event about an agency shows to those who see that agency (tenancy kernel); an event
    about no agency (a catalogue change) to provider staff only."""
    if actor.sees_everything:
        return queryset
    scope = org_scope(actor)
    if actor.is_provider_staff:
        scope |= Q(organisation_id__isnull=True)
    return queryset.filter(scope)


def object_history(
    *, actor: Actor, object_type: str, object_ids: list[str], limit: int = 50
) -> QuerySet[AuditEvent]:
    """The latest changes to the objects; the caller has already checked the actor may see them."""
    queryset = AuditEvent.objects.filter(object_type=object_type, object_id__in=object_ids)
    return _visible(actor, queryset).order_by("-id")[:limit]


@dataclass(frozen=True)
class TrailFilter:
    object_type: str = ""
    object_id: str = ""
    actor: str = ""
    action: str = ""
    organisation_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def trail_search(*, actor: Actor, filters: TrailFilter) -> QuerySet[AuditEvent]:
    """The trail, newest first, narrowed by the filters. Not provider staff: NotFound (a page
    that does not exist for them, like any other forbidden object)."""
    if not trail_abilities(actor)["search"]:
        raise NotFound()
    queryset = AuditEvent.objects.all()
    if not actor.sees_everything:
        # Only the agencies the provider serves. An event about no agency (a token, a catalogue
        # entry) may name another provider's customers, and audit cannot tell whose it is: in the
        # search it shows to the one who did it; on its object's page to whoever sees the object.
        queryset = queryset.filter(org_scope(actor) | Q(organisation_id__isnull=True,
                                                         actor_id=actor.user_id))  # fmt: skip
    if filters.object_type:
        queryset = queryset.filter(object_type=filters.object_type)
    if filters.object_id:
        queryset = queryset.filter(object_id=filters.object_id)
    if filters.actor:
        queryset = queryset.filter(actor_label__icontains=filters.actor)
    if filters.action:
        queryset = queryset.filter(action__startswith=filters.action)
    if filters.organisation_id is not None:
        queryset = queryset.filter(organisation_id=filters.organisation_id)
    if filters.since is not None:
        queryset = queryset.filter(at__gte=filters.since)
    if filters.until is not None:
        queryset = queryset.filter(at__lt=filters.until)
    return queryset.order_by("-id")
