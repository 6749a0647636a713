"""Django's multipart parsing with our upload handlers: big files go to disk, and no more of an
over-size file than the limit is ever written."""

from __future__ import annotations

import io
import os

from django.core.files.uploadedfile import InMemoryUploadedFile, TemporaryUploadedFile
from django.core.files.uploadhandler import load_handler
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory

MB = 1024 * 1024
BOUNDARY = "samdrift-test-boundary"


def parse(body: bytes, settings) -> object:  # type: ignore[no-untyped-def]
    wire = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    request = RequestFactory().post("/")
    handlers = [load_handler(path, request) for path in settings.FILE_UPLOAD_HANDLERS]
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(len(wire)),
    }
    _post, files = MultiPartParser(meta, io.BytesIO(wire), handlers).parse()
    return files["file"]


def test_a_small_file_stays_in_memory(settings):
    upload = parse(b"small", settings)
    assert isinstance(upload, InMemoryUploadedFile)
    assert upload.read() == b"small"


def test_a_large_file_goes_to_a_temporary_file_whole(settings):
    body = os.urandom(6 * MB + 5)
    upload = parse(body, settings)
    assert isinstance(upload, TemporaryUploadedFile)
    with open(upload.temporary_file_path(), "rb") as handle:
        assert handle.read() == body


def test_an_over_size_file_is_counted_but_not_written_past_the_limit(settings):
    settings.SAMDRIFT_FILES_MAX_BYTES = 4 * MB
    upload = parse(os.urandom(9 * MB), settings)
    assert isinstance(upload, TemporaryUploadedFile)
    assert upload.size == 9 * MB  # the real size, so the service refuses it
    assert os.path.getsize(upload.temporary_file_path()) <= 4 * MB
