"""Who may do what with identity configuration. One abilities dict, used by pages and tests.

Trusted identity providers and access requests are platform-wide, so they belong to the staff of
the platform's owner — the catalogue's default provider (ADR 0042) — not to every provider."""

from __future__ import annotations

from samdrift.catalogue.selectors import default_provider_id
from samdrift.core.actor import Actor

OWNER_ROLES = ("provider_admin", "account_manager")


def identity_abilities(*, actor: Actor) -> dict[str, bool]:
    if actor.is_superuser:
        return {"manage_providers": True, "view_access_requests": True}
    if not actor.has_provider_role(*OWNER_ROLES):
        return {"manage_providers": False, "view_access_requests": False}  # no query for customers
    owner = default_provider_id()
    admin = actor.has_provider_role_in(owner, "provider_admin")
    return {
        "manage_providers": admin,
        "view_access_requests": admin or actor.has_provider_role_in(owner, "account_manager"),
    }
