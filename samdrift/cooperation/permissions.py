"""Who may read and keep DSAM evaluations (ADR 0962) and steering group decisions (ADR 0972):
the one place the rules live.

* A catalogue or evaluation belongs to the provider agency that keeps it. Its staff read it
  whether published or not; its administrators and service managers change it.
* Once published, an evaluation (and its catalogue) is read by everyone logged in, customer
  agencies included: DSAM's results were meant for the whole state administration, and nothing
  in them is about a customer.
* Nobody else sees a draft: it is a 404, as for an address that does not exist.
"""

from __future__ import annotations

from samdrift.core.actor import Actor

#: Provider roles that read their own agency's drafts.
STAFF = ("provider_admin", "service_manager", "account_manager", "finance", "security")
#: Provider roles that import catalogues and record evaluations.
EDITORS = ("provider_admin", "service_manager")


def staff_org_ids(actor: Actor) -> frozenset[int]:
    return frozenset(
        org for org, roles in actor.provider_roles_by_org.items() if roles.intersection(STAFF)
    )


def reads_published(actor: Actor) -> bool:
    return actor.is_authenticated


def may_edit(actor: Actor, owner_id: int | None) -> bool:
    return actor.has_provider_role_in(owner_id, *EDITORS)


def cooperation_abilities(*, actor: Actor) -> dict[str, bool]:
    return {
        "view": actor.is_authenticated,
        "import": actor.has_provider_role(*EDITORS),
    }


def editor_org_ids(actor: Actor) -> list[int]:
    """The provider agencies for which the actor imports catalogues, in id order."""
    return sorted(
        org for org, roles in actor.provider_roles_by_org.items() if roles.intersection(EDITORS)
    )


# --- steering group decisions (ADR 0972) ------------------------------------------------------

#: Provider roles that record a steering group's decision for their agency.
RECORDERS = ("provider_admin",)


def decision_reader_org_ids(actor: Actor) -> frozenset[int]:
    """A decision is read by the staff of the provider agencies it binds, and by nobody else: a
    provider outside it, and every customer agency, get the 404 of a missing decision."""
    return staff_org_ids(actor)


def decision_recorder_org_ids(actor: Actor) -> list[int]:
    """The provider agencies for which the actor records decisions, in id order."""
    return sorted(
        org for org, roles in actor.provider_roles_by_org.items() if roles.intersection(RECORDERS)
    )


def may_record_decision_for(actor: Actor, org_id: int) -> bool:
    """An administrator of that provider agency; the system (the command line, the demo) for
    any provider agency, which the service checks is one."""
    return actor.sees_everything or org_id in decision_recorder_org_ids(actor)


def decision_abilities(*, actor: Actor) -> dict[str, bool]:
    return {
        "view": bool(decision_reader_org_ids(actor)) or actor.sees_everything,
        "record": actor.sees_everything or bool(decision_recorder_org_ids(actor)),
    }
