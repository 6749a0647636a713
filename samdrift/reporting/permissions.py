"""Who may read and edit the yearly report to the government.

The report lists every customer agency by name and phase, so it is provider data: any provider
staff member may read it, customers may not (they get the same 404 as for a missing report).
Only the administrator and the service manager write the report's prose.
"""

from __future__ import annotations

from samdrift.core.actor import Actor
from samdrift.organisations.choices import Role

EDITOR_ROLES = (Role.PROVIDER_ADMIN, Role.SERVICE_MANAGER)


def report_abilities(*, actor: Actor) -> dict[str, bool]:
    view = actor.is_provider_staff
    return {
        "view": view,
        "download": view,
        "edit_text": view and actor.has_provider_role(*EDITOR_ROLES),
    }
