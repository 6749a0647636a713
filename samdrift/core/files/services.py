"""Storing and reading files: streamed in chunks, counted and hashed on the way (ADRs 0016, 0018).

`store` keeps no more than one chunk of a file in memory whatever its size, refuses a file over
the limit without leaving anything behind, and returns the saved `StoredFile`. A caller that must
link the file in the same transaction as its own rows uses `staged` instead and saves the row
itself; if its block fails, the object is removed again.

The bytes are written before any database transaction opens, so a long upload never holds the
database's write lock (SQLite has one for the whole file).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.core.exceptions import BusinessRuleViolation, ValidationFailed
from samdrift.core.lent_threads import ParallelSha256

from . import storage
from .models import StoredFile
from .names import clean_content_type, safe_name

if TYPE_CHECKING:
    from samdrift.core.actor import Actor

log = logging.getLogger(__name__)

TOO_LARGE = _("The file is too large: at most %(limit)s MB may be uploaded.")
EMPTY = _("The file is empty.")
CORRUPT = _("The stored file does not match its checksum. It has not been sent; tell support.")


def max_upload_bytes() -> int:
    return int(getattr(settings, "SAMDRIFT_FILES_MAX_BYTES", 100 * 1024 * 1024))


class FileTooLarge(ValidationFailed):
    code = "file_too_large"
    http_status = 413

    def __init__(self, limit: int) -> None:
        megabytes = f"{limit / 1024 / 1024:.0f}"
        text = str(TOO_LARGE) % {"limit": megabytes}
        super().__init__(TOO_LARGE, errors={"file": [text]}, limit=megabytes)


class ChecksumMismatch(BusinessRuleViolation):
    code = "file_corrupt"
    http_status = 500


class _Measured:
    """A read-only, non-seekable view of a stream that counts and hashes what is read through
    it and stops with `FileTooLarge` as soon as more than `limit` bytes have come."""

    def __init__(self, source: IO[bytes] | Any, limit: int) -> None:
        self._source = source
        self._limit = limit
        self._replayed = b""
        self.size = 0
        self.sha256 = hashlib.sha256()

    def replay(self, chunks: list[bytes]) -> None:
        """Give these already counted and hashed bytes out again before reading on."""
        self._replayed = b"".join(chunks)

    def read(self, size: int = -1) -> bytes:
        # Never an unbounded read: a caller asking for "everything" gets a chunk at a time. A
        # short read means the end here (boto3 takes it so), so short reads of a raw or network
        # source are joined until `size` bytes or the real end.
        wanted = size if size and size > 0 else storage.CHUNK_SIZE
        if self._replayed:
            head, self._replayed = self._replayed[:wanted], self._replayed[wanted:]
            return head if len(head) == wanted else head + self._read_new(wanted - len(head))
        return self._read_new(wanted)

    def _read_new(self, wanted: int) -> bytes:
        parts: list[bytes] = []
        got = 0
        while got < wanted:
            part = self._source.read(wanted - got)
            if not part:
                break
            parts.append(part.encode() if isinstance(part, str) else part)
            got += len(parts[-1])
        chunk = parts[0] if len(parts) == 1 else b"".join(parts)
        self.size += len(chunk)
        if self.size > self._limit:
            raise FileTooLarge(self._limit)
        self.sha256.update(chunk)
        return chunk

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return False

    def close(self) -> None:  # the caller owns the source
        pass


def _temporary_path(stream: Any) -> str | None:
    """The path of a Django temporary upload file (complete, on local disk, ours alone)."""
    path = getattr(stream, "temporary_file_path", None)
    return path() if callable(path) else None


def _measure_file(path: str, limit: int) -> tuple[int, str]:
    """Size and SHA-256 of a complete local file, one chunk at a time. The file is read again by
    the backend; the second read comes from the page cache and lets S3 parts go in parallel."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(storage.CHUNK_SIZE):
            size += len(chunk)
            if size > limit:
                raise FileTooLarge(limit)
            digest.update(chunk)
    return size, digest.hexdigest()


# Up to this size a file that says how large it is (Django's uploads do) is read into memory
# and sent as one checked PUT (ADR 0620); Django keeps uploads under 2.5 MB in memory anyway.
SMALL_FILE_BYTES = 8 * 1024 * 1024


def _read_small(measured: _Measured) -> bytes | None:
    """The whole stream when it ends within SMALL_FILE_BYTES; otherwise None, and `measured`
    replays what was read before the rest (so the streaming path sees every byte once)."""
    chunks: list[bytes] = []
    while chunk := measured.read(storage.CHUNK_SIZE):
        chunks.append(chunk)
        if measured.size > SMALL_FILE_BYTES:
            measured.replay(chunks)
            return None
    return b"".join(chunks)


def _new_key() -> str:
    return storage.new_key()


