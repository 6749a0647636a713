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
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler

from . import scanning, storage
from .names import clean_content_type

log = logging.getLogger(__name__)

# The multipart parser reads in the smallest chunk any handler asks for; Django's 64 KiB makes
# a 100 MB upload 1,600 rounds of boundary search and handler calls, 1 MiB makes it 100.
CHUNK_SIZE = 1024 * 1024


class LargeChunkMemoryFileUploadHandler(MemoryFileUploadHandler):
    """Django's handler for small files (kept in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE)."""

    chunk_size = CHUNK_SIZE


class StreamedUploadedFile(TemporaryUploadedFile):
    """A temporary upload file whose bytes may already be on their way to S3 (`pending`)."""

    pending: storage.PendingUpload | None = None
    scan: scanning.StreamScan | None = None  # clamd's verdict on these bytes, when scanned

    def claim(self) -> storage.PendingUpload | None:
        """The pending upload, for the storage service to complete; None when there is none."""
        pending, self.pending = self.pending, None
        return pending

    def close(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:  # nobody stored it: drop the parts
            _abort_quietly(pending)
        scan, self.scan = self.scan, None
        if scan is not None:
            scan.abort()  # nothing once the verdict was taken
        super().close()


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


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    chunk_size = CHUNK_SIZE

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.file = StreamedUploadedFile(
            self.file_name or "", self.content_type or "", 0, self.charset, self.content_type_extra
        )
        self._written = 0
        self._cap = int(getattr(settings, "SAMDRIFT_FILES_MAX_BYTES", 100 * 1024 * 1024))
        scan = None
        if self.request is not None:
            scan = scanning.stream_scan_for(self.request.path, _body_bytes(self.request))
        self._on_the_way: OnTheWay | None = OnTheWay(self.content_type, scan)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self._written + len(raw_data) > self._cap:
            self._written = self._cap + 1  # over: keep counting nothing, write nothing
            self._drop()
            return None
        self._written += len(raw_data)
        if self._on_the_way is not None:
            self._on_the_way.write(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int) -> Any:
        file = super().file_complete(file_size)
        on_the_way, self._on_the_way = self._on_the_way, None
        if on_the_way is not None and isinstance(self.file, StreamedUploadedFile):
            on_the_way.finish()
            self.file.pending, self.file.scan = on_the_way.hand_over()
        elif on_the_way is not None:
            on_the_way.drop()
        return file

    def upload_interrupted(self) -> None:
        self._drop()
        super().upload_interrupted()

    def _drop(self) -> None:
        on_the_way, self._on_the_way = getattr(self, "_on_the_way", None), None
        if on_the_way is not None:
            on_the_way.drop()
