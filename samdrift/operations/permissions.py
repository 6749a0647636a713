"""Abilities per incident, problem and change: the one place the rules live (ADR 0807).

An incident is worked by the staff of the provider whose service it is on; an affected agency's
people (and the reporting agency's) see it and may add a note; nobody else sees it at all.
`affected_org_ids` are the agencies the incident reaches — the selectors read them with the
incident, so no ability costs a query.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from samdrift.core.actor import Actor

from .choices import ChangeState, IncidentState, ProblemState

if TYPE_CHECKING:
    import datetime as dt

    from .models import Change, Incident, Problem, ResponsibilityMatrix, Survey

#: Provider roles that work incidents, problems and changes.
OPERATORS = ("provider_admin", "service_manager", "security")
#: Provider roles that declare a major incident and approve a change.
MANAGERS = ("provider_admin", "service_manager")
APPROVERS = ("provider_admin", "security")
ALL_PROVIDER_ROLES = ("provider_admin", "service_manager", "account_manager", "finance", "security")


def incident_abilities(
    *,
    actor: Actor,
    incident: Incident,
    affected_org_ids: Collection[int],
    party_roles: Mapping[int, Collection[str]] | None = None,
) -> dict[str, bool]:
    """`party_roles`: the agencies of the responsibility matrix the incident was routed to and
    their roles (ADR 0845); R and A work alongside the provider (see it, add notes; R
    escalates), C and I are informed (see it)."""
    staff = actor.has_provider_role_in(incident.provider_id, *ALL_PROVIDER_ROLES)
    operator = actor.has_provider_role_in(incident.provider_id, *OPERATORS)
    manager = actor.has_provider_role_in(incident.provider_id, *MANAGERS)
    concerned = set(affected_org_ids) | {incident.reported_by_org_id or 0}
    own_roles = {
        role
        for org_id, roles in (party_roles or {}).items()
        if org_id in actor.member_org_ids
        for role in roles
    }
    party = bool(own_roles)
    working_party = bool(own_roles & {"R", "A"})
    customer = bool(actor.member_org_ids & concerned)
    reporter = incident.reported_by_org_id in actor.member_org_ids
    open_ = incident.state in (IncidentState.NEW, IncidentState.IN_PROGRESS)
    closed = incident.state == IncidentState.CLOSED
    return {
        "view": staff or customer or party,
        "note": (operator or customer or working_party) and not closed,
        "work": operator and open_,
        "resolve": operator and open_,
        "reopen": (operator or reporter) and incident.state == IncidentState.RESOLVED,
        "close": operator and incident.state == IncidentState.RESOLVED,
        "declare_major": manager and not closed,
        "link": operator and not closed,
        # Legal reporting (ADR 0844): what may be reported to CERT-SE, a CSIRT or IMY (a
        # suspected crime, personal data) stays with the provider's operators, in every state:
        # a final report is often due after the incident is closed.
        "legal": operator,
        "route": operator and not closed,
        "escalate": (operator or "R" in own_roles) and bool(incident.function) and not closed,
    }


def problem_abilities(*, actor: Actor, problem: Problem) -> dict[str, bool]:
    staff = actor.has_provider_role_in(problem.provider_id, *ALL_PROVIDER_ROLES)
    operator = actor.has_provider_role_in(problem.provider_id, *OPERATORS)
    return {
        "view": staff,
        "work": operator and problem.state != ProblemState.CLOSED,
    }


def change_abilities(*, actor: Actor, change: Change) -> dict[str, bool]:
    staff = actor.has_provider_role_in(change.provider_id, *ALL_PROVIDER_ROLES)
    operator = actor.has_provider_role_in(change.provider_id, *OPERATORS)
    approver = actor.has_provider_role_in(change.provider_id, *APPROVERS)
    return {
        "view": staff,
        "work": operator and change.state not in (ChangeState.CLOSED, ChangeState.REJECTED),
        "approve": approver and change.state == ChangeState.AWAITING_APPROVAL,
    }


def may_open_incident(*, actor: Actor, provider_id: int, organisation_id: int | None) -> bool:
    """Provider operators open incidents on their own provider's services; a customer agency's
    people report for their own agency (the subscription is checked by the service)."""
    if organisation_id is None:
        return actor.has_provider_role_in(provider_id, *OPERATORS)
    return organisation_id in actor.member_org_ids or actor.has_provider_role_in(
        provider_id, *OPERATORS
    )


def may_record_outage(*, actor: Actor, provider_id: int | None) -> bool:
    """The provider's operators record and end outages of its services (ADR 0830)."""
    return actor.has_provider_role_in(provider_id, *OPERATORS)


