"""Reads of the audit trail: an object's history, shown on its page."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from samdrift.core.actor import Actor
from samdrift.core.tenancy import org_scope

from .models import AuditEvent


def object_history(
    *, actor: Actor, object_type: str, object_ids: list[str], limit: int = 50
) -> QuerySet[AuditEvent]:
    """The latest changes to the objects; the caller has already checked the actor may see them.

    An event about an agency shows to those who see that agency (tenancy kernel); an event about
    no agency (a catalogue change) to provider staff only."""
    queryset = AuditEvent.objects.filter(object_type=object_type, object_id__in=object_ids)
    if not actor.sees_everything:
        scope = org_scope(actor)
        if actor.is_provider_staff:
            scope |= Q(organisation_id__isnull=True)
        queryset = queryset.filter(scope)
    return queryset.order_by("-id")[:limit]
