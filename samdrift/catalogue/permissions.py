"""Who may see what of the catalogue. One rule, used by the selectors, the pages and the API.

The catalogue is open to every logged-in actor, except drafts: a draft is its provider's work in
progress, seen only by that provider's staff (not by customers, not by another provider).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from samdrift.core.actor import Actor

from .choices import Lifecycle

if TYPE_CHECKING:
    from .models import Service


def sees_drafts_of(actor: Actor, provider_id: int) -> bool:
    return actor.is_superuser or provider_id in actor.provider_org_ids


def visible_services_q(actor: Actor, prefix: str = "") -> Q:
    """The same rule as a filter, for a queryset of services (or of rows pointing at one, with
    `prefix` such as "depends_on__")."""
    if actor.is_superuser:
        return Q()
    shown = ~Q(**{f"{prefix}lifecycle": Lifecycle.DRAFT})
    if actor.provider_org_ids:
        shown |= Q(**{f"{prefix}provider_id__in": actor.provider_org_ids})
    return shown


def service_abilities(*, actor: Actor, service: Service) -> dict[str, bool]:
    draft = service.lifecycle == Lifecycle.DRAFT
    own = actor.is_superuser or service.provider_id in actor.provider_org_ids
    return {
        "view": actor.is_authenticated and (not draft or own),
        "see_drafts": own,
    }
