"""Chat's page for the axe-core check (demo data loaded, demo admin logged in)."""

from __future__ import annotations

from samdrift.collaboration.selectors import workspace_list
from samdrift.core.actor import SYSTEM


def pages() -> list[str]:
    workspace = (
        workspace_list(actor=SYSTEM).filter(members__user__username="admin").order_by("pk").first()
    )
    return [f"/chat/workspaces/{workspace.pk}/"] if workspace is not None else []
