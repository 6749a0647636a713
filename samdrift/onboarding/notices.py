"""Who is told about a connection case's steps (notifications, ADR 0023).

Called by `services` inside their transaction, so a refused or rolled-back step tells nobody.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from samdrift.core.actor import Actor
from samdrift.core.i18n import in_both_languages
from samdrift.core.notifications.kinds import CASE_ADVANCED, SIGNOFF_REQUIRED
from samdrift.core.notifications.services import notify
from samdrift.organisations.choices import Role
from samdrift.organisations.selectors import members_in_roles, provider_agencies

from .choices import Phase
from .models import ConnectionCase

if TYPE_CHECKING:
    from samdrift.catalogue.models import Service


def _members(org_ids: Iterable[int | None], *roles: str) -> set[int]:
    return {user_id for _, _, user_id in members_in_roles([i for i in org_ids if i], roles)}


def _providers_of(services: Iterable[Service]) -> set[int]:
    """The provider agencies of the case's services (`services.scope_services`); every provider
    agency when the case names none yet (ADR 0023)."""
    providers = {s.provider_id for s in services if s.provider_id}
    if providers:
        return providers
    return set(provider_agencies().values_list("id", flat=True))


def _case_link(case: ConnectionCase) -> str:
    return reverse("onboarding:case_detail", args=[case.id])


def case_advanced(
    *,
    actor: Actor,
    case: ConnectionCase,
    services: Iterable[Service],
    from_phase: str,
    completed: bool,
) -> None:
    """The agency's contacts (and its parent's, who follow sub-agencies) and the account
    managers of the case's providers."""
    agency = case.organisation
    recipients = _members([agency.id, agency.parent_id], Role.CONTACT) | _members(
        _providers_of(services), Role.ACCOUNT_MANAGER
    )
    notify(
        recipients,
        CASE_ADVANCED.code,
        {
            "agency": agency.name,
            "case_id": case.id,
            "completed": completed,
            "from_phase": in_both_languages(Phase(from_phase).label),
            "to_phase": in_both_languages(Phase(case.phase).label),
            "actor_name": actor.label,
        },
        link=_case_link(case),
        actor=actor,
    )


def signoff_required(*, actor: Actor, case: ConnectionCase, services: Iterable[Service]) -> None:
    """The security role of the case's providers: the phase's checklist is done, only their
    sign-off is missing."""
    notify(
        _members(_providers_of(services), Role.SECURITY),
        SIGNOFF_REQUIRED.code,
        {
            "agency": case.organisation.name,
            "case_id": case.id,
            "phase": in_both_languages(Phase(case.phase).label),
        },
        link=_case_link(case),
        actor=actor,
    )
