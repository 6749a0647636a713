"""A file sent from a Matrix program is a document of the workspace too (ADR 0663).

Element or a phone puts the file in the homeserver's media store and sends an `m.file` (or
image, video, audio) message. The homeserver's transaction records it once per event
(`ChatFile`, services.receive_transaction) and queues `keep_file` for the jobs worker, which
handles it as samdrift's own page handles a file (ADR 0660), in the sender's name: their right
to add documents is checked before a byte is read; the bytes are read from the media store
through the application service and go through collaboration's own upload (name and content
checks, size limit and quota, malware scan, the workspace's class, audited), into the
workspace's top level. A notice from samdrift answers the file in the room: the link to the
document, or, when refused, why, in Swedish and English (the upload's own refusal). A file the
virus scanner finds malicious is also quarantined in the media store, so no Matrix program
fetches it any more.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from html import escape
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.services import audit_record
from samdrift.collaboration.services.uploads import upload
from samdrift.core.actor import Actor
from samdrift.core.exceptions import DomainError, NotFound, PermissionDenied
from samdrift.core.files.scanning import MalwareFound, ScanUnavailable
from samdrift.core.files.services import max_upload_bytes
from samdrift.core.i18n import bilingual_line, in_both_languages

from . import matrix, media, synapse_admin
from .attachments import NO_ATTACH
from .choices import ATTACHMENT_KEY, ATTACHMENT_LINE
from .conversation import NOT_A_MEMBER, READ_ONLY
from .models import ChatFile
from .selectors import room_get, room_level

log = logging.getLogger(__name__)

KEPT = _("Kept as a document of the workspace")
REFUSED = _("The file was not kept as a document of the workspace: %(reason)s")


class TryAgain(RuntimeError):
    """The homeserver or the virus scanner did not answer: the job is tried again."""


@dataclass(frozen=True)
class Outcome:
    state: str
    document_id: int | None = None
    version: int | None = None
    reason_code: str = ""


def _sender(row: ChatFile, classification: int) -> Actor:
    """The sender as an actor. Their Matrix session reached the room only at the room's level of
    assurance (ADR 0657: sessions below it are ended before anyone is let in), so the upload
    runs at that level."""
    return actor_for_user(row.sender, loa_rank=room_level(classification))


def _refusal_of(actor: Actor, row: ChatFile) -> DomainError | None:
    """Whether the sender may add this file, asked before any byte is read."""
    try:
        access = room_get(actor=actor, workspace_id=row.workspace_id)
    except NotFound:
        return PermissionDenied(NOT_A_MEMBER)
    except DomainError as error:  # e.g. a class whose level the sender no longer holds
        return error
    if not access.abilities["attach"]:
        return PermissionDenied(NO_ATTACH if access.abilities["write"] else READ_ONLY)
    return None


def _lease() -> timedelta:
    from django_tasks import default_task_backend

    return timedelta(seconds=float(getattr(default_task_backend, "lease_seconds", 30)))


def keep_file(file_id: int, *, client: matrix.Client | None = None) -> Outcome:
    """Keep one file sent from a Matrix program (see the module). Idempotent: a row already
    handled is left alone, and so is one another worker is working on. Each row has one job; a
    second attempt of it runs only once the first one's lease has expired (a killed worker, ADR
    0011), so a row `working` for longer than a lease is taken over by it."""
    now = timezone.now()
    stalled = Q(state=ChatFile.State.WORKING, handled_at__lt=now - _lease())
    if not ChatFile.objects.filter(Q(state=ChatFile.State.QUEUED) | stalled, pk=file_id).update(
        state=ChatFile.State.WORKING, handled_at=now
    ):
        row = ChatFile.objects.get(pk=file_id)
        return Outcome(row.state, row.document_id, row.version, row.reason_code)
    row = ChatFile.objects.select_related("sender", "workspace").get(pk=file_id)
    client = client or matrix.Client()
    actor = _sender(row, row.workspace.classification)
    fetched: media.Fetched | None = None
    try:
        refusal = _refusal_of(actor, row)
        if refusal is not None:
            raise refusal
        limit = max_upload_bytes()
        fetched = media.fetch(row.mxc, limit=limit, client=client)
        try:
            version = upload(
                actor=actor, workspace_id=row.workspace_id, stream=fetched.file, name=row.name,
                content_type=row.content_type or fetched.content_type or None,
            )  # fmt: skip
        finally:
            fetched.close()
    except (requests.RequestException, matrix.MatrixError, ScanUnavailable) as error:
        ChatFile.objects.filter(pk=row.pk).update(state=ChatFile.State.QUEUED)
        log.warning("chat file %s not kept yet: %s", row.event_id, error)
        raise TryAgain(str(error)) from error
    except DomainError as error:
        if fetched is not None:  # read but refused: what was read is recorded for the archive
            ChatFile.objects.filter(pk=row.pk).update(sha256=fetched.sha256, size=fetched.file.size)
        return _refused(actor, row, error, client)
    except BaseException:  # anything else: the row waits for the job's next attempt
        ChatFile.objects.filter(pk=row.pk).update(state=ChatFile.State.QUEUED)
        raise
    return _kept(actor, row, version, client)


def _kept(actor: Actor, row: ChatFile, version: Any, client: matrix.Client) -> Outcome:
    document = version.document
    link = settings.SAMDRIFT_BASE_URL.rstrip("/") + reverse(
        "collaboration:document", kwargs={"document_id": document.id}
    )
    both = in_both_languages(KEPT)
    said = f"{both['sv']} / {both['en']}"
    content = {
        "msgtype": "m.notice",
        "body": f"{said}\n{ATTACHMENT_LINE}{document.name}: {link}",
        "format": "org.matrix.custom.html",
        "formatted_body": f'{escape(said)}<br>{ATTACHMENT_LINE}<a href="{escape(link)}">'
        f"{escape(document.name)}</a>",
        ATTACHMENT_KEY: {"document_id": document.id, "version": version.number},
    }
    with transaction.atomic():
        ChatFile.objects.filter(pk=row.pk).update(
            state=ChatFile.State.KEPT, document=document, version=version.number,
            sha256=version.sha256, size=version.size, content_type=version.content_type,
            handled_at=timezone.now(),
        )  # fmt: skip
        audit_record(
            actor=actor, action="chat.file_kept", obj=row,
            organisation_id=row.workspace.owner_org_id,
            after={"event_id": row.event_id, "document_id": document.id,
                   "version": version.number, "sha256": version.sha256, "size": version.size},
        )  # fmt: skip
    _answer(row, content, client)
    return Outcome(ChatFile.State.KEPT, document.id, version.number)


def _refused(actor: Actor, row: ChatFile, error: DomainError, client: matrix.Client) -> Outcome:
    reason = in_both_languages(error.message, error.params or None)
    sv = in_both_languages(REFUSED, {"reason": reason["sv"]})["sv"]
    en = in_both_languages(REFUSED, {"reason": reason["en"]})["en"]
    content = {"msgtype": "m.notice", "body": f"{sv}\n{en}"}
    with transaction.atomic():
        ChatFile.objects.filter(pk=row.pk).update(
            state=ChatFile.State.REFUSED, reason_code=error.code,
            reason=bilingual_line(error.message, error.params or None),
            handled_at=timezone.now(),
        )  # fmt: skip
        audit_record(
            actor=actor, action="chat.file_refused", obj=row,
            organisation_id=row.workspace.owner_org_id,
            after={"event_id": row.event_id, "code": error.code},
        )  # fmt: skip
    if isinstance(error, MalwareFound):
        _quarantine(row)
    _answer(row, content, client)
    return Outcome(ChatFile.State.REFUSED, reason_code=error.code)


def _quarantine(row: ChatFile) -> None:
    """Malware stays out of every member's reach: the homeserver quarantines the file, so no
    Matrix program fetches it any more (what failed is logged; the refusal stands)."""
    server, media_id = matrix.parse_mxc(row.mxc) or ("", "")
    try:
        synapse_admin.quarantine_media(server, media_id)
    except (requests.RequestException, matrix.MatrixError) as error:
        log.error("chat file %s: malware not quarantined: %s", row.event_id, error)


def _answer(row: ChatFile, content: dict[str, Any], client: matrix.Client) -> None:
    """samdrift's notice in reply to the file. Its transaction id comes from the file's event,
    so a notice sent again (a retried job) is the same event. A homeserver that does not take
    it is logged: what was kept stays kept."""
    content = {**content, "m.relates_to": {"m.in_reply_to": {"event_id": row.event_id}}}
    txn = "samdrift-file-" + hashlib.sha256(row.event_id.encode()).hexdigest()[:40]
    try:
        event_id = client.send_event(
            row.room_id, "m.room.message", content, as_user=matrix.bot_id(), txn_id=txn
        )
    except (requests.RequestException, matrix.MatrixError) as error:
        log.warning("chat file %s: notice not sent: %s", row.event_id, error)
        return
    ChatFile.objects.filter(pk=row.pk).update(notice_event_id=event_id)
