"""Reads about users: building the actor."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from samdrift.core.actor import ANONYMOUS, Actor
from samdrift.core.tenancy import customer_relations
from samdrift.organisations.choices import PROVIDER_ROLES, OrganisationKind, Role
from samdrift.organisations.selectors import (
    agency_tree_with_kinds,
    descendant_ids,
    roles_with_agency_kind,
)

from .models import ApiToken, User


def actor_for_username(username: str) -> Actor | None:
    """The actor of an active or inactive account by its user name (the CLI's `--as`), or None
    when there is no such account."""
    user = User.objects.filter(username=username).first()
    return actor_for_user(user) if user is not None else None


def actor_for_user(user: User | None, *, loa_rank: int = 0) -> Actor:
    """The user's roles per agency; a contact of a parent agency is also contact of its children.

    Provider roles count only in a provider agency; the customers of those providers are read
    through the kernel's customer registry, with their sub-agencies (ADR 0041). `loa_rank` is the
    level of this login (the session's e-ID level; 0 for a password or a token)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    roles: dict[int, set[str]] = defaultdict(set)
    provider_roles: dict[int, set[str]] = defaultdict(set)
    contact_orgs: list[int] = []
    for org_id, role, org_kind in roles_with_agency_kind(user.pk):
        if role in PROVIDER_ROLES:
            if org_kind == "provider":
                provider_roles[org_id].add(role)
            continue  # a provider role in a customer agency grants nothing
        roles[org_id].add(role)
        if role == Role.CONTACT:
            contact_orgs.append(org_id)
    for child_id in descendant_ids(contact_orgs):
        roles[child_id].add(Role.CONTACT)
    customers: set[int] = set()
    prospects: set[int] = set()
    if provider_roles:
        customers, prospects = _customers_and_prospects(frozenset(provider_roles))
    return Actor(
        user_id=user.pk,
        label=user.get_full_name() or user.username,
        is_superuser=user.is_superuser,
        roles_by_org={org: frozenset(r) for org, r in roles.items()},
        provider_roles_by_org={org: frozenset(r) for org, r in provider_roles.items()},
        customer_org_ids=frozenset(customers),
        prospect_org_ids=frozenset(prospects),
        loa_rank=loa_rank,
    )


def _customers_and_prospects(provider_ids: frozenset[int]) -> tuple[set[int], set[int]]:
    """The providers' customers with their sub-agencies, and the customer agencies no provider
    has a relation with (nor with a parent of) yet. Two queries whatever the data's size: the
    relations, and the agency tree (a few hundred rows at national scale)."""
    relations = customer_relations()
    children: dict[int, list[int]] = defaultdict(list)
    customer_kind: set[int] = set()
    for org_id, parent_id, kind in agency_tree_with_kinds():
        if parent_id is not None:
            children[parent_id].append(org_id)
        if kind == OrganisationKind.CUSTOMER:
            customer_kind.add(org_id)

    def with_descendants(roots: set[int]) -> set[int]:
        found, frontier = set(roots), list(roots)
        while frontier:
            for child in children.get(frontier.pop(), ()):
                if child not in found:
                    found.add(child)
                    frontier.append(child)
        return found

    customers = with_descendants(set().union(*(relations.get(p, set()) for p in provider_ids)))
    related = with_descendants(set().union(*relations.values()))
    return customers, customer_kind - related


def actor_for_token(secret: str) -> Actor | None:
    """The actor behind a personal API token, or None when it is unknown, revoked or expired."""
    from .models import ApiToken
    from .tokens import live_secret

    token = live_secret(ApiToken, secret)
    if token is None:
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


def active_users_by_email(addresses: Iterable[str]) -> list[User]:
    """The active accounts with one of these e-mail addresses (case-insensitive), for messages
    that name people by address (calendar invitations, ADR 0644)."""
    wanted = {a.strip().lower() for a in addresses if a and a.strip()}
    if not wanted:
        return []
    query = Q()
    for one in wanted:
        query |= Q(email__iexact=one)
    return list(User.objects.filter(query, is_active=True).order_by("id"))


def user_by_id(user_id: int | None) -> User | None:
    return User.objects.filter(id=user_id).first() if user_id is not None else None
