"""Writing the index: one row per (kind, object), replaced whole on every change.

The kernel writes no audit record: the app that owns the object audits its own change (the
upload, the rename, the move to another workspace) and calls these in the same transaction, so
the index never shows a state that was rolled back.
"""

from __future__ import annotations

from django.db import transaction

from .extraction import max_chars_setting
from .models import SearchEntry
from .query import MARK_END, MARK_START


def _clean(text: str, limit: int) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "").replace("\x00", "")[:limit]


def index_entry(
    *,
    kind: str,
    object_id: str | int,
    visibility_key: str,
    title: str,
    text: str,
    language: str = "",
    owner_org_id: int | None = None,
) -> SearchEntry:
    """Index (or re-index) one object. `visibility_key` is what the caller's selectors hand to
    `search` as visible; the title is capped at 500 characters, the text at
    `SAMDRIFT_SEARCH_MAX_TEXT_CHARS`."""
    values = {
        "visibility_key": visibility_key,
        "owner_org_id": owner_org_id,
        "title": _clean(title, 500),
        "body": _clean(text, max_chars_setting()),
        "language": language[:8],
    }
    with transaction.atomic():
        entry, _created = SearchEntry.objects.update_or_create(
            kind=kind, object_id=str(object_id), defaults=values
        )
    return entry


def remove_entry(*, kind: str, object_id: str | int) -> bool:
    """Take one object out of the index; False if it was not there."""
    deleted, _by_model = SearchEntry.objects.filter(kind=kind, object_id=str(object_id)).delete()
    return deleted > 0


def change_visibility(
    *, kind: str, object_id: str | int, visibility_key: str, owner_org_id: int | None = None
) -> bool:
    """A moved object (another workspace, another owner) without re-reading its text."""
    changed = SearchEntry.objects.filter(kind=kind, object_id=str(object_id)).update(
        visibility_key=visibility_key, owner_org_id=owner_org_id
    )
    return changed > 0
