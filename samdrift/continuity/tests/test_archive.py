"""The sealed stream on its own (ADR 0900), with 64-byte chunks so that every boundary case is
cheap: any pattern of writes reads back the same bytes, and a file cut anywhere, changed
anywhere or read with another passphrase is refused."""

from __future__ import annotations

import io
import os
import random

import pytest

from samdrift.continuity import archive

PASSPHRASE = b"passphrase-1234"


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "CHUNK", 64)


def _seal(data: bytes, pieces: list[int]) -> bytes:
    out = io.BytesIO()
    writer = archive.SealingWriter(out, PASSPHRASE, log2_n=14)
    position = 0
    for size in pieces:
        writer.write(data[position : position + size])
        position += size
    writer.write(data[position:])
    writer.close()
    return out.getvalue()


def _open(blob: bytes, passphrase: bytes = PASSPHRASE) -> bytes:
    return archive.OpeningReader(io.BytesIO(blob), passphrase).read()


def test_every_pattern_of_writes_reads_back_the_same_bytes() -> None:
    rng = random.Random(20261204)
    for total in [0, 1, 63, 64, 65, 128, 129, *(rng.randrange(0, 2000) for _ in range(60))]:
        data = os.urandom(total)
        pieces = [rng.choice([1, 7, 64, 65, 128, 200]) for _ in range(rng.randrange(0, 12))]
        assert _open(_seal(data, pieces)) == data, (total, pieces)


def test_a_cut_changed_or_extended_file_or_another_passphrase_is_refused() -> None:
    blob = _seal(os.urandom(1000), [100, 64, 300])
    for cut in (0, 10, archive.HEADER.size, archive.HEADER.size + 3, len(blob) // 2, len(blob) - 1):
        with pytest.raises(archive.ArchiveError):
            _open(blob[:cut])
    for offset in range(0, len(blob), 37):
        changed = bytearray(blob)
        changed[offset] ^= 0x80
        with pytest.raises(archive.ArchiveError):
            _open(bytes(changed))
    with pytest.raises(archive.ArchiveError, match="after its end"):
        _open(blob + b"\x00")
    with pytest.raises(archive.ArchiveError, match="wrong passphrase"):
        _open(blob, b"another-passphrase")


def test_chunks_cannot_be_reordered_or_dropped() -> None:
    blob = _seal(os.urandom(64 * 4), [])
    header, body = blob[: archive.HEADER.size], blob[archive.HEADER.size :]
    part = archive.LENGTH.size + 64 + archive.TAG
    chunks = [body[i : i + part] for i in range(0, len(body), part)]
    assert len(chunks) == 4
    with pytest.raises(archive.ArchiveError):
        _open(header + chunks[1] + chunks[0] + b"".join(chunks[2:]))
    with pytest.raises(archive.ArchiveError):
        _open(header + chunks[0] + b"".join(chunks[2:]))
