"""Reads of agencies, always for an actor."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.core.actor import Actor
from samdrift.core.exceptions import PermissionDenied
from samdrift.core.tenancy import org_scope, visible_or_404

from .choices import OrganisationKind
from .models import Invitation, Membership, Organisation
from .permissions import membership_abilities

MAX_HIERARCHY_DEPTH = 5


def descendant_ids(org_ids: Iterable[int]) -> set[int]:
    """All agencies below the given ones (one query per level; the hierarchy is shallow)."""
    found: set[int] = set()
    frontier = set(org_ids)
    for _level in range(MAX_HIERARCHY_DEPTH):
        if not frontier:
            break
        children = set(
            Organisation.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
        )
        frontier = children - found
        found |= children
    return found


def hierarchy_rows() -> list[tuple[int, str, int | None, bool, str]]:
    """Every agency as (id, name, parent id, is group, organisation number): one query, for a
    batch that resolves who is invoiced for whom (billing runs, ADR 0205) and for the demand
    report's two ways of counting agencies (onboarding's `Hierarchy`). No actor: the billing
    job already checked its own, and the report counts only rows already scoped to its actor."""
    return list(
        Organisation.objects.values_list("id", "name", "parent_id", "is_group", "org_number")
    )


def roles_with_agency_kind(user_id: int) -> list[tuple[int, str, str]]:
    """(agency id, role, agency kind) of each of the user's memberships, in one query: what
    `accounts` builds the user's actor from. No actor: it comes before there is one."""
    return list(
        Membership.objects.filter(user_id=user_id).values_list(
            "organisation_id", "role", "organisation__kind"
        )
    )


def agency_tree_with_kinds() -> list[tuple[int, int | None, str]]:
    """Every agency as (id, parent id, kind), in one query (a few hundred rows at national
    scale): the tree a provider's customers and prospects are resolved in when its staff's actor
    is built. No actor, for the same reason."""
    return list(Organisation.objects.values_list("id", "parent_id", "kind"))


def provider_agencies() -> QuerySet[Organisation]:
    """The provider agencies. Not scoped to an actor: which agencies provide services is not a
    secret (the catalogue names each service's provider); callers narrow it to the actor."""
    return Organisation.objects.filter(kind=OrganisationKind.PROVIDER)


def agencies_with_org_number(org_numbers: Iterable[str] | None = None) -> QuerySet[Organisation]:
    """Agencies (not groups) that have an organisation number, optionally only those numbers.

    Not scoped to an actor: e-ID logins and EFOS match an official's agency by the number in
    the credential before anyone is known; the callers scope what they show (ADR 0404)."""
    queryset = Organisation.objects.filter(is_group=False).exclude(org_number="")
    if org_numbers is not None:
        queryset = queryset.filter(org_number__in=list(org_numbers))
    return queryset


def visible_organisations(actor: Actor) -> QuerySet[Organisation]:
    """Own agencies (and a parent contact's sub-agencies), own provider agencies and, for
    provider staff, their providers' customers (ADR 0041)."""
    return Organisation.objects.filter(org_scope(actor, "id"))


def organisation_list(
    *,
    actor: Actor,
    search: str = "",
    ministry: str = "",
    connected_service: str = "",
) -> QuerySet[Organisation]:
    """Agencies the actor may see, filtered; with parent and child count in the same query."""
    queryset = (
        visible_organisations(actor)
        .select_related("parent")
        .annotate(child_count=Count("children", distinct=True))
    )
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(org_number__startswith=search.strip())
        )
    if ministry:
        queryset = queryset.filter(ministry=ministry)
    if connected_service:
        queryset = queryset.filter(
            subscriptions__service__code=connected_service, subscriptions__end_date__isnull=True
        ).distinct()
    return queryset.order_by("name")


def organisation_get(*, actor: Actor, org_id: int) -> Organisation:
    return visible_or_404(
        visible_organisations(actor).select_related("parent"), "organisation", id=org_id
    )


def member_list(*, actor: Actor, organisation: Organisation) -> QuerySet[Membership]:
    """The agency's memberships (one row per user and role), by name; for those who may see
    them (`membership_abilities`). The agency was read through `organisation_get`."""
    if not membership_abilities(actor=actor, organisation=organisation)["view"]:
        raise PermissionDenied(_("Only the agency's administrators see its members."))
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    )


