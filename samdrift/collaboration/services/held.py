"""Uploads held for their malware scan (ADR 0688): a large file is stored, answered at once, and
scanned from storage by a job; only a clean one becomes a version, through the same checks a
direct upload passes (its uploader's right, level, the document's lock and trash, the quota).
Nothing reads a held upload's bytes but the scan: it is no version, so no page, API, WebDAV
download, search or share link can reach them (WebDAV lists its name and size to its uploader
alone, ADR 0692).

A scan that cannot be made (clamd away) is retried by the jobs' own attempts, and a held upload
still waiting after `RESCAN_AFTER` is queued again by `requeue_stalled` (the schedule
`collaboration.held_uploads`, declared in the app's `tasks`), so an
upload is never left undecided because a worker died.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from samdrift.accounts.selectors import actor_for_user
from samdrift.audit.services import audit_record
from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import DomainError
from samdrift.core.files import scanning, storage
from samdrift.core.files import services as files
from samdrift.core.files.readers import chunk_reader
from samdrift.core.i18n import in_both_languages
from samdrift.core.notifications.services import notify

from ..models import HeldUpload
from .hooks import _run_version_hooks
from .linking import Target, _link_version

log = logging.getLogger(__name__)

MALWARE = _("Malware was found in the file (%(signature)s). It was deleted; nothing was stored.")
MISSING = _("The file's bytes are missing; nothing was stored.")
RESCAN_AFTER = datetime.timedelta(minutes=15)
NOTICE_KIND = "collaboration_upload_scanned"


class _Gone(Exception):
    """The stored object is missing (not an OSError: the scan would take that for clamd's)."""


def _stored_bytes(key: str) -> Iterator[bytes]:
    try:
        yield from storage.read_chunks(key)
    except FileNotFoundError as error:
        raise _Gone(str(error)) from error


@task()
def release_held_upload(held_id: int) -> str:
    """The job: scan, then store or refuse. Returns the state it left the upload in."""
    return release(held_id).state


def release(held_id: int) -> HeldUpload:
    """Scan a held upload's stored bytes and decide it. Raises `ScanUnavailable` when clamd gives
    no verdict (the job tries again); an upload already decided is returned as it is."""
    held = HeldUpload.objects.select_related("file", "created_by", "workspace").get(id=held_id)
    if held.state != HeldUpload.State.SCANNING:
        return held
    if held.file is None:  # its bytes are gone: nothing to scan, nothing to store
        return _refuse(held, "missing", MISSING)
    try:
        result = scanning.scan(chunk_reader(_stored_bytes(held.file.key)))
    except _Gone:  # the object went from the bucket: never a version
        return _refuse(held, "missing", MISSING)
    if result.status == "error":
        raise scanning.ScanUnavailable(result.detail)
    if result.status == "infected":
        log.warning("malware in held upload %s: %s", held.id, result.signature)
        return _refuse(held, "malware_found", MALWARE, signature=result.signature)
    return _store(held)


def _store(held: HeldUpload) -> HeldUpload:
    actor = actor_for_user(held.created_by, loa_rank=held.loa_rank)
    target = Target(
        held.workspace_id, held.name, held.folder_id, held.document_id, held.classification or None
    )
    stored = held.file
    if stored is None:
        return held
    try:
        with transaction.atomic():
            if not _still_waiting(held):
                return held
            version = _link_version(actor, target, stored, waiting=held.size)
            HeldUpload.objects.filter(id=held.id).update(
                state=HeldUpload.State.STORED, version=version, finished_at=timezone.now()
            )
            transaction.on_commit(lambda: _run_version_hooks(version.id))
            transaction.on_commit(lambda: _tell(held, "stored", version.document_id))
    except DomainError as error:  # what changed while it was scanned: a lock, a right, the quota
        return _refuse(held, error.code, error.message, **error.params)
    held.refresh_from_db()
    return held


def _refuse(held: HeldUpload, code: str, message: Any, **params: Any) -> HeldUpload:
    both = in_both_languages(message, params)
    with transaction.atomic():
        if not _still_waiting(held):
            return held
        HeldUpload.objects.filter(id=held.id).update(
            state=HeldUpload.State.REFUSED,
            reason_code=code[:40],
            reason_sv=both["sv"][:500],
            reason_en=both["en"][:500],
            finished_at=timezone.now(),
            file=None,
        )
        audit_record(
            actor=SYSTEM,
            action="collaboration.upload_refused",
            obj=held,
            organisation_id=held.workspace.owner_org_id,
            after={"name": held.name, "sha256": held.sha256, "reason": code,
                   **({"signature": params["signature"]} if "signature" in params else {})},
        )  # fmt: skip
        stored = held.file
        if stored is not None:  # no version holds them: the bytes go
            transaction.on_commit(lambda: files.delete(stored))
        transaction.on_commit(lambda: _tell(held, "refused", None))
    held.refresh_from_db()
    return held


def _still_waiting(held: HeldUpload) -> bool:
    """Under the row's lock: whether no one (another attempt of the job) decided it meanwhile."""
    row = HeldUpload.objects.select_for_update().filter(id=held.id).values_list("state", flat=True)
    return row.first() == HeldUpload.State.SCANNING


def _tell(held: HeldUpload, outcome: str, document_id: int | None) -> None:
    """The uploader's note: stored (with the document's link) or refused (with the reason)."""
    held.refresh_from_db()
    if document_id is not None:
        link = reverse("collaboration:document", kwargs={"document_id": document_id})
    else:
        link = reverse("collaboration:workspace", kwargs={"workspace_id": held.workspace_id})
    context = {
        "name": held.name,
        "workspace": held.workspace.name,
        "outcome": outcome,
        "reason_sv": held.reason_sv,
        "reason_en": held.reason_en,
    }
    notify([held.created_by_id], NOTICE_KIND, context, link, actor=SYSTEM)


def requeue_stalled(*, now: datetime.datetime | None = None) -> list[int]:
    """Held uploads waiting longer than `RESCAN_AFTER` (a job lost with its worker, clamd away
    for longer than the job's attempts): queued again. Returns their ids."""
    cutoff = (now or timezone.now()) - RESCAN_AFTER
    stalled = list(
        HeldUpload.objects.filter(
            state=HeldUpload.State.SCANNING, created_at__lt=cutoff
        ).values_list("id", flat=True)[:500]
    )
    for held_id in stalled:
        release_held_upload.enqueue(held_id)
    return stalled
