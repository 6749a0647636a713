"""Final deletion when the retention of a document's class has ended (gallring, ADR 0610).

A document is due when `retention_years` of its class (ADR 0601) have passed since its last change
(`updated_at`: a new version, a restore, a class change, check-out or trash). The sweep runs daily
as a recurring job (ADR 0073, `collaboration.retention`, declared in tasks.py) and on demand
(`samdrift collaboration dispose`). Each due document is, in one transaction: recorded in
`Disposal` (what it was, its class and rule, versions, bytes, newest checksum), audited
(`collaboration.dispose`, the owner agency's trail), and deleted with its versions and share
links; after the commit the stored bytes no other version points at are removed and the search
entry is dropped. A document checked out by someone waits: it is being worked on.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from samdrift.audit.services import audit_record
from samdrift.core.actor import SYSTEM
from samdrift.core.files import services as files
from samdrift.core.files.models import StoredFile
from samdrift.core.search import services as search_index

from ..models import Disposal, Document, Folder, Version, Workspace
from ..policy import POLICY
from ..selectors import SEARCH_KIND

BATCH = 200


def years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February in a year that has none
        return moment.replace(year=moment.year - years, day=28)


def retention_ends(document: Document) -> datetime.datetime:
    years = POLICY[document.classification].retention_years
    try:
        return document.updated_at.replace(year=document.updated_at.year + years)
    except ValueError:
        return document.updated_at.replace(year=document.updated_at.year + years, day=28)


def due_ids(*, now: datetime.datetime | None = None, limit: int = BATCH) -> list[int]:
    """Ids of documents whose retention has ended, oldest first (checked-out ones wait)."""
    moment = now or timezone.now()
    ids: list[int] = []
    for level, policy in sorted(POLICY.items()):
        cutoff = years_before(moment, policy.retention_years)
        ids += Document.objects.filter(
            classification=level, updated_at__lt=cutoff, locked_by__isnull=True
        ).values_list("id", flat=True)[:limit]
    return sorted(ids)[:limit]


def _folder_path(folder_id: int | None) -> str:
    parts: list[str] = []
    seen: set[int] = set()
    while folder_id is not None and folder_id not in seen:
        seen.add(folder_id)
        folder = Folder.objects.filter(id=folder_id).values("name", "parent_id").first()
        if folder is None:
            break
        parts.append(folder["name"])
        folder_id = folder["parent_id"]
    return "/".join(reversed(parts))


def dispose(document_id: int, *, now: datetime.datetime | None = None) -> Disposal | None:
    """Dispose of one document if (still) due; None if it is not (changed meanwhile, locked)."""
    moment = now or timezone.now()
    file_ids: set[Any] = set()
    with transaction.atomic():
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("workspace")
            .filter(id=document_id)
            .first()
        )
        if document is None or document.locked_by_id is not None:
            return None
        if retention_ends(document) > moment:
            return None
        versions = list(document.versions.order_by("-number"))
        policy = POLICY[document.classification]
        record = Disposal.objects.create(
            workspace=document.workspace,
            document_id=document.id,
            name=document.name,
            folder=_folder_path(document.folder_id),
            classification=document.classification,
            retention_years=policy.retention_years,
            created_at=document.created_at,
            last_changed_at=document.updated_at,
            versions=len(versions),
            bytes=sum(v.size for v in versions if v.restored_from_id is None),
            sha256=versions[0].sha256 if versions else "",
            was_trashed=document.trashed_at is not None,
        )
        audit_record(
            actor=SYSTEM,
            action="collaboration.dispose",
            obj=document,
            organisation_id=document.workspace.owner_org_id,
            before={"name": document.name, "classification": document.classification,
                    "versions": len(versions), "last_changed_at": document.updated_at.isoformat()},
            after={"disposal": record.id, "rule": f"class {document.classification}: "
                   f"{policy.retention_years} years after the last change"},
        )  # fmt: skip
        file_ids = {v.file_id for v in versions} | {v.preview_id for v in versions if v.preview_id}
        document.share_links.all().delete()
        Workspace.objects.filter(id=document.workspace_id).update(
            used_bytes=F("used_bytes") - record.bytes
        )
        Version.objects.filter(document=document).update(restored_from=None)
        Version.objects.filter(document=document).delete()
        document.delete()
        transaction.on_commit(lambda: _after_commit(document_id, file_ids))
    return record


def _after_commit(document_id: int, file_ids: set[Any]) -> None:
    search_index.remove_entry(kind=SEARCH_KIND, object_id=document_id)
    still_used = set(Version.objects.filter(file_id__in=file_ids).values_list("file_id", flat=True))
    for stored in StoredFile.objects.filter(id__in=file_ids - still_used):
        files.delete(stored)


def dispose_due(*, now: datetime.datetime | None = None, limit: int = BATCH) -> list[int]:
    """One sweep: every due document (up to `limit`) disposed of; the ids done."""
    return [d for d in due_ids(now=now, limit=limit) if dispose(d, now=now) is not None]
