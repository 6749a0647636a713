"""Reads about users: building the actor."""

from __future__ import annotations

from collections import defaultdict

from samdrift.core.actor import ANONYMOUS, Actor
from samdrift.organisations.choices import PROVIDER_ROLES, Role
from samdrift.organisations.models import Membership
from samdrift.organisations.selectors import descendant_ids

from .models import ApiToken, User


def actor_for_user(user: User | None) -> Actor:
    """The user's roles per agency; a contact of a parent agency is also contact of its children."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    roles: dict[int, set[str]] = defaultdict(set)
    provider_roles: set[str] = set()
    contact_orgs: list[int] = []
    for org_id, role, org_kind in Membership.objects.filter(user=user).values_list(
        "organisation_id", "role", "organisation__kind"
    ):
        if role in PROVIDER_ROLES:
            if org_kind == "provider":
                provider_roles.add(role)
            continue  # a provider role in a customer agency grants nothing
        roles[org_id].add(role)
        if role == Role.CONTACT:
            contact_orgs.append(org_id)
    for child_id in descendant_ids(contact_orgs):
        roles[child_id].add(Role.CONTACT)
    return Actor(
        user_id=user.pk,
        label=user.get_full_name() or user.username,
        is_superuser=user.is_superuser,
        provider_roles=frozenset(provider_roles),
        roles_by_org={org: frozenset(r) for org, r in roles.items()},
    )


def actor_for_token(secret: str) -> Actor | None:
    """The actor behind a personal API token, or None when it is unknown, revoked or expired."""
    from django.utils import timezone

    from .models import ApiToken
    from .tokens import token_digest

    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or (token.expires_at is not None and token.expires_at <= timezone.now()):
        return None
    actor = actor_for_user(token.user)
    # A deactivated user's token must fail, not authenticate as the (truthy) anonymous actor.
    return actor if actor.is_authenticated else None


def own_tokens(actor: Actor) -> list[ApiToken]:
    """The actor's own personal tokens, newest first (no one sees another person's tokens)."""
    from .models import ApiToken

    if actor.user_id is None:
        return []
    return list(ApiToken.objects.filter(user_id=actor.user_id).order_by("-created_at", "-id"))
