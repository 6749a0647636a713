"""Storing and reading back through the storage layer, on a folder and on a real SeaweedFS."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tracemalloc
from pathlib import Path

import pytest
from boto3.exceptions import S3UploadFailedError
from django.core.files.storage import storages
from django.core.files.uploadedfile import TemporaryUploadedFile

from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import ValidationFailed
from samdrift.core.files import services, storage
from samdrift.core.files.models import StoredFile
from samdrift.core.files.services import FileTooLarge
from samdrift.core.i18n import in_both_languages

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def stored_keys(backend) -> set[str]:
    """Every object in the backend, looked at directly (not through samdrift)."""
    if isinstance(backend, Path):
        if not backend.exists():
            return set()
        return {str(p.relative_to(backend)) for p in backend.rglob("*") if p.is_file()}
    client = backend.client()
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=backend.bucket)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def raw_bytes(backend, key: str) -> bytes:
    if isinstance(backend, Path):
        return (backend / key).read_bytes()
    return backend.client().get_object(Bucket=backend.bucket, Key=key)["Body"].read()


class Pattern(io.RawIOBase):
    """`size` bytes of a repeating, non-trivial pattern, produced chunk by chunk (never whole)."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.block = hashlib.sha256(b"samdrift").digest() * 2048  # 64 KiB

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = min(len(buffer), self.left, len(self.block))
        buffer[:n] = self.block[:n]
        self.left -= n
        return n


def pattern_digest(size: int) -> str:
    digest = hashlib.sha256()
    stream = Pattern(size)
    while chunk := stream.read(MB):
        digest.update(chunk)
    return digest.hexdigest()


def test_a_file_round_trips_with_its_checksum(backend):
    # given
    body = os.urandom(3 * MB + 123)
    # when
    stored = services.store(
        io.BytesIO(body), "Beslut åäö.pdf", "application/pdf", actor=SYSTEM, owner_org_id=7
    )
    # then: the row, the object as the backend holds it, and the bytes read back agree
    row = StoredFile.objects.get(id=stored.id)
    assert (row.name, row.content_type, row.size, row.owner_org_id) == (
        "Beslut åäö.pdf",
        "application/pdf",
        len(body),
        7,
    )
    assert row.sha256 == hashlib.sha256(body).hexdigest()
    assert raw_bytes(backend, row.key) == body
    assert b"".join(services.open_for_download(row)) == body
    assert services.verify(row)


def test_the_key_is_ours_never_the_users_name(backend):
    stored = services.store(
        io.BytesIO(b"x"), "../../etc/passwd", "text/plain", actor=SYSTEM, owner_org_id=1
    )
    assert stored.key.startswith("files/") and "passwd" not in stored.key and ".." not in stored.key
    assert stored.name == "passwd"


def test_over_size_is_refused_in_both_languages_and_nothing_is_left(backend):
    # given: a stream that does not say its size, so the limit is found while writing
    before = stored_keys(backend)
    rows = StoredFile.objects.count()
    # when
    with pytest.raises(FileTooLarge) as refused:
        services.store(
            Pattern(9 * MB), "stor.bin", None, actor=SYSTEM, owner_org_id=1, max_bytes=8 * MB
        )
    # then
    both = in_both_languages(refused.value.message, refused.value.params)
    assert both["sv"] == "Filen är för stor: högst 8 MB får laddas upp."
    assert both["en"] == "The file is too large: at most 8 MB may be uploaded."
    assert refused.value.http_status == 413
    assert stored_keys(backend) == before
    assert StoredFile.objects.count() == rows


def test_a_declared_size_over_the_limit_is_refused_before_writing(backend):
    before = stored_keys(backend)
    upload = TemporaryUploadedFile("stor.bin", "application/octet-stream", 11 * MB, None)
    with pytest.raises(FileTooLarge):
        services.store(upload, "stor.bin", None, actor=SYSTEM, owner_org_id=1, max_bytes=10 * MB)
    upload.close()
    assert stored_keys(backend) == before


@pytest.mark.parametrize("name", ["", "..", "/", "   ", "\x00\x01", "C:\\Temp\\", "***"])
def test_an_unusable_name_is_refused_in_both_languages_before_writing(backend, name):
    before = stored_keys(backend)
    with pytest.raises(ValidationFailed) as refused:
        services.store(io.BytesIO(b"data"), name, None, actor=SYSTEM, owner_org_id=1)
    both = in_both_languages(refused.value.message)
    assert both["sv"].startswith("Filnamnet är tomt eller oanvändbart")
    assert both["en"].startswith("The file name is empty or unusable")
    assert stored_keys(backend) == before
    assert not StoredFile.objects.exists()


