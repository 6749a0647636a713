"""The encrypted backup file: a tar stream sealed in chunks with AES-256-GCM (ADR 0900).

Layout: a fixed header (magic, format version, scrypt cost, salt, nonce prefix), then chunks of
at most `CHUNK` plaintext bytes, each `length (4 bytes) || ciphertext || tag`. The nonce of chunk
i is `prefix (7) || i (4) || last (1)` and the header is every chunk's associated data (the
STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár), so that

* a changed byte anywhere, header included, fails that chunk's tag;
* reordered or dropped chunks fail, since the counter is in the nonce;
* a truncated file fails, since only the final chunk carries `last = 1`, and bytes after it
  are refused.

The key comes from the passphrase with scrypt (RFC 7914); the passphrase is never stored.
Nothing is written to its destination before it has been authenticated: `open_archive`
decrypts into a private temporary folder, and only a complete, authenticated stream counts.
"""

from __future__ import annotations

import io
import os
import struct
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"SAMDRIFT-BACKUP\x00"
FORMAT = 1
CHUNK = 1024 * 1024
TAG = 16
HEADER = struct.Struct(">16sBBBB16s7s")  # magic, format, log2 n, r, p, salt, nonce prefix
LENGTH = struct.Struct(">I")
DEFAULT_LOG2_N = (
    17  # 128 MiB of memory and about a third of a second: a passphrase is costly to guess
)


class ArchiveError(Exception):
    """The file is not a samdrift backup, or not this one: wrong passphrase, changed, cut short."""


def _key(passphrase: bytes, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    if not passphrase:
        raise ArchiveError("empty passphrase")
    if not 14 <= log2_n <= 22 or not 1 <= r <= 32 or not 1 <= p <= 16:
        raise ArchiveError("unreasonable key derivation parameters")
    return Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p).derive(passphrase)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    if index >= 2**32:
        raise ArchiveError("too many chunks")
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class SealingWriter(io.RawIOBase):
    """A write-only file object: what is written to it reaches `target` sealed. `close()` seals
    the final chunk; a writer that is never closed leaves a file that will not open."""

    def __init__(self, target: IO[bytes], passphrase: bytes, log2_n: int = DEFAULT_LOG2_N) -> None:
        super().__init__()
        salt, prefix = os.urandom(16), os.urandom(7)
        self._header = HEADER.pack(MAGIC, FORMAT, log2_n, 8, 1, salt, prefix)
        self._aead = AESGCM(_key(passphrase, salt, log2_n, 8, 1))
        self._prefix = prefix
        self._target = target
        self._buffer = bytearray()
        self._held: bytes | None = None
        self._index = 0
        target.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        # Chunks are cut at CHUNK boundaries. A full chunk is held back until more bytes come,
        # since only close() knows which chunk is the last; whole chunks inside `data` are
        # sealed straight from it, without copying them into a buffer first.
        view = memoryview(data).cast("B")
        written = len(view)
        while len(view):
            if self._held is not None:
                self._seal(self._held, last=False)
                self._held = None
            if self._buffer:
                take = CHUNK - len(self._buffer)
                self._buffer += view[:take]
                view = view[take:]
                if len(self._buffer) == CHUNK:
                    self._held = bytes(self._buffer)
                    self._buffer.clear()
            elif len(view) > CHUNK:
                self._seal(view[:CHUNK], last=False)
                view = view[CHUNK:]
            elif len(view) == CHUNK:
                self._held = bytes(view)
                view = view[CHUNK:]
            else:
                self._buffer += view
                view = view[len(view) :]
        return written

    def _seal(self, plain: bytes | memoryview, *, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._index, last), plain, self._header)
        self._target.write(LENGTH.pack(len(sealed)))
        self._target.write(sealed)
        self._index += 1

    def close(self) -> None:
        if not self.closed:
            if self._held is not None and self._buffer:
                self._seal(self._held, last=False)
                self._held = None
            self._seal(self._held if self._held is not None else bytes(self._buffer), last=True)
            self._held = None
            self._buffer.clear()
            self._target.flush()
        super().close()


class OpeningReader(io.RawIOBase):
    """A read-only file object over a sealed file: each chunk is authenticated before any of its
    bytes are handed out, and the end is reached only through the final chunk."""

    def __init__(self, source: IO[bytes], passphrase: bytes) -> None:
        super().__init__()
        header = source.read(HEADER.size)
        if len(header) != HEADER.size:
            raise ArchiveError("not a samdrift backup (too short)")
        magic, version, log2_n, r, p, salt, prefix = HEADER.unpack(header)
        if magic != MAGIC:
            raise ArchiveError("not a samdrift backup")
        if version != FORMAT:
            raise ArchiveError(f"backup format {version}, this samdrift reads format {FORMAT}")
        self._header = header
        self._aead = AESGCM(_key(passphrase, salt, log2_n, r, p))
        self._prefix = prefix
        self._source = source
        self._plain = b""
        self._offset = (
            0  # into _plain: slicing a 1 MiB chunk per small read would copy it each time
        )
        self._index = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        length = self._source.read(LENGTH.size)
        if len(length) != LENGTH.size:
            raise ArchiveError("the backup is cut short (its final part is missing)")
        (size,) = LENGTH.unpack(length)
        if not TAG <= size <= CHUNK + TAG:
            raise ArchiveError("the backup is damaged (a part has an impossible length)")
        sealed = self._source.read(size)
        if len(sealed) != size:
            raise ArchiveError("the backup is cut short (a part is incomplete)")
        for last in (False, True):
            try:
                plain = self._aead.decrypt(
                    _nonce(self._prefix, self._index, last), sealed, self._header
                )
            except InvalidTag:
                continue
            self._index += 1
            self._plain, self._offset = plain, 0
            if last:
                if self._source.read(1):
                    raise ArchiveError("the backup has bytes after its end")
                self._done = True
            return
        if self._index == 0:
            raise ArchiveError("wrong passphrase, or the backup is damaged")
        raise ArchiveError(f"the backup is damaged or changed (part {self._index + 1})")

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while self._offset >= len(self._plain):
            if self._done:
                return 0
            self._next_chunk()
        size = min(len(buffer), len(self._plain) - self._offset)
        buffer[:size] = self._plain[self._offset : self._offset + size]
        self._offset += size
        return size
