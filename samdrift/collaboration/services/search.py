"""Full-text search of documents within visible workspaces (ADR 0607)."""

from __future__ import annotations

from django.db import transaction

from samdrift.core.actor import Actor
from samdrift.core.search.tasks import index_stored_file

from ..choices import ReadAccess
from ..models import Document, Version
from ..selectors import SEARCH_KIND, DocumentHit, document_search, search_key
from .hooks import register_version_hook
from .reads import record_read


def index_version(version_id: int) -> None:
    """A version hook: the document is (re)indexed in the background from its newest version,
    under its workspace's key; a trashed document is not indexed."""
    version = (
        Version.objects.select_related("document", "document__workspace")
        .filter(id=version_id)
        .first()
    )
    if version is None or version.document.trashed_at is not None:
        return
    newest = version.document.versions.order_by("-number").values_list("id", flat=True).first()
    if newest != version.id:
        return  # an older version's hook after a newer one: the newer one indexes
    workspace = version.document.workspace
    index_stored_file.enqueue(
        SEARCH_KIND,
        str(version.document_id),
        search_key(workspace.id),
        version.document.name,
        str(version.file_id),
        "",
        workspace.owner_org_id,
    )


register_version_hook("search", index_version)


def _reindex_document(document: Document) -> None:
    newest = document.versions.order_by("-number").values_list("id", flat=True).first()
    if newest is not None:
        transaction.on_commit(lambda: index_version(newest))


def search(
    *, actor: Actor, query: str | None, limit: int = 20, offset: int = 0
) -> tuple[list[DocumentHit], bool]:
    """The actor's search; each hit shows a snippet of content, so each is an audit read
    (`ReadAccess.SEARCH_HIT`, ADR 0605)."""
    hits, has_next = document_search(actor=actor, query=query, limit=limit, offset=offset)
    for found in hits:
        record_read(
            actor=actor, access=found.access, version=found.version, how=ReadAccess.SEARCH_HIT
        )
    return hits, has_next
