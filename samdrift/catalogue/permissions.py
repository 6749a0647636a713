"""Who may see what of the catalogue. One rule, used by the selectors, the pages and the API.

The catalogue is open to every logged-in actor, except drafts: a draft is its provider's work in
progress, seen only by that provider's staff (not by customers, not by another provider).

A service is kept by its own provider's administrators and service managers: they edit it, move
it through its lifecycle and name what it depends on. Another provider's managers do not, whether
or not they can see the service. Categories are shared by every provider and kept by the catalogue
owner's managers (the default provider, ADR 0042). ADR 0220.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from samdrift.core.actor import Actor
from samdrift.organisations.choices import Role

from .choices import TRANSITIONS, Lifecycle

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


#: The provider roles that keep their provider's services.
MANAGERS = (Role.PROVIDER_ADMIN, Role.SERVICE_MANAGER)


def manages(actor: Actor, provider_id: int | None) -> bool:
    """The actor keeps this provider's services."""
    return actor.has_provider_role_in(provider_id, *MANAGERS)


def managed_provider_ids(actor: Actor) -> frozenset[int]:
    return frozenset(
        org_id
        for org_id, roles in actor.provider_roles_by_org.items()
        if roles.intersection(MANAGERS)
    )


def managed_services_q(actor: Actor) -> Q:
    """The services the actor may change, as a filter: a service of another provider is
    missing to them, as it is to a customer (the same 404, ADR 0040)."""
    if actor.is_superuser:
        return Q()
    return Q(provider_id__in=managed_provider_ids(actor))


def service_abilities(*, actor: Actor, service: Service) -> dict[str, bool]:
    draft = service.lifecycle == Lifecycle.DRAFT
    own = actor.is_superuser or service.provider_id in actor.provider_org_ids
    keeps = manages(actor, service.provider_id)
    return {
        "view": actor.is_authenticated and (not draft or own),
        "see_drafts": own,
        "edit": keeps and service.lifecycle != Lifecycle.RETIRED,
        "transition": keeps and bool(TRANSITIONS[service.lifecycle]),
        "dependencies": keeps and service.lifecycle in (Lifecycle.DRAFT, Lifecycle.ACTIVE),
    }


def category_abilities(*, actor: Actor, owner_id: int | None) -> dict[str, bool]:
    """Categories are shared; the catalogue owner's managers keep them (`owner_id`)."""
    return {"manage": owner_id is not None and manages(actor, owner_id)}


def may_create_service(*, actor: Actor, provider_id: int) -> bool:
    return manages(actor, provider_id)
