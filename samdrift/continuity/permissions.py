"""Who may see and keep the Program 2032 sites (ADR 0913): the one place the rules live.

Sites are shared state infrastructure: every provider agency's staff see the sites. Placements,
policies and what losing a site does are a provider's own business: its staff see those of its
own services only, and its customers' names only as its selectors already allow. A customer
agency's people see none of it (their own service is the one their agency provides).
"""

from __future__ import annotations

from django.db.models import Q

from samdrift.catalogue.permissions import managed_provider_ids
from samdrift.core.actor import Actor

#: Provider roles that see sites and their own provider's placements.
STAFF = ("provider_admin", "service_manager", "account_manager", "finance", "security")
#: Provider roles that register a site (shared infrastructure, so any provider's administrator).
SITE_KEEPERS = ("provider_admin",)


def sites_abilities(*, actor: Actor) -> dict[str, bool]:
    staff = actor.has_provider_role(*STAFF)
    return {
        "view": staff,
        "add_site": actor.has_provider_role(*SITE_KEEPERS),
        # Placing a service and setting its policy change the service: whoever keeps services
        # in the catalogue (which ones is the catalogue's rule, `service_for_change`).
        "place": staff and (actor.is_superuser or bool(managed_provider_ids(actor))),
    }


def changeable_placements(actor: Actor) -> Q:
    """The placements the actor may remove: those of the services it keeps in the catalogue. A
    filter, so another provider's placement costs the same query as a missing one."""
    if actor.is_superuser:
        return Q()
    return Q(service__provider_id__in=managed_provider_ids(actor))


def sees_service(actor: Actor, provider_id: int | None) -> bool:
    """A service's placements are seen by the staff of the provider that runs it."""
    return actor.has_provider_role_in(provider_id, *STAFF)
