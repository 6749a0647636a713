"""What an actor may do with demand and connection cases. One dict per object, used everywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from samdrift.core.actor import Actor
from samdrift.organisations.choices import Role

from .choices import CaseState, RequestStatus

if TYPE_CHECKING:
    from .models import ConnectionCase, ServiceRequest

CASE_WORKERS = (Role.PROVIDER_ADMIN, Role.ACCOUNT_MANAGER)


def case_abilities(
    *, actor: Actor, case: ConnectionCase, checklist_done: bool, signed_off: bool
) -> dict[str, bool]:
    # Every act needs the case in sight first: a provider role acts for its own customers only.
    view = actor.can_see_org(case.organisation_id)
    is_open = view and case.state == CaseState.OPEN
    works_cases = actor.has_provider_role(*CASE_WORKERS) and actor.serves(case.organisation_id)
    return {
        "view": view,
        "check": is_open and works_cases,
        "sign_off": is_open
        and can_sign_off_phases(actor)
        and actor.serves(case.organisation_id)
        and not signed_off,
        "advance": is_open and works_cases and checklist_done and signed_off,
        "cancel": is_open and works_cases,
    }


def can_sign_off_phases(actor: Actor) -> bool:
    """Security signs off each phase of the cases it serves (the `sign_off` ability above)."""
    return actor.has_provider_role(Role.SECURITY)


def can_open_case(actor: Actor) -> bool:
    return actor.has_provider_role(*CASE_WORKERS)


def can_request_for(actor: Actor, organisation_id: int) -> bool:
    """Customers ask for their own agency; account managers may register a request on behalf
    of an agency their provider serves."""
    return (
        actor.has_provider_role(*CASE_WORKERS) and actor.serves(organisation_id)
    ) or actor.acts_for(organisation_id, Role.CONTACT, Role.ORDERER)


def request_abilities(*, actor: Actor, request: ServiceRequest) -> dict[str, bool]:
    view = actor.can_see_org(request.organisation_id)
    pending = view and request.status == RequestStatus.REQUESTED
    return {
        "view": view,
        "withdraw": pending and can_request_for(actor, request.organisation_id),
        "decline": pending
        and actor.has_provider_role(*CASE_WORKERS)
        and actor.serves(request.organisation_id),
        # The provider plans when a pending request is to be connected (ADR 0096).
        "plan": pending
        and actor.has_provider_role(*CASE_WORKERS)
        and actor.serves(request.organisation_id),
    }


def compares_providers(actor: Actor) -> bool:
    """SITSSAM (issue 18 item 3): the staff of any provider agency, and the system, may see the
    demand for every provider's services side by side. Counted only, never agency by agency, and
    only services past draft: the figures the yearly report to the government publishes."""
    return actor.sees_everything or bool(actor.provider_org_ids)
