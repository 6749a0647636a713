"""Who may use the checker: any logged-in actor, for any file it holds (nothing is stored)."""

from __future__ import annotations

from samdrift.core.actor import Actor


def checker_abilities(*, actor: Actor | None) -> dict[str, bool]:
    return {"check": actor is not None}
