"""Files in a room, for keeping and for the archive (ADR 0663).

A Matrix program (Element, a phone) puts a file's bytes in the homeserver's media repository and
sends a message whose `url` names them (`mxc://…`). samdrift reads those bytes through the
application service (`fetch`, authenticated media), at most as many as an upload may hold, into
a temporary file that spills to disk, so the documents' upload can check, scan and store them.

`attachments` says, for each message of an export that carries a file or names a document,
where its bytes are: in which document and version of the workspace (with that version's
SHA-256, the checksum of the stored bytes), or, for a file samdrift has not kept as a document,
in the homeserver's media store, with the SHA-256 and size of its bytes (read when samdrift
refused them, else while exporting). The retention archive keeps those bytes too (retention).
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from dataclasses import dataclass
from typing import IO, Any

import requests
from django.core.files import File

from samdrift.collaboration.selectors import document_get, version_get
from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import NotFound
from samdrift.core.files.services import FileTooLarge

from . import matrix
from .choices import ATTACHMENT_KEY, FILE_TYPES
from .models import ChatFile, ChatRoom

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
IN_MEMORY = 1024 * 1024  # larger files spill to a temporary file


@dataclass
class Fetched:
    file: File[Any]  # positioned at its start, with its `size`
    sha256: str
    content_type: str

    def close(self) -> None:
        self.file.close()


def file_of(event: dict[str, Any]) -> tuple[str, str, str, int | None] | None:
    """(mxc URL, name, content type, declared size) of a message that carries a file in the
    media store; None for any other event (a redacted one, an edit, a text, a notice)."""
    content = event.get("content")
    if event.get("type") != "m.room.message" or not isinstance(content, dict):
        return None
    if content.get("msgtype") not in FILE_TYPES or not isinstance(content.get("url"), str):
        return None
    relation = content.get("m.relates_to")
    if isinstance(relation, dict) and relation.get("rel_type") == "m.replace":
        return None
    info = content.get("info")
    info = info if isinstance(info, dict) else {}
    # The spec: `filename` is the file's name; without it, `body` is.
    name = next((v for k in ("filename", "body") if isinstance(v := content.get(k), str) and v), "")
    mimetype = info.get("mimetype")
    size = info.get("size")
    declared = size if isinstance(size, int) and not isinstance(size, bool) else None
    return (str(content["url"]), name.strip(), mimetype if isinstance(mimetype, str) else "",
            declared)  # fmt: skip


def fetch(mxc: str, *, limit: int, client: matrix.Client | None = None) -> Fetched:
    """The media's bytes, at most `limit` (else `FileTooLarge`, the upload's own refusal,
    with nothing kept), and their SHA-256. Homeserver failures raise `MatrixError` or
    requests' errors."""
    answer = (client or matrix.Client()).download(mxc)
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115
    digest = hashlib.sha256()
    size = 0
    try:
        for chunk in answer.iter_content(CHUNK):
            size += len(chunk)
            if size > limit:
                raise FileTooLarge(limit)
            digest.update(chunk)
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    finally:
        answer.close()
    spool.seek(0)
    kept = File(spool, name="media")
    kept.size = size
    content_type = answer.headers.get("Content-Type", "").split(";")[0].strip()
    return Fetched(kept, digest.hexdigest(), content_type)


def _measured(mxc: str, client: matrix.Client) -> dict[str, Any]:
    """SHA-256 and size of media-store bytes, read streamed and forgotten (nothing is kept)."""
    digest, size = hashlib.sha256(), 0
    try:
        answer = client.download(mxc)
        try:
            for chunk in answer.iter_content(CHUNK):
                size += len(chunk)
                digest.update(chunk)
            content_type = answer.headers.get("Content-Type", "").split(";")[0].strip()
        finally:
            answer.close()
    except (requests.RequestException, matrix.MatrixError) as error:
        log.warning("chat export: media %s not read: %s", mxc, error)
        return {"mxc": mxc, "error": str(error)[:500]}
    return {"mxc": mxc, "sha256": digest.hexdigest(), "size": size, "content_type": content_type}


def _document(room: ChatRoom, document_id: int, number: int | None) -> dict[str, Any] | None:
    """The named version of one of the room's workspace's documents (trashed ones too: the
    history still names them), None when it is not one of its documents."""
    try:
        access = document_get(actor=SYSTEM, document_id=document_id, check_level=False)
        if access.workspace.id != room.workspace_id:
            return None
        version = version_get(document=access.document, number=number)
    except NotFound:
        return None
    return {"id": access.document.id, "version": version.number, "name": access.document.name,
            "sha256": version.sha256, "size": version.size,
            "content_type": version.content_type}  # fmt: skip


def _named(content: dict[str, Any]) -> tuple[int, int | None] | None:
    named = content.get(ATTACHMENT_KEY)
    if not isinstance(named, dict):
        return None
    document_id, number = named.get("document_id"), named.get("version")
    if isinstance(document_id, bool) or not isinstance(document_id, int) or document_id <= 0:
        return None
    good = isinstance(number, int) and not isinstance(number, bool) and number > 0
    return document_id, number if good else None


def attachments(
    room: ChatRoom, events: list[dict[str, Any]], client: matrix.Client | None = None
) -> list[dict[str, Any]]:
    """One entry per message of `events` that carries a file or names a document, in their
    order: where its bytes are kept (see the module)."""
    client = client or matrix.Client()
    handled = {
        row.event_id: row
        for row in ChatFile.objects.filter(
            workspace_id=room.workspace_id,
            event_id__in=[str(e.get("event_id", "")) for e in events],
        )
    }
    found: list[dict[str, Any]] = []
    for event in events:
        content = event.get("content")
        if event.get("type") != "m.room.message" or not isinstance(content, dict):
            continue
        event_id = str(event.get("event_id", ""))
        named = _named(content)
        carried = file_of(event)
        if carried is not None:
            mxc, name, _type, _size = carried
            row = handled.get(event_id)
            entry: dict[str, Any] = {"event_id": event_id, "name": name,
                                     "samdrift": row.state if row else "not handled"}  # fmt: skip
            if row is not None and row.reason:
                entry["reason"] = row.reason
            kept = (
                _document(room, row.document_id, row.version)
                if row is not None and row.state == ChatFile.State.KEPT and row.document_id
                else None
            )
            if kept is not None:
                entry.update(kept_in="document", document=kept)
            elif row is not None and row.sha256:  # read when refused (malware: quarantined)
                entry.update(kept_in="media store", media={
                    "mxc": mxc, "sha256": row.sha256, "size": row.size, "read_when": "refused"})  # fmt: skip
            else:
                entry.update(kept_in="media store", media=_measured(mxc, client))
            found.append(entry)
        elif named is not None:
            kept = _document(room, *named)
            where = "document" if kept is not None else "not this workspace's document"
            shown = kept or {"id": named[0], "version": named[1]}
            found.append({"event_id": event_id, "kept_in": where, "document": shown})
    return found
