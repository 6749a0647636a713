"""WebDAV locks as check-outs (ADR 0687).

A desktop program that LOCKs a document checks it out, for the person of its app password,
through `document_lock`: the same row lock, refusal, audit and "checked out by" on the web as a
check-out on the page. UNLOCK, the lock's timeout or a check-in on the web ends both. The rows
live in the database, so a lock taken through one worker process holds in every other.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.core.actor import SYSTEM, Actor

from ..models import DavLock, Document
from .common import ALREADY_LOCKED, Refused, _refuse, _user_id, _workspace_for
from .documents import document_lock

#: A lock asked for without a timeout, or for longer, gets these (a crashed program's check-out
#: ends by itself within a working day; programs that stay open refresh their locks).
DEFAULT_SECONDS = 3600
MAX_SECONDS = 12 * 3600

NAME_LOCKED = _("%(name)s is locked by another WebDAV client. Wait until it is unlocked.")


@dataclass(frozen=True)
class LockAsked:
    """What a LOCK request asks for, as WebDAV parsed it."""

    root: str
    principal: str
    scope: str
    depth: str
    owner: str
    timeout: float  # seconds; -1 (infinite) or more than MAX_SECONDS is cut to MAX_SECONDS


def lock_seconds(timeout: float | None) -> float:
    if timeout is None:
        return DEFAULT_SECONDS
    if timeout <= 0 or timeout > MAX_SECONDS:
        return MAX_SECONDS
    return float(timeout)


def dav_lock_take(
    *, actor: Actor, asked: LockAsked, workspace_id: int, document_id: int | None
) -> DavLock:
    """Lock `asked.root` (a document, or a name with none yet) for `actor`; refused as the
    check-out is (someone else holds it), as an upload is (a name with no document: only a
    workspace's editors), or when another exclusive lock names the same root."""
    seconds = lock_seconds(asked.timeout)
    user_id = _user_id(actor)
    with transaction.atomic():
        _end_all(DavLock.objects.filter(root=asked.root, expires_at__lt=timezone.now()), SYSTEM)
        made_checkout = False
        if document_id is None:
            _workspace_for(actor, workspace_id, "upload")
        else:
            try:
                document_lock(actor=actor, document_id=document_id)
                made_checkout = True
            except Refused as refusal:
                if refusal.message is not ALREADY_LOCKED:  # checked out by this person: kept
                    raise
        try:
            with transaction.atomic():
                return DavLock.objects.create(
                    token=_token(),
                    root=asked.root,
                    document_id=document_id,
                    user_id=user_id,
                    principal=asked.principal,
                    scope=asked.scope,
                    depth=asked.depth,
                    owner=asked.owner,
                    timeout=seconds,
                    expires_at=timezone.now() + timedelta(seconds=seconds),
                    made_checkout=made_checkout,
                )
        except IntegrityError:
            raise _refuse(NAME_LOCKED, name=asked.root.rsplit("/", 1)[-1]) from None


def _token() -> str:
    return f"opaquelocktoken:{secrets.token_hex(32)}"


def dav_lock_refresh(*, token: str, timeout: float | None) -> DavLock | None:
    seconds = lock_seconds(timeout)
    with transaction.atomic():
        row = live_locks().select_for_update().filter(token=token).first()
        if row is None:
            return None
        row.timeout = seconds
        row.expires_at = timezone.now() + timedelta(seconds=seconds)
        row.save(update_fields=["timeout", "expires_at"])
    return row


def dav_lock_release(*, token: str, actor: Actor) -> bool:
    """UNLOCK (WebDAV has checked that the token is the requester's own)."""
    with transaction.atomic():
        rows = DavLock.objects.select_for_update(of=("self",)).filter(token=token)
        if not rows.exists():
            return False
        _end_all(rows, actor)
    return True


def dav_lock_adopt(*, root: str, user_id: int, document_id: int) -> None:
    """The first PUT under a lock-null lock created the document: the lock now checks it out."""
    with transaction.atomic():
        row = live_locks().select_for_update().filter(root=root, user_id=user_id).first()
        if row is None or row.document_id is not None:
            return
        taken = Document.objects.filter(id=document_id, locked_by__isnull=True).update(
            locked_by_id=user_id, locked_at=timezone.now()
        )
        row.document_id = document_id
        row.made_checkout = bool(taken)
        row.save(update_fields=["document", "made_checkout"])


def dav_locks_expire() -> int:
    """The job: end every lock past its timeout, with the check-outs they made."""
    with transaction.atomic():
        return _end_all(
            DavLock.objects.select_for_update(of=("self",)).filter(expires_at__lt=timezone.now()),
            SYSTEM,
        )


def live_locks() -> QuerySet[DavLock]:
    return DavLock.objects.filter(expires_at__gte=timezone.now())


def _end_all(rows: QuerySet[DavLock], actor: Actor) -> int:
    """Delete the locks; a check-out a lock made is released, unless another live lock of the
    same person on the same document goes on holding it."""
    ended = list(rows.select_related("document"))
    if not ended:
        return 0
    DavLock.objects.filter(id__in=[row.id for row in ended]).delete()
    for row in ended:
        if not (row.made_checkout and row.document_id):
            continue
        heir = (
            live_locks()
            .filter(document_id=row.document_id, user_id=row.user_id)
            .exclude(id__in=[r.id for r in ended])
            .first()
        )
        if heir is not None:
            DavLock.objects.filter(id=heir.id).update(made_checkout=True)
            continue
        _release_checkout(row, actor)
    return len(ended)


def _release_checkout(row: DavLock, actor: Actor) -> None:
    document = row.document
    if document is None or document.locked_by_id != row.user_id:
        return  # checked in on the web meanwhile, or taken over by an owner
    released = Document.objects.filter(id=document.id, locked_by_id=row.user_id).update(
        locked_by=None, locked_at=None
    )
    if released:
        audit_record(
            actor=actor,
            action="collaboration.document_unlock",
            obj=document,
            organisation_id=document.workspace.owner_org_id,
            before={"locked_by": row.user_id, "dav_lock": "ended"},
            after={"locked_by": None},
        )
