"""Reads of the audit trail: an object's history, shown on its page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import AuditEvent

if TYPE_CHECKING:
    from samdrift.core.actor import Actor


def object_history(
    *, actor: Actor, object_type: str, object_ids: list[str], limit: int = 50
) -> QuerySet[AuditEvent]:
    """The latest changes to the objects; the caller has already checked the actor may see them."""
    queryset = AuditEvent.objects.filter(object_type=object_type, object_id__in=object_ids)
    if not actor.sees_all_agencies:
        queryset = queryset.filter(organisation_id__in=actor.visible_org_ids)
    return queryset.order_by("-id")[:limit]
