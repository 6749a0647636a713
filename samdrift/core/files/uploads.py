"""An upload handler that stops writing a file to disk once it is over the largest size samdrift
accepts. Django streams uploads over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file; without a
cap a client could fill the disk with one request. The parser still counts every byte, so the
file's `size` is its real size and `files.services.store` refuses it with the usual message."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler

# The multipart parser reads in the smallest chunk any handler asks for; Django's 64 KiB makes
# a 100 MB upload 1,600 rounds of boundary search and handler calls, 1 MiB makes it 100.
CHUNK_SIZE = 1024 * 1024


class LargeChunkMemoryFileUploadHandler(MemoryFileUploadHandler):
    """Django's handler for small files (kept in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE)."""

    chunk_size = CHUNK_SIZE


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    chunk_size = CHUNK_SIZE

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self._written = 0
        self._cap = int(getattr(settings, "SAMDRIFT_FILES_MAX_BYTES", 100 * 1024 * 1024))

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self._written + len(raw_data) > self._cap:
            self._written = self._cap + 1  # over: keep counting nothing, write nothing
            return None
        self._written += len(raw_data)
        return super().receive_data_chunk(raw_data, start)
