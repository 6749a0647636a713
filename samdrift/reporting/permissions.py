"""Who may read and edit the yearly report to the government.

The report lists every customer agency by name and phase, so it is provider data: any provider
staff member may read it, customers may not (they get the same 404 as for a missing report).
Only the administrator and the service manager write the report's prose; only the
administrator records the decision block (who decided, who presented, date, reference number).
"""

from __future__ import annotations

from samdrift.core.actor import Actor
from samdrift.organisations.choices import Role

EDITOR_ROLES = (Role.PROVIDER_ADMIN, Role.SERVICE_MANAGER)
DECISION_ROLES = (Role.PROVIDER_ADMIN,)


def report_abilities(*, actor: Actor) -> dict[str, bool]:
    view = actor.is_provider_staff
    return {
        "view": view,
        "download": view,
        "edit_text": view and actor.has_provider_role(*EDITOR_ROLES),
        "decide": view and actor.has_provider_role(*DECISION_ROLES),
    }


def may_sign_report(*, actor: Actor, decided_by_id: int | None, sealed: bool) -> bool:
    """The report is signed by the official recorded as having decided it, once (ADR 0516)."""
    return (
        actor.is_provider_staff
        and decided_by_id is not None
        and decided_by_id == actor.user_id
        and not sealed
    )
