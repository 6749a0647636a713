"""The storage backend: Django's `STORAGES["default"]`, a folder or an S3 bucket (ADR 0015).

Writes go through the Storage API. Reads do not always: django-storages' `S3File` buffers the
whole object before the first byte is read (in memory by default), so for S3 we read the
object's HTTP body in chunks instead (ADR 0016).
"""

from __future__ import annotations

import base64
import datetime
import os
import uuid
import zlib
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from boto3.s3.transfer import TransferConfig
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils import timezone

from samdrift.core.lent_threads import ParallelSha256

CHUNK_SIZE = 1024 * 1024
# From a file on disk boto3 streams a single PUT (SeaweedFS took 5 MB multipart parts a third
# slower at 16 MB, bench-files); parts of 16 MB, four at a time, only above 64 MB.
FROM_DISK = TransferConfig(
    multipart_threshold=64 * 1024 * 1024, multipart_chunksize=16 * 1024 * 1024, max_concurrency=4
)


def new_key() -> str:
    """A new object key. Ours, never the user's: no name can escape the folder, collide or
    reveal anything."""
    return f"files/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


def backend() -> Storage:
    return storages["default"]


def is_s3(storage: Storage) -> bool:
    # On the class: reading `connection` on the instance builds a boto3 resource per thread.
    return hasattr(storage, "bucket_name") and hasattr(type(storage), "connection")