def membership_get(*, actor: Actor, organisation: Organisation, membership_id: int) -> Membership:
    """One membership of the agency; another agency's is missing, like one that does not exist."""
    return visible_or_404(
        member_list(actor=actor, organisation=organisation), "membership", id=membership_id
    )


def invitation_list(*, actor: Actor, organisation: Organisation) -> QuerySet[Invitation]:
    """The agency's open invitations, newest first; for its administrators only (ADR 0111)."""
    if not membership_abilities(actor=actor, organisation=organisation)["manage"]:
        raise PermissionDenied(_("Only the agency's administrators see its invitations."))
    return Invitation.objects.filter(
        organisation=organisation,
        accepted_at__isnull=True,
        cancelled_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).order_by("-created_at", "-id")


def invitation_by_token(*, actor: Actor, token: str) -> Invitation:
    """An open invitation by its token, for the page where the invited person accepts it: any
    logged-in holder of the link may read it. Missing, used, withdrawn and expired are the same
    NotFound."""
    if actor.user_id is None:
        raise PermissionDenied(_("Log in to accept the invitation."))
    return visible_or_404(
        Invitation.objects.filter(
            accepted_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=timezone.now()
        ).select_related("organisation"),
        "invitation",
        token_hash=invitation_token_hash(token),
    )


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def ministries() -> list[str]:
    return list(
        Organisation.objects.exclude(ministry="")
        .values_list("ministry", flat=True)
        .distinct()
        .order_by("ministry")
    )


def legal_agency_count() -> int:
    """Agencies that count as legal entities: not groups, and not umbrellas whose members count."""
    return Organisation.objects.filter(is_group=False, children__isnull=True).count()


def own_memberships(*, actor: Actor) -> QuerySet[Membership]:
    """The actor's own roles, one row per agency and role it was given (not the sub-agencies a
    parent's contact also acts for), for the profile page."""
    if actor.user_id is None:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user_id=actor.user_id)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )


def search_agencies(*, actor: Actor, words: Sequence[str], limit: int) -> list[Organisation]:
    """The site-wide search's agencies (ADR 0702): every word in the name or in the organisation
    number (typed with or without its hyphen, which splits it into two words); only agencies
    the actor may see. One query."""
    matching = Q()
    for word in words:
        matching &= Q(name__icontains=word) | Q(number_digits__contains=word)
    return list(
        visible_organisations(actor)
        .annotate(number_digits=Replace("org_number", Value("-"), Value("")))
        .filter(matching)
        .only("id", "name", "org_number")
        .order_by("name", "id")[:limit]
    )


# --- reads for billing's finance jobs (no actor: the billing service already checked its own) -----


def organisations_by_id(ids: Iterable[int] | QuerySet) -> QuerySet[Organisation]:
    """Agencies with these ids; a queryset of ids stays a subquery (one query in all)."""
    return Organisation.objects.filter(pk__in=ids if isinstance(ids, QuerySet) else list(ids))


def organisations_named(names: Iterable[str]) -> QuerySet[Organisation]:
    """Agencies with exactly these names (a usage file names its agencies)."""
    return Organisation.objects.filter(name__in=list(names))


def organisation_names(ids: Iterable[int] | None = None) -> dict[int, str]:
    """Every agency's name by id (only these agencies' when `ids` is given), in one query."""
    rows = Organisation.objects.all() if ids is None else Organisation.objects.filter(id__in=ids)
    return dict(rows.values_list("id", "name"))


def members_in_roles(
    organisation_ids: Iterable[int], roles: Iterable[str]
) -> list[tuple[int, str, int]]:
    """(agency, role, user) of every membership in these roles at these agencies, in one query."""
    return list(
        Membership.objects.filter(
            organisation_id__in=list(organisation_ids), role__in=list(roles)
        ).values_list("organisation_id", "role", "user_id")
    )


def agency_ids_named(word: str) -> QuerySet[Any]:
    """One column, the ids of the agencies whose name has the word: not scoped, for another
    app's search to use as a subquery inside its own scoping (ADR 0702), so that the few
    matching agencies drive the search instead of a LIKE on every row's joined name."""
    return Organisation.objects.filter(name__icontains=word).values("id")
