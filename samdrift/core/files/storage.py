"""The storage backend: Django's `STORAGES["default"]`, a folder or an S3 bucket (ADR 0015).

Writes go through the Storage API. Reads do not always: django-storages' `S3File` buffers the
whole object before the first byte is read (in memory by default), so for S3 we read the
object's HTTP body in chunks instead (ADR 0016).
"""

from __future__ import annotations

import base64
import datetime
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from boto3.s3.transfer import TransferConfig
from django.core.files.storage import Storage, storages

CHUNK_SIZE = 1024 * 1024
# From a file on disk boto3 streams a single PUT (SeaweedFS took 5 MB multipart parts a third
# slower at 16 MB, bench-files); parts of 16 MB, four at a time, only above 64 MB.
FROM_DISK = TransferConfig(
    multipart_threshold=64 * 1024 * 1024, multipart_chunksize=16 * 1024 * 1024, max_concurrency=4
)


def backend() -> Storage:
    return storages["default"]


def is_s3(storage: Storage) -> bool:
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


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
    if os.path.getsize(path) < FROM_DISK.multipart_threshold:
        extra["ChecksumSHA256"] = base64.b64encode(bytes.fromhex(sha256)).decode()
    _client(s3).upload_file(
        path, s3.bucket_name, s3._normalize_name(key), ExtraArgs=extra, Config=FROM_DISK
    )
    return key


def _client(s3: Any) -> Any:
    """Our backend's shared, thread-safe client; a stock S3Storage's per-thread one otherwise."""
    return getattr(s3, "client", None) or s3.connection.meta.client


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