def test_an_empty_file_is_refused_and_removed(backend):
    before = stored_keys(backend)
    with pytest.raises(ValidationFailed) as refused:
        services.store(io.BytesIO(b""), "tom.txt", None, actor=SYSTEM, owner_org_id=1)
    assert in_both_languages(refused.value.message)["sv"] == "Filen är tom."
    assert stored_keys(backend) == before


def test_a_failing_caller_transaction_removes_the_bytes(backend):
    before = stored_keys(backend)

    def caller() -> None:
        with services.staged(
            io.BytesIO(b"abc"), "a.txt", None, actor=SYSTEM, owner_org_id=1
        ) as stored:
            stored.save()
            raise RuntimeError("the caller's own write failed")

    with pytest.raises(RuntimeError):
        caller()
    assert stored_keys(backend) == before


def test_tampered_bytes_fail_verification_and_the_download_ends_short(local_backend):
    # given: a stored file whose bytes change behind samdrift's back
    body = os.urandom(2 * MB + 5)
    stored = services.store(io.BytesIO(body), "a.bin", None, actor=SYSTEM, owner_org_id=1)
    path = local_backend / stored.key
    tampered = bytearray(body)
    tampered[-1] ^= 0xFF
    path.write_bytes(bytes(tampered))
    # then
    assert not services.verify(stored)
    sent: list[bytes] = []
    chunks = services.open_for_download(stored)
    with pytest.raises(services.ChecksumMismatch):
        sent.extend(chunks)
    assert sum(map(len, sent)) < stored.size  # the last chunk was held back


@pytest.mark.parametrize(
    "change",
    [lambda body: body + b"x", lambda body: body[:-1], lambda body: body + os.urandom(MB)],
    ids=["a byte appended", "the last byte gone", "a chunk appended"],
)
def test_stored_bytes_of_another_length_fail_and_the_download_ends_short(local_backend, change):
    # given: exactly two chunks recorded; the stored object grows or shrinks behind our back
    body = os.urandom(2 * MB)
    stored = services.store(io.BytesIO(body), "a.bin", None, actor=SYSTEM, owner_org_id=1)
    (local_backend / stored.key).write_bytes(change(body))
    # then: never the whole file, however the recorded size falls on the chunks
    assert not services.verify(stored)
    sent: list[bytes] = []
    with pytest.raises(services.ChecksumMismatch):
        sent.extend(services.open_for_download(stored))
    assert sum(map(len, sent)) < stored.size


def test_a_download_sends_each_chunk_as_it_is_read_but_the_last(local_backend, monkeypatch):
    body = os.urandom(3 * MB + 1)
    stored = services.store(io.BytesIO(body), "a.bin", None, actor=SYSTEM, owner_org_id=1)
    read = 0
    stored_chunks = services.storage.read_chunks

    def counted(key):  # type: ignore[no-untyped-def]
        nonlocal read
        for chunk in stored_chunks(key):
            read += 1
            yield chunk

    monkeypatch.setattr(services.storage, "read_chunks", counted)
    chunks = services.open_for_download(stored)
    assert next(chunks) == body[:MB] and read == 1  # not held back for the next read
    assert next(chunks) == body[MB : 2 * MB] and read == 2
    assert b"".join(chunks) == body[2 * MB :]


