"""Meeting pages for the shared axe-core check (demo data loaded; the check logs the demo admin
in at loa3)."""

from __future__ import annotations

from samdrift.accounts.selectors import actor_for_username

from . import selectors


def pages() -> list[str]:
    actor = actor_for_username("admin")
    if actor is None:
        return []
    found = ["/meetings/"]
    for room in selectors.room_list(actor=actor)[:1]:
        found.append(f"/meetings/{room.pk}/")
        if room.workspace_id is not None:
            found.append(f"/meetings/workspace/{room.workspace_id}/")
    return found