def may_see_agency_availability(*, actor: Actor, organisation_id: int) -> bool:
    """An agency's own people, and the staff of a provider it is a customer of (who then see
    only their own provider's services, ADR 0830)."""
    return (
        actor.sees_everything
        or organisation_id in actor.member_org_ids
        or (actor.is_provider_staff and organisation_id in actor.customer_org_ids)
    )


def may_follow_status(actor: Actor, topic: str) -> bool:
    """`opsstatus:<organisation id>`: the status changes of the services an agency uses (its own
    people) or a provider runs (its staff), ADR 0832."""
    try:
        org_id = int(topic.partition(":")[2])
    except ValueError:
        return False
    return org_id in actor.member_org_ids or actor.has_provider_role_in(org_id, *ALL_PROVIDER_ROLES)


def survey_abilities(
    *, actor: Actor, survey: Survey, connected_org_ids: Collection[int], today: dt.date
) -> dict[str, bool]:
    """The provider's staff see the results; the people of an agency connected to the service
    answer for their agency until the survey closes, and see only their own answer (ADR 0843)."""
    staff = actor.has_provider_role_in(survey.provider_id, *ALL_PROVIDER_ROLES)
    customer = bool(actor.member_org_ids & set(connected_org_ids))
    return {
        "view": staff or customer,
        "results": staff,
        "answer": customer and today <= survey.closes_on,
    }


def may_create_survey(*, actor: Actor, provider_id: int) -> bool:
    return actor.has_provider_role_in(provider_id, *MANAGERS)


def may_keep_matrices(*, actor: Actor, provider_id: int | None) -> bool:
    """The provider's administrators and service managers enter and publish the responsibility
    matrices of its services (ADR 0845)."""
    return actor.has_provider_role_in(provider_id, *MANAGERS)


def matrix_abilities(
    *, actor: Actor, matrix: ResponsibilityMatrix, party_org_ids: Collection[int] = ()
) -> dict[str, bool]:
    """The provider's staff see every version; a party named in a published version sees that
    version (it is the agreement it is part of); only managers publish a draft."""
    staff = actor.has_provider_role_in(matrix.provider_id, *ALL_PROVIDER_ROLES)
    published = matrix.published_at is not None
    party = published and bool(actor.member_org_ids & set(party_org_ids))
    keeper = may_keep_matrices(actor=actor, provider_id=matrix.provider_id)
    return {"view": staff or party, "publish": keeper and not published}


def may_keep_capacity(*, actor: Actor, provider_id: int | None) -> bool:
    """The provider's operators record its services' capacity figures (ADR 0846)."""
    return actor.has_provider_role_in(provider_id, *OPERATORS)


def may_see_capacity(*, actor: Actor, provider_id: int | None) -> bool:
    """Capacity is the provider's own planning: its staff see it; the report shows the public
    aggregate."""
    return actor.has_provider_role_in(provider_id, *ALL_PROVIDER_ROLES)


def sees_provider_work(actor: Actor) -> bool:
    """Whether the operations pages offer the provider's own work (problems, matrices, capacity)
    in their navigation; each page still asks its own rule."""
    return actor.sees_everything or actor.is_provider_staff
