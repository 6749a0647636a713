"""Upload handlers: large chunks, a cap on what is written to disk, and (with S3) the file sent
on to the bucket while it is still arriving (ADR 0050).

Django streams uploads over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file; without a cap a
client could fill the disk with one request. The parser still counts every byte, so the file's
`size` is its real size and `files.services.store` refuses it with the usual message.

With an S3 backend the same chunks also feed a `storage.PendingUpload`: parts go to the bucket
while the rest of the body is received, counted and hashed on the way. The temporary file is
kept (the malware scan and the content checks read it), but nothing reads it again to store
it. Parts are no object: `files.services.staged` completes the upload after the caller's
checks; an upload nobody claims is aborted when Django closes the request's files.

On a path whose uploads are malware-scanned (`SAMDRIFT_SCANNED_UPLOAD_PATHS`) the same chunks go
to clamd as they arrive (`scanning.StreamScan`, ADR 0670); the file carries the scan, whose
verdict `scanning.require_clean` takes instead of reading the file again.

A view that only stores its uploads says so with `@forwarded_uploads` (ADR 0690). With S3, its
large uploads then keep no temporary file at all: the bytes go to the bucket and to clamd as
they arrive, and the file keeps only its first `HEAD_KEPT` bytes for content checks. Writing
the temporary file was a fifth of the server's CPU per uploaded MB (perf, bench-files).
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import (
    FileUploadHandler,
    MemoryFileUploadHandler,
    TemporaryFileUploadHandler,
)
from django.utils.translation import gettext_lazy as _

from samdrift.core.exceptions import DomainError

from . import scanning, storage
from .names import clean_content_type

log = logging.getLogger(__name__)

# The multipart parser reads in the smallest chunk any handler asks for; Django's 64 KiB makes
# a 100 MB upload 1,600 rounds of boundary search and handler calls, 1 MiB makes it 100.
CHUNK_SIZE = 1024 * 1024
# What a forwarded upload keeps of its start: content checks read the first few KiB (8 KiB for
# the SAFOS documents' signatures).
HEAD_KEPT = 64 * 1024
_FORWARDED = "samdrift_uploads_forwarded"


def forwarded_uploads(view: Callable[..., Any]) -> Callable[..., Any]:
    """For a view (or a django-ninja operation, through `decorate_view`) that stores its uploads
    and reads no more of them than their first `HEAD_KEPT` bytes: any malware scan it needs is
    the one fed while they arrive, or one made later from the stored bytes (ADR 0688). With S3,
    its large uploads are then forwarded only, with no temporary file (ADR 0690). The request
    is marked before its body is parsed, which for a django-ninja operation is when its
    parameters are read."""

    @functools.wraps(view)
    def marked(request: Any, *args: Any, **kwargs: Any) -> Any:
        setattr(request, _FORWARDED, True)
        return view(request, *args, **kwargs)

    return marked


class StorageUnavailable(DomainError):
    code = "storage_unavailable"
    http_status = 503

    def __init__(self) -> None:
        super().__init__(
            _("The file store could not take the file. Nothing was saved; please try again.")
        )


class BytesNotKept(RuntimeError):
    """A forwarded upload was read past the start it keeps: the view is marked
    `@forwarded_uploads` but reads its uploads (a programming error, never the user's)."""


class LargeChunkMemoryFileUploadHandler(MemoryFileUploadHandler):
    """Django's handler for small files (kept in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE)."""

    chunk_size = CHUNK_SIZE


class _OnItsWay:
    """What an upload file carries besides its bytes: the S3 upload they went to as they
    arrived (`pending`) and clamd's scan of them, both dropped if nobody claims the file."""

    pending: storage.PendingUpload | None = None
    scan: scanning.StreamScan | None = None  # clamd's verdict on these bytes, when scanned
    scanned_after_storing = False  # large enough to be held for its scan (ADR 0688)

    def _let_go(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:  # nobody stored it: drop the parts
            _abort_quietly(pending)
        scan, self.scan = self.scan, None
        if scan is not None:
            scan.abort()  # nothing once the verdict was taken


class StreamedUploadedFile(_OnItsWay, TemporaryUploadedFile):
    """A temporary upload file whose bytes may already be on their way to S3 (`pending`)."""

    def claim(self) -> storage.PendingUpload | None:
        """The pending upload, for the storage service to complete; None when there is none."""
        pending, self.pending = self.pending, None
        return pending

    def close(self) -> None:
        self._let_go()
        super().close()


class _KeptHead(io.RawIOBase):
    """The first `HEAD_KEPT` bytes of an upload and its length: readable and seekable within
    that start; reading further raises `BytesNotKept` rather than giving a short file."""

    def __init__(self) -> None:
        super().__init__()
        self._head = bytearray()
        self._position = 0
        self.length = 0

    def keep(self, data: bytes) -> None:
        room = HEAD_KEPT - len(self._head)
        if room > 0:
            self._head += data[:room]
        self.length += len(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.length}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def readinto(self, buffer: Any) -> int:
        if self._position >= self.length:
            return 0
        if self._position >= len(self._head):
            raise BytesNotKept(
                f"only the first {len(self._head)} bytes of a forwarded upload are kept"
            )
        got = self._head[self._position : self._position + len(buffer)]
        buffer[: len(got)] = got
        self._position += len(got)
        return len(got)


class ForwardedUploadedFile(_OnItsWay, UploadedFile):
    """An upload of a `@forwarded_uploads` view whose bytes went only to S3 (and clamd) as they
    arrived, with no temporary file: `claim` gives the pending upload, the start is readable
    for content checks (ADR 0690). If S3 refused the bytes on the way, nothing has them:
    `claim` refuses with 503 and the user sends the file again."""

    def __init__(self, name: str, content_type: str, charset: Any, extra: Any) -> None:
        self._head = _KeptHead()
        super().__init__(self._head, name, content_type, 0, charset, extra)  # type: ignore[arg-type]

    def keep(self, data: bytes) -> None:
        self._head.keep(data)

    def claim(self) -> storage.PendingUpload:
        pending, self.pending = self.pending, None
        if pending is None:
            raise StorageUnavailable()
        return pending

    def close(self) -> None:
        self._let_go()
        self._head.close()


def _body_bytes(request: Any) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _abort_quietly(pending: storage.PendingUpload) -> None:
    try:
        pending.abort()
    except Exception:  # `files sweep` aborts what is left; the answer is already decided
        log.exception("could not abort the multipart upload of %s", pending.key)


class OnTheWay:
    """Where an upload's bytes go while they arrive, besides its temporary file: to the S3 bucket
    as parts (`storage.PendingUpload`, with an S3 backend) and to clamd (`scanning.StreamScan`,
    when given one). Used by the multipart handler below and by WebDAV's PUT. `finish` when the
    body has ended; `hand_over` gives both to the file that carries them to the services;
    `drop` when the upload is refused or cut off."""

    def __init__(self, content_type: str | None, scan: scanning.StreamScan | None) -> None:
        self.scan = scan
        self.pending: storage.PendingUpload | None = None
        if storage.is_s3(storage.backend()):
            self.pending = storage.PendingUpload(
                storage.new_key(), clean_content_type(content_type)
            )

    def write(self, data: bytes) -> None:
        if self.scan is not None:
            self.scan.feed(data)
        if self.pending is not None:
            try:
                self.pending.write(data)
            except Exception:  # S3 refused a part: stored the usual way from the file instead
                log.exception("sending %s while it arrives failed", self.pending.key)
                self._drop_pending()

    def finish(self) -> None:
        if self.pending is not None:
            try:
                self.pending.finish()
            except Exception:
                log.exception("sending %s while it arrived failed", self.pending.key)
                self._drop_pending()

    def hand_over(self) -> tuple[storage.PendingUpload | None, scanning.StreamScan | None]:
        taken = self.pending, self.scan
        self.pending = self.scan = None
        return taken

    def drop(self) -> None:
        self._drop_pending()
        scan, self.scan = self.scan, None
        if scan is not None:
            scan.abort()

    def _drop_pending(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            _abort_quietly(pending)


class IncomingFile:
    """An upload's file, filled as its bytes arrive, with where else they go (`OnTheWay`): a
    temporary file (`StreamedUploadedFile`) or, with S3 and a caller that only stores it, the
    kept start of a `ForwardedUploadedFile` (ADR 0690). Django's multipart handler below and
    WebDAV's PUT fill theirs the same way. `complete` once the bytes have ended gives the file
    to the services; `abandon` when the upload is cut off or refused drops what it carries."""

    def __init__(
        self,
        name: str,
        content_type: str,
        *,
        scan: scanning.StreamScan | None,
        held: bool,
        forwarded: bool,
        charset: Any = None,
        extra: Any = None,
    ) -> None:
        self._on_the_way: OnTheWay | None = OnTheWay(content_type, scan)
        self.forwarded = forwarded and self._on_the_way.pending is not None
        self.file: ForwardedUploadedFile | StreamedUploadedFile
        if self.forwarded:
            self.file = ForwardedUploadedFile(name, content_type, charset, extra)
        else:
            self.file = StreamedUploadedFile(name, content_type, 0, charset, extra)
        self.file.scanned_after_storing = held

    def write(self, data: bytes) -> None:
        if self._on_the_way is not None:
            self._on_the_way.write(data)
        if isinstance(self.file, ForwardedUploadedFile):
            self.file.keep(data)
        else:
            self.file.write(data)

    def drop(self) -> None:
        """The bytes go nowhere else any more (over the cap): the parts and the scan are dropped."""
        on_the_way, self._on_the_way = self._on_the_way, None
        if on_the_way is not None:
            on_the_way.drop()

    def complete(self, size: int) -> ForwardedUploadedFile | StreamedUploadedFile:
        on_the_way, self._on_the_way = self._on_the_way, None
        if on_the_way is not None:
            on_the_way.finish()
            self.file.pending, self.file.scan = on_the_way.hand_over()
        self.file.seek(0)
        self.file.size = size
        return self.file

    def abandon(self) -> None:
        """Cut off or refused: nothing of it is kept (a temporary file is removed on close)."""
        self.drop()
        self.file.close()


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    chunk_size = CHUNK_SIZE

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        FileUploadHandler.new_file(self, *args, **kwargs)  # the file is ours, made below
        self._written = 0
        self._cap = int(getattr(settings, "SAMDRIFT_FILES_MAX_BYTES", 100 * 1024 * 1024))
        scan, held = None, False
        if self.request is not None:
            path, body = self.request.path, _body_bytes(self.request)
            scan = scanning.stream_scan_for(path, body)
            held = scanning.scanned_after_storing(path, body)
        self._incoming = IncomingFile(
            self.file_name or "",
            self.content_type or "",
            scan=scan,
            held=held,
            forwarded=bool(getattr(self.request, _FORWARDED, False)),
            charset=self.charset,
            extra=self.content_type_extra,
        )
        self.file: Any = self._incoming.file

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self._written + len(raw_data) > self._cap:
            self._written = self._cap + 1  # over: keep counting nothing, write nothing
            self._incoming.drop()
            return None
        self._written += len(raw_data)
        self._incoming.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> Any:
        return self._incoming.complete(file_size)

    def upload_interrupted(self) -> None:
        incoming = getattr(self, "_incoming", None)
        if incoming is not None:
            incoming.abandon()
