"""Who may see and keep the Program 2032 sites (ADR 0913): the one place the rules live.

Sites are shared state infrastructure: every provider agency's staff see the sites. Placements,
policies and what losing a site does are a provider's own business: its staff see those of its
own services only, and its customers' names only as its selectors already allow. A customer
agency's people see none of it (their own service is the one their agency provides).
"""

from __future__ import annotations

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
    }


def sees_service(actor: Actor, provider_id: int | None) -> bool:
    """A service's placements are seen by the staff of the provider that runs it."""
    return actor.has_provider_role_in(provider_id, *STAFF)
