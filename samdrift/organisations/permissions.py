"""What an actor may do with an agency's memberships. One dict per agency, used everywhere.

An agency's administrator manages its members: in a customer agency its *contact* (so a parent
agency's contact also manages its sub-agencies), in a provider agency its provider administrator.
A provider administrator may also manage its provider's customers' members (it sets up an
agency's first contact). Nobody else, and never another provider's or its customers'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from samdrift.core.actor import Actor

from .choices import CUSTOMER_ROLES, PROVIDER_ROLES, OrganisationKind, Role

if TYPE_CHECKING:
    from .models import Organisation


def administrator_role(organisation: Organisation) -> Role:
    """The role whose holders administer the agency; an agency must keep at least one."""
    return Role.PROVIDER_ADMIN if organisation.kind == OrganisationKind.PROVIDER else Role.CONTACT


def assignable_roles(organisation: Organisation) -> list[Role]:
    """Provider roles exist only in provider agencies, customer roles only in customer ones."""
    allowed = PROVIDER_ROLES if organisation.kind == OrganisationKind.PROVIDER else CUSTOMER_ROLES
    return [role for role in Role if role in allowed]


def can_manage_members(actor: Actor, organisation: Organisation) -> bool:
    if actor.is_superuser:
        return True
    if organisation.kind == OrganisationKind.PROVIDER:
        return actor.has_provider_role_in(organisation.id, Role.PROVIDER_ADMIN)
    if actor.acts_for(organisation.id, Role.CONTACT):
        return True
    return actor.serves(organisation.id) and actor.has_provider_role(Role.PROVIDER_ADMIN)


def membership_abilities(*, actor: Actor, organisation: Organisation) -> dict[str, bool]:
    manage = can_manage_members(actor, organisation)
    return {
        # Provider staff see who to talk to in every agency; customers only as administrators.
        "view": manage or (actor.is_provider_staff and actor.serves(organisation.id)),
        "manage": manage,
    }