def read_chunks(key: str, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The stored bytes of `key`, chunk by chunk; never more than one chunk held at a time."""
    storage = backend()
    if is_s3(storage):
        s3: Any = storage
        client = _client(s3)
        try:
            body = client.get_object(Bucket=s3.bucket_name, Key=s3._normalize_name(key))["Body"]
        except client.exceptions.NoSuchKey:
            raise FileNotFoundError(key) from None
        try:
            yield from body.iter_chunks(chunk_size)
        finally:
            body.close()
        return
    with storage.open(key, "rb") as handle:
        while chunk := handle.read(chunk_size):
            yield chunk


def save_file(key: str, path: str, upload: Any, content_type: str, sha256: str) -> str:
    """Store a file that is already complete on local disk (Django's temporary upload file).

    A folder backend moves it into place (a rename when on the same disk). For S3, boto3 is
    given the *path*: its workers then read their own parts from the file in parallel, where an
    open file object makes it read every part in one thread first (s3transfer's
    UploadSeekableInputManager). Read from disk as it is sent, a part never sits in memory.
    A single PUT carries our SHA-256 (`x-amz-checksum-sha256`): the S3 server checks the bytes it
    received against it and refuses the write if they differ."""
    storage = backend()
    if not is_s3(storage):
        return storage.save(key, upload)
    s3: Any = storage
    extra = {"ContentType": content_type}
    client = _client(s3)
    if os.path.getsize(path) < FROM_DISK.multipart_threshold:
        extra["ChecksumSHA256"] = _base64(sha256)
        client = _checked_client(s3)
    client.upload_file(
        path, s3.bucket_name, s3._normalize_name(key), ExtraArgs=extra, Config=FROM_DISK
    )
    return key


def put_checked(key: str, body: bytes, content_type: str, sha256: str) -> str:
    """Store a small file held in memory as one S3 PUT carrying our SHA-256 (the S3 server
    refuses the write if the bytes differ). Straight through the shared client: no existence
    check (our keys are new UUIDs), no per-thread boto3 resource, no transfer threads — for a
    1 MB document those cost more than sending it (ADR 0620). A folder backend: `save`."""
    storage = backend()
    if not is_s3(storage):
        return storage.save(key, ContentFile(body, name=key))
    s3: Any = storage
    _put_object_checked(_checked_client(s3), s3.bucket_name, s3._normalize_name(key), body,
                        content_type, sha256)  # fmt: skip
    return key


def _put_object_checked(
    client: Any, bucket: str, name: str, body: bytes, content_type: str, sha256: str
) -> None:
    """One PUT carrying our SHA-256, which the S3 server checks (ADR 0620)."""
    client.put_object(
        Bucket=bucket, Key=name, Body=body, ContentType=content_type,
        ChecksumSHA256=_base64(sha256),
    )  # fmt: skip


def _base64(sha256_hex: str) -> str:
    return base64.b64encode(bytes.fromhex(sha256_hex)).decode()


def _client(s3: Any) -> Any:
    """Our backend's shared, thread-safe client; a stock S3Storage's per-thread one otherwise."""
    return getattr(s3, "client", None) or s3.connection.meta.client


def _checked_client(s3: Any) -> Any:
    """The client for writes carrying a checksum the S3 server checks: our SHA-256 on whole
    objects (ADR 0620), the CRC32 of each part (ADR 0669); the payload is not hashed again."""
    return getattr(s3, "checked_client", None) or _client(s3)


def stored_objects(prefix: str = "files/") -> Iterator[tuple[str, datetime.datetime]]:
    """Every object under `prefix` with the time it was written, read from the backend itself
    (S3: listed by pages of 1,000; a folder: walked)."""
    storage = backend()
    if is_s3(storage):
        s3: Any = storage
        pages = (
            _client(s3)
            .get_paginator("list_objects_v2")
            .paginate(Bucket=s3.bucket_name, Prefix=s3._normalize_name(prefix))
        )
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"], item["LastModified"]
        return
    root = Path(storage.path(""))
    for path in sorted((root / prefix).rglob("*")):
        if path.is_file():
            modified = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
            yield str(path.relative_to(root)), modified


# --- an upload sent to S3 while it is still arriving (ADR 0050) --------------------------------

PART_SIZE = 5 * 1024 * 1024  # S3's smallest part: the most overlap for the least memory
# Three parts in flight keep the S3 server busy while the parser reads on (two left it idle
# between parts, bench-files); the last part goes out at once, whatever is in flight.
PARTS_IN_FLIGHT = 3
_part_senders = ThreadPoolExecutor(max_workers=8, thread_name_prefix="s3-parts")


class PendingUpload:
    """An S3 multipart upload fed while the request body is still being received.

    `write` counts, hashes and buffers the bytes; every `PART_SIZE` they go out as one part in a
    background thread (at most `PARTS_IN_FLIGHT` per upload), so receiving from the client and
    sending to S3 overlap. Each part carries the CRC32 of its bytes, taken as they arrive, which
    the S3 server checks (a damaged part is refused); its payload is not hashed a second time
    for SigV4 (ADR 0669): the whole file's SHA-256 is ours, recorded and checked on every read.
    Nothing is an object until `complete`: until then the parts are invisible (not listed, not
    readable), and `abort` drops them. A file smaller than one part
    is sent as a single PUT at `complete`, with its SHA-256 for the server to check. Memory:
    at most (1 + PARTS_IN_FLIGHT) parts per upload, whatever the file's size (the last part,
    sent without waiting, leaves nothing buffered behind it)."""

    def __init__(self, key: str, content_type: str) -> None:
        s3: Any = backend()
        self.key = key
        self.size = 0
        self.sha256 = ParallelSha256()  # beside the parsing, not in its way (ADR 0669)
        self._client = _client(s3)
        self._checked_client = _checked_client(s3)
        self._bucket = s3.bucket_name
        self._name = s3._normalize_name(key)
        self._content_type = content_type
        self._buffer: list[bytes] = []
        self._buffered = 0
        self._crc32 = 0
        self._upload_id: str | None = None
        self._parts: list[Future[dict[str, Any]]] = []
        self._finished = False
        self._closed = False

    def write(self, data: bytes) -> None:
        self.size += len(data)
        self.sha256.update(data)
        self._crc32 = zlib.crc32(data, self._crc32)
        self._buffer.append(data)
        self._buffered += len(data)
        if self._buffered >= PART_SIZE:
            self._send_part()

    def finish(self) -> None:
        """The body has ended: send what is buffered as the last part (when parts were sent)."""
        self._finished = True
        if self._upload_id is not None and self._buffer:
            self._send_part(last=True)

    def complete(self, sha256_hex: str) -> None:
        """Make the object: the single PUT, or the multipart upload's completion."""
        if not self._finished:
            raise RuntimeError("the upload has not finished arriving")
        self._closed = True
        if self._upload_id is None:
            _put_object_checked(self._checked_client, self._bucket, self._name,
                                b"".join(self._buffer), self._content_type, sha256_hex)  # fmt: skip
            self._buffer.clear()
            return
        try:
            parts = [future.result() for future in self._parts]
            self._checked_client.complete_multipart_upload(
                Bucket=self._bucket,
                Key=self._name,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            self._abort()
            raise

    def abort(self) -> None:
        """Drop the parts sent so far (nothing was stored). Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        self._buffer.clear()
        self.sha256.close()
        self._abort()

    def _abort(self) -> None:
        for future in self._parts:
            future.cancel()
        wait(self._parts)
        if self._upload_id is not None:
            self._checked_client.abort_multipart_upload(
                Bucket=self._bucket, Key=self._name, UploadId=self._upload_id
            )

    def _send_part(self, last: bool = False) -> None:
        if self._upload_id is None:
            self._upload_id = self._checked_client.create_multipart_upload(
                Bucket=self._bucket,
                Key=self._name,
                ContentType=self._content_type,
                ChecksumAlgorithm="CRC32",
            )["UploadId"]
        body = self._buffer[0] if len(self._buffer) == 1 else b"".join(self._buffer)
        crc32 = base64.b64encode(self._crc32.to_bytes(4, "big")).decode()
        self._buffer, self._buffered, self._crc32 = [], 0, 0
        in_flight = [future for future in self._parts if not future.done()]
        if len(in_flight) >= PARTS_IN_FLIGHT and not last:
            wait(in_flight, return_when=FIRST_COMPLETED)  # back-pressure: the reader waits
        number = len(self._parts) + 1
        self._parts.append(_part_senders.submit(self._upload_part, number, body, crc32))

    def _upload_part(self, number: int, body: bytes, crc32: str) -> dict[str, Any]:
        answer = self._checked_client.upload_part(
            Bucket=self._bucket,
            Key=self._name,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=body,
            ChecksumCRC32=crc32,
        )
        return {"ETag": answer["ETag"], "PartNumber": number, "ChecksumCRC32": crc32}


def abort_stale_uploads(older_than: datetime.datetime, prefix: str = "files/") -> list[str]:
    """Abort multipart uploads begun before `older_than` (a server that died mid-upload leaves
    them; they are no objects, but the S3 server keeps their parts). A folder: nothing to do."""
    storage = backend()
    if not is_s3(storage):
        return []
    s3: Any = storage
    client = _client(s3)
    aborted = []
    pages = client.get_paginator("list_multipart_uploads").paginate(
        Bucket=s3.bucket_name, Prefix=s3._normalize_name(prefix)
    )
    for page in pages:
        for item in page.get("Uploads", []):
            if item["Initiated"] < older_than:
                client.abort_multipart_upload(
                    Bucket=s3.bucket_name, Key=item["Key"], UploadId=item["UploadId"]
                )
                aborted.append(item["Key"])
    return aborted
