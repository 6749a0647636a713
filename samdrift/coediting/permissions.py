"""What an actor may do with a live document: the workspace's rules, read once (ADR 0680).

A workspace reader (or the owner agency's security officer) may open and follow a document; an
editor may change it, keep and restore versions. Where the workspace's class allows files out
of SAFOS (`download_allowed`, not class 3), whoever sees the document may export it, and an
editor's browser keeps a copy for offline edits (ADR 0685). A note shows an image of its own
workspace whose class is no higher than the note's (ADR 0686): a picture of class 3 in a class 2
note would leave SAFOS with the note's export. No other rule exists for live documents."""

from __future__ import annotations

from typing import Any

from samdrift.collaboration.policy import policy_for


def doc_abilities(workspace_abilities: dict[str, bool], classification: int) -> dict[str, Any]:
    view = workspace_abilities.get("view", False)
    edit = workspace_abilities.get("upload", False)
    files_out = policy_for(classification).download_allowed
    return {
        "view": view,
        "edit": edit,
        "keep_version": edit,
        "restore_version": edit,
        "create": edit,
        "export": view and files_out,
        "keep_offline": edit and files_out,
    }


def image_may_show(*, note_workspace_id: int, note_class: int, image: Any) -> bool:
    """Whether a note may show the SAFOS document `image` (ADR 0686)."""
    return (
        image.workspace_id == note_workspace_id
        and image.trashed_at is None
        and image.classification <= note_class
    )
