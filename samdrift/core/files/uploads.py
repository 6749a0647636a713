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


def _abort_quietly(pending: storage.PendingUpload) -> None:
    try:
        pending.abort()
    except Exception:  # `files sweep` aborts what is left; the answer is already decided
        log.exception("could not abort the multipart upload of %s", pending.key)


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    chunk_size = CHUNK_SIZE

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.file = StreamedUploadedFile(
            self.file_name or "", self.content_type or "", 0, self.charset, self.content_type_extra
        )
        self._written = 0
        self._cap = int(getattr(settings, "SAMDRIFT_FILES_MAX_BYTES", 100 * 1024 * 1024))
        self._pending: storage.PendingUpload | None = None
        self._scan = scanning.stream_scan_for(self.request.path) if self.request else None
        if storage.is_s3(storage.backend()):
            content_type = clean_content_type(self.content_type)
            self._pending = storage.PendingUpload(storage.new_key(), content_type)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self._written + len(raw_data) > self._cap:
            self._written = self._cap + 1  # over: keep counting nothing, write nothing
            self._drop_pending()
            self._drop_scan()
            return None
        self._written += len(raw_data)
        if self._scan is not None:
            self._scan.feed(raw_data)
        if self._pending is not None:
            try:
                self._pending.write(raw_data)
            except Exception:  # S3 refused a part: store the usual way from the file instead
                log.exception("sending %s while it arrives failed", self._pending.key)
                self._drop_pending()
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int) -> Any:
        file = super().file_complete(file_size)
        if self._scan is not None and isinstance(self.file, StreamedUploadedFile):
            self.file.scan, self._scan = self._scan, None
        pending = self._pending
        if (
            pending is not None
            and self._written <= self._cap
            and isinstance(self.file, StreamedUploadedFile)
        ):
            try:
                pending.finish()
                self.file.pending, self._pending = pending, None
            except Exception:
                log.exception("sending %s while it arrived failed", pending.key)
                self._drop_pending()
        return file

    def upload_interrupted(self) -> None:
        self._drop_pending()
        self._drop_scan()
        super().upload_interrupted()

    def _drop_scan(self) -> None:
        scan, self._scan = getattr(self, "_scan", None), None
        if scan is not None:
            scan.abort()

    def _drop_pending(self) -> None:
        pending, self._pending = getattr(self, "_pending", None), None
        if pending is not None:
            _abort_quietly(pending)
