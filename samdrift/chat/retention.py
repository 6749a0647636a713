"""Retention of a room's history: archived, then purged; a legal hold stops it (ADR 0655).

Each day the job looks at every room without a hold. Events older than the workspace class's
retention (`conf.retention_days`) and not yet archived are exported, as the canonical JSON and
its readable PDF (ADR 0654), into samdrift's file store (`ChatArchive`); only once both are
stored and recorded does samdrift ask the homeserver to purge them. So nothing leaves the
homeserver that the archive does not hold, and a purge that fails is tried again the next day.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import DomainError, NotFound, PermissionDenied, ValidationFailed
from samdrift.core.files.models import StoredFile
from samdrift.core.files.scanning import require_clean
from samdrift.core.files.services import max_upload_bytes, store

from . import archive, conf, matrix, media, synapse_admin
from .models import ChatArchive, ChatArchiveFile, ChatRoom
from .selectors import people_in, room_get
from .services import NOT_EXPORTABLE, HomeserverUnavailable, _export_document

log = logging.getLogger(__name__)

NOT_HOLDABLE = _("You may not put this workspace's chat on legal hold.")
REASON_NEEDED = _("Say why the room is held: the case, request or matter it is kept for.")
REASON_TOO_LONG = _("The reason is too long: at most 2000 characters.")
NOT_HELD = _("The room is not on legal hold.")
ARCHIVE_LANGUAGE = "sv"  # the archive's readable copy is in the agency's language


def _held_room(actor: Actor, workspace_id: int) -> ChatRoom:
    access = room_get(actor=actor, workspace_id=workspace_id)
    if access.room is None:
        raise NotFound("room")
    if not access.abilities["hold"]:
        raise PermissionDenied(NOT_HOLDABLE)
    return access.room


def hold_set(*, actor: Actor, workspace_id: int, reason: str) -> ChatRoom:
    """Put the room on legal hold (or change the reason of its hold): nothing is purged."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(REASON_NEEDED, errors={"reason": [str(REASON_NEEDED)]})
    if len(reason) > 2000:
        raise ValidationFailed(REASON_TOO_LONG, errors={"reason": [str(REASON_TOO_LONG)]})
    room = _held_room(actor, workspace_id)
    return _change(actor, room, "chat.hold_set", hold_set_at=timezone.now(),
                   hold_set_by_id=actor.user_id, hold_reason=reason)  # fmt: skip


def hold_release(*, actor: Actor, workspace_id: int) -> ChatRoom:
    room = _held_room(actor, workspace_id)
    if room.hold_set_at is None:
        raise ValidationFailed(NOT_HELD, errors={"hold": [str(NOT_HELD)]})
    return _change(actor, room, "chat.hold_release", hold_set_at=None, hold_set_by_id=None,
                   hold_reason="")  # fmt: skip


def _change(actor: Actor, room: ChatRoom, action: str, **fields: object) -> ChatRoom:
    with transaction.atomic():
        room = ChatRoom.objects.select_for_update().select_related("workspace").get(pk=room.pk)
        names = ["hold_set_at", "hold_reason"]
        before = snapshot(room, names)
        for name, value in fields.items():
            setattr(room, name, value)
        room.save(update_fields=list(fields))
        audit_record(actor=actor, action=action, obj=room,
                     organisation_id=room.workspace.owner_org_id, before=before,
                     after=snapshot(room, names))  # fmt: skip
    return room


@dataclass(frozen=True)
class Purge:
    workspace_id: int
    outcome: str  # "held", "nothing", "purged", "failed"
    events: int = 0
    archive_id: int | None = None


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def purge_room(
    room: ChatRoom, *, now: datetime | None = None, client: matrix.Client | None = None
) -> Purge:
    """Archive, then purge, what of `room` has passed its retention (see the module)."""
    workspace = room.workspace
    if room.hold_set_at is not None:
        return Purge(workspace.id, "held")
    cutoff = (now or timezone.now()) - timedelta(days=conf.retention_days(workspace.classification))
    done = room.archives.filter(purged_at__isnull=False).order_by("-up_to").first()
    since = _stamp(done.up_to) if done else 0
    events = (client or matrix.Client()).history(room.room_id)
    old = [e for e in events if since <= int(e.get("origin_server_ts") or 0) < _stamp(cutoff)]
    if not old:
        return Purge(workspace.id, "nothing")
    kept = _keep(room, workspace, old, cutoff)
    try:
        synapse_admin.purge_history(room.room_id, _stamp(cutoff))
    except (requests.RequestException, matrix.MatrixError) as error:
        log.warning("chat purge of workspace %s: %s (archived, purge tried again)", workspace.id,
                    error)  # fmt: skip
        return Purge(workspace.id, "failed", len(old), kept.pk)
    with transaction.atomic():
        ChatArchive.objects.filter(pk=kept.pk).update(purged_at=timezone.now())
        audit_record(actor=SYSTEM, action="chat.purge", obj=room,
                     organisation_id=workspace.owner_org_id,
                     after={"archive": kept.pk, "events": len(old),
                            "up_to": cutoff.isoformat()})  # fmt: skip
    return Purge(workspace.id, "purged", len(old), kept.pk)


