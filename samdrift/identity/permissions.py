"""Who may do what with identity configuration. One abilities dict, used by pages and tests."""

from __future__ import annotations

from samdrift.core.actor import Actor


def identity_abilities(*, actor: Actor) -> dict[str, bool]:
    """Providers and access requests span agencies, so only provider staff see them."""
    admin = actor.has_provider_role("provider_admin")
    return {
        "manage_providers": admin,
        "view_access_requests": admin or actor.has_provider_role("account_manager"),
    }
