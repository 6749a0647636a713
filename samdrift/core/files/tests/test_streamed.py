"""Uploads sent on to S3 while they arrive (ADR 0050): the parser's chunks feed a multipart
upload that becomes an object only when the storage service completes it; one nobody claims
is aborted and leaves nothing in the bucket. And large ASGI bodies reach the view as a stream."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import os
import threading
import zlib

import pytest
from django.core.files.uploadhandler import load_handler
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory

from samdrift.core.actor import SYSTEM
from samdrift.core.files import services, storage
from samdrift.core.files.models import StoredFile
from samdrift.core.files.uploads import (
    HEAD_KEPT,
    BytesNotKept,
    ForwardedUploadedFile,
    StorageUnavailable,
    StreamedUploadedFile,
    forwarded_uploads,
)
from samdrift.core.streaming_body import BodyStream

MB = 1024 * 1024
BOUNDARY = "samdrift-streamed-boundary"
pytestmark = pytest.mark.django_db(transaction=True)


def parse(body: bytes, settings, *, forwarded: bool = False):  # type: ignore[no-untyped-def]
    wire = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    request = RequestFactory().post("/")
    if forwarded:  # as a view marked @forwarded_uploads marks its request before parsing
        forwarded_uploads(lambda marked: marked)(request)
    handlers = [load_handler(path, request) for path in settings.FILE_UPLOAD_HANDLERS]
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(len(wire)),
    }
    _post, files = MultiPartParser(meta, io.BytesIO(wire), handlers).parse()
    return files["file"]


def objects_and_uploads(s3) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """What the bucket holds that an earlier test of this session did not leave."""
    client = s3.client()
    listed = client.list_objects_v2(Bucket=s3.bucket, Prefix="files/")
    uploads = client.list_multipart_uploads(Bucket=s3.bucket, Prefix="files/")
    return (
        [item["Key"] for item in listed.get("Contents", []) if item["Key"] not in _before],
        [item["Key"] for item in uploads.get("Uploads", [])],
    )


_before: set[str] = set()


@pytest.fixture(autouse=True)
def _earlier_objects(request):  # type: ignore[no-untyped-def]
    if "s3_backend" in request.fixturenames:
        s3 = request.getfixturevalue("s3_backend")
        listed = s3.client().list_objects_v2(Bucket=s3.bucket, Prefix="files/")
        _before.clear()
        _before.update(item["Key"] for item in listed.get("Contents", []))


def test_a_large_upload_is_sent_as_it_arrives_and_stored_when_claimed(s3_backend, settings):
    # given: 12 MB parsed from a multipart body: three parts are sent while it is parsed
    body = os.urandom(12 * MB + 7)
    upload = parse(body, settings)
    assert isinstance(upload, StreamedUploadedFile) and upload.pending is not None
    key = upload.pending.key
    assert objects_and_uploads(s3_backend) == ([], [key])  # parts, no object yet
    # when
    stored = services.store(upload, "a.bin", None, actor=SYSTEM, owner_org_id=1)
    upload.close()
    # then: one object, the whole file, and the recorded checksum is the bytes'
    assert stored.key == key
    assert objects_and_uploads(s3_backend) == ([key], [])
    assert stored.size == len(body)
    assert stored.sha256 == hashlib.sha256(body).hexdigest()
    assert b"".join(storage.read_chunks(key)) == body
    assert services.verify(stored)


def test_an_upload_nobody_claims_is_aborted_and_leaves_nothing(s3_backend, settings):
    upload = parse(os.urandom(11 * MB), settings)
    assert objects_and_uploads(s3_backend)[1]
    upload.close()  # what Django does with the request's files when the answer was a refusal
    assert objects_and_uploads(s3_backend) == ([], [])


def test_a_refused_claim_aborts_the_parts_and_records_nothing(s3_backend, settings):
    upload = parse(os.urandom(11 * MB), settings)
    with pytest.raises(services.FileTooLarge):
        services.store(upload, "a.bin", None, actor=SYSTEM, owner_org_id=1, max_bytes=10 * MB)
    upload.close()
    assert objects_and_uploads(s3_backend) == ([], [])
    assert not StoredFile.objects.exists()


def test_an_over_size_upload_stops_sending_at_the_limit(s3_backend, settings):
    settings.SAMDRIFT_FILES_MAX_BYTES = 6 * MB
    upload = parse(os.urandom(9 * MB), settings)
    assert upload.pending is None  # aborted when it passed the limit
    assert objects_and_uploads(s3_backend) == ([], [])
    with pytest.raises(services.FileTooLarge):
        services.store(upload, "a.bin", None, actor=SYSTEM, owner_org_id=1)


def test_stale_multipart_uploads_are_aborted_by_the_sweep(s3_backend, settings):
    import datetime

    from django.utils import timezone

    upload = parse(os.urandom(11 * MB), settings)
    upload.pending = None  # as if the server died: nobody aborts it
    services.sweep_orphans(
        older_than=datetime.timedelta(hours=1), now=timezone.now() + datetime.timedelta(hours=2)
    )
    assert objects_and_uploads(s3_backend) == ([], [])


def test_a_body_stream_hands_over_bytes_as_they_arrive_with_back_pressure():
    async def scenario() -> tuple[list[bytes], int]:
        queue: asyncio.Queue[dict] = asyncio.Queue()
        received = 0

        async def receive() -> dict:
            nonlocal received
            message = await queue.get()
            received += len(message.get("body", b""))
            return message

        stream = BodyStream(receive, high_water=4)
        got: list[bytes] = []
        first = threading.Event()

        def reader() -> None:
            got.append(stream.read(3))
            first.set()
            got.append(stream.read())

        thread = threading.Thread(target=reader)
        thread.start()
        await queue.put({"type": "http.request", "body": b"abcde", "more_body": True})
        await asyncio.to_thread(first.wait, 5)
        await queue.put({"type": "http.request", "body": b"fg", "more_body": True})
        await queue.put({"type": "http.request", "body": b"h", "more_body": False})
        await asyncio.to_thread(thread.join, 5)
        await stream.done.wait()
        with pytest.raises(RuntimeError):  # never blocks the event loop
            stream.read(1)
        stream.close()
        return got, received

    got, received = asyncio.run(scenario())
    assert got == [b"abc", b"defgh"]
    assert received == 8


def test_a_client_that_goes_away_mid_body_is_an_unreadable_body():
    from django.http import UnreadablePostError

    async def scenario() -> BaseException | None:
        messages = [
            {"type": "http.request", "body": b"ab", "more_body": True},
            {"type": "http.disconnect"},
        ]

        async def receive() -> dict:
            return messages.pop(0)

        stream = BodyStream(receive)
        await stream.done.wait()
        try:
            await asyncio.to_thread(stream.read)
        except UnreadablePostError as error:
            return error
        return None

    assert asyncio.run(scenario()) is not None


def _checked_client():  # type: ignore[no-untyped-def]
    return storage._checked_client(storage.backend())


def test_each_part_carries_the_crc32_of_its_bytes_and_no_second_payload_hash(s3_backend, settings):
    # ADR 0669: the parts are not hashed again for SigV4; their CRC32 is what the server checks
    sent: dict[int, tuple[int, bytes, bytes]] = {}

    def record(request, **_kwargs):  # type: ignore[no-untyped-def]
        number = int(request.url.split("partNumber=")[1].split("&")[0])
        headers = request.headers
        sent[number] = (
            int(headers["Content-Length"]),
            headers["X-Amz-Content-SHA256"],
            headers["x-amz-checksum-crc32"],
        )

    client = _checked_client()
    client.meta.events.register("before-send.s3.UploadPart", record)
    try:
        body = os.urandom(12 * MB + 3)
        upload = parse(body, settings)
        services.store(upload, "a.bin", None, actor=SYSTEM, owner_org_id=1)
        upload.close()
    finally:
        client.meta.events.unregister("before-send.s3.UploadPart", record)
    assert sorted(sent) == [1, 2, 3]
    start = 0
    for number in sorted(sent):
        length, payload, crc32 = sent[number]
        part = body[start : start + length]
        assert crc32 == base64.b64encode(zlib.crc32(part).to_bytes(4, "big"))
        assert payload == b"UNSIGNED-PAYLOAD"
        start += length
    assert start == len(body)


def test_a_part_damaged_on_the_way_is_refused_and_nothing_is_stored(s3_backend, settings):
    # given: the second part's bytes change after their CRC32 was taken (damage in transit)
    def damage(request, **_kwargs):  # type: ignore[no-untyped-def]
        if b"partNumber=2" in request.url.encode():
            body = request.body.read() if hasattr(request.body, "read") else request.body
            request.body = bytes([body[0] ^ 1]) + body[1:]
            request.headers["Content-Length"] = str(len(request.body))

    client = _checked_client()
    client.meta.events.register("before-send.s3.UploadPart", damage)
    try:
        upload = parse(os.urandom(11 * MB), settings)
        # when / then: the S3 server refuses the part, so the upload cannot be completed
        with pytest.raises(Exception, match="BadDigest"):
            services.store(upload, "a.bin", None, actor=SYSTEM, owner_org_id=1)
        upload.close()
    finally:
        client.meta.events.unregister("before-send.s3.UploadPart", damage)
    assert objects_and_uploads(s3_backend) == ([], [])
    assert not StoredFile.objects.exists()


# --- forwarded uploads: no temporary file (ADR 0690) ------------------------------------------


def test_a_forwarded_upload_keeps_no_temporary_file_only_its_start(s3_backend, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    body = os.urandom(12 * MB + 5)
    # given: the same body for a view that reads its uploads: a temporary file holds it whole
    kept = parse(body, settings)
    assert isinstance(kept, StreamedUploadedFile) and len(list(tmp_path.iterdir())) == 1
    kept.close()
    # when: for a view marked @forwarded_uploads
    upload = parse(body, settings, forwarded=True)
    # then: nothing on disk; the start reads and rewinds as a file's does, further is refused
    assert isinstance(upload, ForwardedUploadedFile) and upload.size == len(body)
    assert list(tmp_path.iterdir()) == []
    assert upload.read(8192) == body[:8192]
    upload.seek(0)
    assert upload.read(100) == body[:100]
    upload.seek(HEAD_KEPT)
    with pytest.raises(BytesNotKept):
        upload.read(1)
    upload.seek(0)
    with pytest.raises(BytesNotKept):  # never a silently shortened file
        upload.read()
    # and the bytes are stored whole from what went to S3 as they arrived
    stored = services.store(upload, "a.bin", None, actor=SYSTEM, owner_org_id=1)
    upload.close()
    assert objects_and_uploads(s3_backend) == ([stored.key], [])
    assert b"".join(storage.read_chunks(stored.key)) == body
    assert stored.sha256 == hashlib.sha256(body).hexdigest()


def test_a_forwarded_upload_nobody_claims_leaves_nothing(s3_backend, settings):
    upload = parse(os.urandom(11 * MB), settings, forwarded=True)
    assert objects_and_uploads(s3_backend)[1]
    upload.close()
    assert objects_and_uploads(s3_backend) == ([], [])


def test_a_forwarded_upload_s3_refused_on_the_way_is_a_503_and_stores_nothing(s3_backend, settings):
    # given: the S3 server refuses the multipart upload while the body arrives
    def refuse(**_kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("the S3 server went away")

    client = _checked_client()
    client.meta.events.register("before-call.s3.CreateMultipartUpload", refuse)
    try:
        upload = parse(os.urandom(11 * MB), settings, forwarded=True)
    finally:
        client.meta.events.unregister("before-call.s3.CreateMultipartUpload", refuse)
    # when / then: no copy is kept to store instead, so the user is told to send it again
    with pytest.raises(StorageUnavailable) as refused:
        services.store(upload, "a.bin", None, actor=SYSTEM, owner_org_id=1)
    upload.close()
    assert refused.value.http_status == 503
    assert objects_and_uploads(s3_backend) == ([], [])
    assert not StoredFile.objects.exists()