def _keep(
    room: ChatRoom, workspace: Any, old: list[dict[str, Any]], cutoff: datetime
) -> ChatArchive:
    """The JSON and the PDF stored (outside any transaction, as the file store wants), then
    recorded and audited together."""
    files = media.attachments(room, old)
    bytes_kept = _keep_media(files, workspace.owner_org_id)
    document, body, digest = _export_document(
        room, workspace, old, attachments=files, up_to=cutoff.isoformat()
    )
    pdf = archive.archive_pdf(document, digest, people_in(old), ARCHIVE_LANGUAGE)
    name = f"chat-{workspace.id}-{cutoff:%Y-%m-%d}"
    json_file = _store(body, f"{name}.json", "application/json", workspace.owner_org_id)
    pdf_file = _store(pdf, f"{name}.pdf", "application/pdf", workspace.owner_org_id)
    with transaction.atomic():
        kept = ChatArchive.objects.create(
            room=room, up_to=cutoff, events=len(old), json_file=json_file, pdf_file=pdf_file
        )
        ChatArchiveFile.objects.bulk_create(
            ChatArchiveFile(archive=kept, event_id=event_id, name=file_name[:1000], file=stored)
            for event_id, file_name, stored in bytes_kept
        )
        audit_record(actor=SYSTEM, action="chat.archive", obj=room,
                     organisation_id=workspace.owner_org_id,
                     after={"archive": kept.pk, "events": len(old), "json_sha256": digest,
                            "pdf_sha256": pdf_file.sha256, "files": len(bytes_kept)})  # fmt: skip
    return kept


def _keep_media(files: list[dict[str, Any]], org_id: int) -> list[tuple[str, str, StoredFile]]:
    """The bytes of each file only in the media store (ADR 0663), read again, scanned and
    stored with the archive when they are the bytes the export measured: each such entry is
    marked `"archived": true`. A file the homeserver does not give (quarantined malware), one
    over the upload limit or one the scanner refuses or cannot scan is marked false (logged)."""
    kept: list[tuple[str, str, StoredFile]] = []
    for entry in files:
        found = entry.get("media") or {}
        if entry.get("kept_in") != "media store" or "sha256" not in found:
            continue
        entry["archived"] = False
        try:
            fetched = media.fetch(found["mxc"], limit=max_upload_bytes())
        except (requests.RequestException, matrix.MatrixError, DomainError) as error:
            log.warning("chat archive: %s not kept: %s", entry["event_id"], error)
            continue
        try:
            if fetched.sha256 != found["sha256"]:
                continue
            require_clean(fetched.file)
            stored = store(fetched.file, entry.get("name") or "file", fetched.content_type or None,
                           actor=SYSTEM, owner_org_id=org_id)  # fmt: skip
        except DomainError as error:
            log.warning("chat archive: %s not kept: %s", entry["event_id"], error)
            continue
        finally:
            fetched.close()
        entry["archived"] = True
        kept.append((str(entry["event_id"]), str(entry.get("name") or ""), stored))
    return kept


def _store(data: bytes, name: str, content_type: str, org_id: int) -> StoredFile:
    return store(io.BytesIO(data), name, content_type, actor=SYSTEM, owner_org_id=org_id,
                 max_bytes=len(data))  # fmt: skip


def purge_due(*, now: datetime | None = None) -> list[Purge]:
    """The daily job: every room, one at a time; a homeserver that does not answer is logged
    and the room tried again tomorrow."""
    outcomes = []
    for room in ChatRoom.objects.select_related("workspace").order_by("pk"):
        try:
            outcomes.append(purge_room(room, now=now))
        except (requests.RequestException, matrix.MatrixError) as error:
            log.warning("chat retention of workspace %s: %s", room.workspace_id, error)
            outcomes.append(Purge(room.workspace_id, "failed"))
    return outcomes


def archives(*, actor: Actor, workspace_id: int) -> list[ChatArchive]:
    access = room_get(actor=actor, workspace_id=workspace_id)
    if access.room is None:
        raise NotFound("room")
    if not access.abilities["export"]:
        raise PermissionDenied(NOT_EXPORTABLE)
    return list(
        access.room.archives.select_related("json_file", "pdf_file").prefetch_related("files__file")
    )


def archive_open(*, actor: Actor, workspace_id: int, archive_id: int, kind: str) -> StoredFile:
    """One archived file (json or pdf) for download: the same rights as the export; audited."""
    number = kind.removeprefix("file-")
    if kind not in ("json", "pdf") and not (kind.startswith("file-") and number.isdigit()):
        raise NotFound("archive")
    found = next((a for a in archives(actor=actor, workspace_id=workspace_id)
                  if a.pk == archive_id), None)  # fmt: skip
    if found is None:
        raise NotFound("archive")
    if kind.startswith("file-"):  # a file's bytes kept with the archive (ADR 0663)
        part = found.files.select_related("file").filter(pk=int(number)).first()
        if part is None:
            raise NotFound("archive")
        stored = part.file
    else:
        stored = found.json_file if kind == "json" else found.pdf_file
    with transaction.atomic():
        audit_record(actor=actor, action="chat.archive_read", obj=found.room,
                     organisation_id=found.room.workspace.owner_org_id,
                     after={"archive": found.pk, "file": kind, "sha256": stored.sha256})  # fmt: skip
    return stored


__all__ = ["HomeserverUnavailable"]