def test_storing_and_reading_a_large_file_keeps_memory_bounded(backend):
    # given: 96 MB, far above FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
    size = 96 * MB
    storages["default"]  # build the backend (boto3 client) before measuring
    tracemalloc.start()
    try:
        # when
        stored = services.store(
            Pattern(size), "stor.bin", None, actor=SYSTEM, owner_org_id=1, max_bytes=size
        )
        digest = hashlib.sha256()
        for chunk in services.open_for_download(stored):
            digest.update(chunk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # then: right bytes, and never more than a few parts held at once
    assert stored.size == size
    assert stored.sha256 == digest.hexdigest() == pattern_digest(size)
    limit = 8 * MB if isinstance(backend, Path) else 40 * MB
    assert peak < limit, f"peak {peak / MB:.1f} MB"


def _temporary_upload(body: bytes, declared: int | None = None) -> TemporaryUploadedFile:
    upload = TemporaryUploadedFile("upload.bin", "application/pdf", declared or len(body), None)
    upload.write(body)
    upload.flush()
    return upload


def test_a_temporary_upload_file_is_stored_from_its_path(backend):
    # given: what Django's upload handler leaves for a file over FILE_UPLOAD_MAX_MEMORY_SIZE
    body = os.urandom(12 * MB + 3)
    upload = _temporary_upload(body)
    # when
    stored = services.store(upload, "plan.pdf", "application/pdf", actor=SYSTEM, owner_org_id=1)
    upload.close()
    # then
    assert stored.sha256 == hashlib.sha256(body).hexdigest()
    assert raw_bytes(backend, stored.key) == body
    assert b"".join(services.open_for_download(stored)) == body
    if not isinstance(backend, Path):  # the S3 server checked and keeps our SHA-256 too
        head = backend.client().head_object(
            Bucket=backend.bucket, Key=stored.key, ChecksumMode="ENABLED"
        )
        assert base64.b64decode(head["ChecksumSHA256"]).hex() == stored.sha256


def test_a_temporary_upload_over_the_limit_is_refused_even_if_it_claims_less(backend):
    before = stored_keys(backend)
    upload = _temporary_upload(os.urandom(3 * MB), declared=1)
    with pytest.raises(FileTooLarge):
        services.store(upload, "a.bin", None, actor=SYSTEM, owner_org_id=1, max_bytes=2 * MB)
    upload.close()
    assert stored_keys(backend) == before


def test_the_s3_server_refuses_bytes_that_differ_from_our_checksum(s3_backend, tmp_path):
    # given: a file whose bytes are not the ones we hashed (changed between hash and send)
    path = tmp_path / "upload.bin"
    path.write_bytes(b"what is on disk now")
    before = stored_keys(s3_backend)
    # then: SeaweedFS compares x-amz-checksum-sha256 with what it received and refuses
    with pytest.raises(S3UploadFailedError, match="BadDigest"):
        storage.save_file(
            "files/test/mismatch", str(path), None, "text/plain", hashlib.sha256(b"x").hexdigest()
        )
    assert stored_keys(s3_backend) == before


def test_a_small_upload_is_one_put_that_carries_our_checksum(s3_backend):
    # given: what Django's handler keeps in memory (a file that says its size)
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = os.urandom(MB + 7)
    upload = SimpleUploadedFile("beslut.pdf", body, "application/pdf")
    sent: list[tuple[str, dict[str, str]]] = []

    def capture(request, **kwargs):
        sent.append((request.method, dict(request.headers)))

    clients = [storage._client(storage.backend()), storage._checked_client(storage.backend())]
    for client in clients:
        client.meta.events.register("before-send.s3", capture)
    try:
        stored = services.store(upload, "beslut.pdf", None, actor=SYSTEM, owner_org_id=1)
    finally:
        for client in clients:
            client.meta.events.unregister("before-send.s3", capture)
    # then: one PUT, no existence check first; the body is hashed once (ours, signed as a header
    # the server verifies) and not again for the signature (ADR 0620)
    assert [method for method, _headers in sent] == ["PUT"]
    headers = {name.lower(): value for name, value in sent[0][1].items()}
    assert headers["x-amz-content-sha256"] == b"UNSIGNED-PAYLOAD"
    assert base64.b64decode(headers["x-amz-checksum-sha256"]).hex() == stored.sha256
    assert "x-amz-checksum-sha256" in headers["authorization"].decode()
    assert raw_bytes(s3_backend, stored.key) == body


def test_the_s3_server_refuses_a_small_put_whose_bytes_differ_from_our_checksum(s3_backend):
    before = stored_keys(s3_backend)
    with pytest.raises(Exception, match="BadDigest"):
        storage.put_checked(
            "files/test/small", b"sent", "text/plain", hashlib.sha256(b"x").hexdigest()
        )
    assert stored_keys(s3_backend) == before


def test_a_stream_that_claims_to_be_small_but_is_not_is_stored_whole(backend):
    # given: a stream whose declared size is wrong (larger than the small-file bound)
    body = os.urandom(services.SMALL_FILE_BYTES + 3 * MB + 5)
    stream = io.BytesIO(body)
    stream.size = 10  # type: ignore[attr-defined]
    # when
    stored = services.store(stream, "a.bin", None, actor=SYSTEM, owner_org_id=1)
    # then: every byte once, in order, and the checksum is the bytes'
    assert stored.size == len(body)
    assert stored.sha256 == hashlib.sha256(body).hexdigest()
    assert raw_bytes(backend, stored.key) == body
