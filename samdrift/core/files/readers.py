"""Stored bytes as a readable file: what a reader that wants `read(n)` (WsgiDAV's GET, clamd's
INSTREAM) takes, over the chunks storage yields, holding one chunk at a time."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

CHUNK = 1024 * 1024


class _Chunks(io.RawIOBase):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                return 0
        count = min(len(buffer), len(self.pending))
        buffer[:count] = self.pending[:count]
        self.pending = self.pending[count:]
        return count


def chunk_reader(chunks: Iterator[bytes]) -> io.BufferedReader:
    """`chunks` (e.g. `services.open_for_download`, `storage.read_chunks`) as a buffered file."""
    return io.BufferedReader(_Chunks(chunks), CHUNK)