@contextmanager
def staged(
    stream: IO[bytes] | Any,
    name: str,
    content_type: str | None,
    *,
    actor: Actor,
    owner_org_id: int,
    max_bytes: int | None = None,
) -> Iterator[StoredFile]:
    """Write the bytes and yield the unsaved `StoredFile`; the caller saves it (with its own rows,
    in its transaction). If the block raises, the stored object is deleted again."""
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    clean_name = safe_name(name)  # refused before a byte is written
    declared = getattr(stream, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise FileTooLarge(limit)
    content_type = clean_content_type(content_type)
    key = _new_key()
    claim = getattr(stream, "claim", None)
    pending = claim() if callable(claim) else None
    try:
        if pending is not None:  # already sent to S3 as it arrived (ADR 0050): complete it
            key = pending.key
            size, digest = pending.size, pending.sha256.hexdigest()
            if size > limit:
                raise FileTooLarge(limit)
            if size:
                pending.complete(digest)
        elif path := _temporary_path(stream):
            size, digest = _measure_file(path, limit)
            key = storage.save_file(key, path, stream, content_type, digest)
        else:
            measured = _Measured(stream, limit)
            small = _read_small(measured) if isinstance(declared, int) else None
            if small is not None:
                size, digest = measured.size, measured.sha256.hexdigest()
                if size:
                    key = storage.put_checked(key, small, content_type, digest)
            else:
                key = storage.backend().save(key, File(measured, name=key))  # type: ignore[arg-type]
                size, digest = measured.size, measured.sha256.hexdigest()
    except BaseException:
        if pending is not None:
            pending.abort()
        _delete_quietly(key)
        raise
    stored = StoredFile(
        key=key,
        original_name=(name or "")[:1000],
        name=clean_name,
        content_type=content_type,
        size=size,
        sha256=digest,
        owner_org_id=owner_org_id,
        created_by_id=actor.user_id,
    )
    try:
        if stored.size == 0:
            raise ValidationFailed(EMPTY, errors={"file": [str(EMPTY)]})
        yield stored
    except BaseException:
        _delete_quietly(key)
        raise


def store(
    stream: IO[bytes] | Any,
    name: str,
    content_type: str | None,
    *,
    actor: Actor,
    owner_org_id: int,
    max_bytes: int | None = None,
) -> StoredFile:
    """Stream `stream` into storage and record it. Call it outside a database transaction."""
    with (
        staged(
            stream, name, content_type, actor=actor, owner_org_id=owner_org_id, max_bytes=max_bytes
        ) as stored,
        transaction.atomic(),
    ):
        stored.save(force_insert=True)
    return stored


def _delete_quietly(key: str) -> None:
    try:
        storage.backend().delete(key)
    except Exception:  # the original error matters more; an orphan is logged, not hidden
        log.exception("could not remove the stored object %s after a failed store", key)


def open_for_download(stored: StoredFile) -> Iterator[bytes]:
    """The file's bytes for a download, checked against the stored SHA-256 as they stream.

    The chunk that completes the file is held back until the whole file has hashed right: if
    it does not, the generator raises instead of yielding it, so the response ends short of its
    Content-Length and the client sees a failed download rather than silently wrong bytes.
    Every other chunk goes out as soon as it is read (the recorded size says which one is the
    last). Cost: one SHA-256 pass over bytes that are being sent anyway, in a thread beside the
    reading (ADR 0669)."""
    digest = ParallelSha256()
    size = 0
    last = b""
    try:
        for chunk in storage.read_chunks(stored.key):
            digest.update(chunk)
            size += len(chunk)
            if last:  # bytes beyond the recorded size: the check below refuses them
                continue
            if size >= stored.size:
                last = chunk
            else:
                yield chunk
    finally:
        digest.close()
    if size != stored.size or digest.hexdigest() != stored.sha256:
        log.error("stored file %s (%s) fails its checksum", stored.id, stored.key)
        raise ChecksumMismatch(CORRUPT)
    if last:
        yield last


def verify(stored: StoredFile) -> bool:
    """Whether the stored bytes are there and still match the recorded size and SHA-256 (reads
    them all)."""
    try:
        for _chunk in open_for_download(stored):
            pass
    except (ChecksumMismatch, FileNotFoundError):
        return False
    return True


def delete(stored: StoredFile) -> None:
    """Remove the row and then the bytes (a crash in between leaves an orphan object, never a
    row without its bytes)."""
    key = stored.key
    with transaction.atomic():
        stored.delete()
    _delete_quietly(key)


def sweep_orphans(
    *, older_than: datetime.timedelta, now: datetime.datetime | None = None
) -> list[str]:
    """Delete stored objects that no `StoredFile` row names and that are older than `older_than`.

    An object without a row is what a crash between writing the bytes and committing the row
    leaves (`staged` removes it on any error it sees). It is never served, only stored; this
    removes it. The age margin keeps uploads that are being committed right now."""
    cutoff = (now or timezone.now()) - older_than
    if aborted := storage.abort_stale_uploads(cutoff):
        log.warning("aborted %d multipart uploads nobody completed", len(aborted))
    candidates = [key for key, at in storage.stored_objects() if at < cutoff]
    known: set[str] = set()
    for start in range(0, len(candidates), 500):
        batch = candidates[start : start + 500]
        known.update(StoredFile.objects.filter(key__in=batch).values_list("key", flat=True))
    orphans = [key for key in candidates if key not in known]
    for key in orphans:
        _delete_quietly(key)
    if orphans:
        log.warning("removed %d stored objects without a row", len(orphans))
    return orphans
