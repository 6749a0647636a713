"""What an actor may do with a live document: the workspace's rules, read once (ADR 0680).

A workspace reader (or the owner agency's security officer) may open and follow a document; an
editor may change it, keep and restore versions. No other rule exists for live documents."""

from __future__ import annotations

from typing import Any


def doc_abilities(workspace_abilities: dict[str, bool]) -> dict[str, Any]:
    edit = workspace_abilities.get("upload", False)
    return {
        "view": workspace_abilities.get("view", False),
        "edit": edit,
        "keep_version": edit,
        "restore_version": edit,
        "create": edit,
    }
