"""Who may read the audit trail as a whole: provider staff (within the agencies their provider
serves, and events about no agency), and the superuser. Customers see an object's history on
its own page only (`selectors.object_history`)."""

from __future__ import annotations

from samdrift.core.actor import Actor


def trail_abilities(actor: Actor) -> dict[str, bool]:
    allowed = actor.sees_everything or actor.is_provider_staff
    return {"search": allowed, "export": allowed}
