"""Live-document pages for the shared axe-core check (demo data loaded; the check logs the demo
admin in at loa3)."""

from __future__ import annotations

from samdrift.accounts.selectors import actor_for_username
from samdrift.collaboration.selectors import workspace_get, workspace_list

from . import selectors


def pages() -> list[str]:
    actor = actor_for_username("admin")
    if actor is None:
        return []
    found: list[str] = []
    for workspace in workspace_list(actor=actor)[:1]:
        access = workspace_get(actor=actor, workspace_id=workspace.pk, check_level=False)
        found.append(f"/live/workspace/{workspace.pk}/")
        found += [f"/live/{doc.pk}/" for doc in selectors.doc_list(workspace=access)[:4]]
    return found
