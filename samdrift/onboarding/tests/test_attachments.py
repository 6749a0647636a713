"""Documents on connection cases, over real HTTP to a served samdrift, on a folder and on a real
SeaweedFS: round trip with checksums, tenancy, refusals in both languages, bounded memory."""

from __future__ import annotations

import hashlib
import http.client
import os
import tracemalloc
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from samdrift.accounts.selectors import actor_for_user
from samdrift.accounts.services import token_create
from samdrift.audit.models import AuditEvent
from samdrift.core.files.conf import LOCAL
from samdrift.core.files.models import StoredFile
from samdrift.core.files.testing import running_seaweedfs
from samdrift.onboarding.models import CaseAttachment
from samdrift.tests.factories import ServiceFactory
from tests.api.support import checklist_templates, open_case

pytestmark = pytest.mark.django_db(transaction=True)

MB = 1024 * 1024


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory):
    with running_seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture
def local_backend(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": dict(LOCAL)}
    return tmp_path / "media"


@pytest.fixture
def s3_backend(settings, seaweedfs):
    settings.STORAGES = {**settings.STORAGES, "default": seaweedfs.storage_settings()}
    return seaweedfs


@pytest.fixture(params=["local", "s3"])
def backend(request):
    return request.getfixturevalue(f"{request.param}_backend")


def objects(backend) -> dict[str, bytes]:
    """What the backend holds, read behind samdrift's back (boto3 or the folder)."""
    if isinstance(backend, Path):
        if not backend.exists():
            return {}
        return {
            str(p.relative_to(backend)): p.read_bytes() for p in backend.rglob("*") if p.is_file()
        }
    client = backend.client()
    keys = [
        item["Key"]
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=backend.bucket)
        for item in page.get("Contents", [])
    ]
    return {key: client.get_object(Bucket=backend.bucket, Key=key)["Body"].read() for key in keys}


@pytest.fixture
def case(provider, agency):
    ServiceFactory(code="EFOS", name_sv="Tjänstelegitimation", name_en="Service e-ID")
    checklist_templates(per_phase=1)
    return open_case(agency.id, ["EFOS"])


def api_session(live_server, user) -> requests.Session:
    _token, secret = token_create(actor=actor_for_user(user), name="files test")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {secret}"
    session.base = f"{live_server.url}/api/v1"  # type: ignore[attr-defined]
    return session


def upload(session: requests.Session, case_id: int, name: str, body: bytes, ctype: str = ""):
    return session.post(
        f"{session.base}/cases/{case_id}/attachments",  # type: ignore[attr-defined]
        files={"file": (name, body, ctype or "application/octet-stream")},
    )


def test_a_document_round_trips_through_samdrift(live_server, backend, case, agency_contact):
    # given: a customer contact of the case's agency, and 5 MB (over the in-memory threshold)
    session = api_session(live_server, agency_contact)
    body = os.urandom(5 * MB + 17)
    before = objects(backend)
    # when: uploaded over HTTP
    created = upload(session, case.id, "Säkerhetsplan åäö.pdf", body, "application/pdf")
    # then: the answer, the row and the object in the bucket agree on bytes and checksum
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["name"] == "Säkerhetsplan åäö.pdf"
    assert out["size"] == len(body)
    assert out["sha256"] == hashlib.sha256(body).hexdigest()
    new = {k: v for k, v in objects(backend).items() if k not in before}
    assert list(new.values()) == [body]
    stored = StoredFile.objects.get()
    assert list(new) == [stored.key]
    assert stored.owner_org_id == case.organisation_id
    # when: downloaded
    got = session.get(f"{live_server.url}{out['download']}")
    # then: identical, with the headers a download needs
    assert got.status_code == 200
    assert got.content == body
    assert got.headers["Content-Length"] == str(len(body))
    assert got.headers["ETag"] == f'"{out["sha256"]}"'
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"] == (
        "attachment; filename=\"Sakerhetsplan aao.pdf\"; filename*=UTF-8''"
        + urllib.parse.quote("Säkerhetsplan åäö.pdf", safe="")
    )
    # and: a conditional request costs no body
    again = session.get(
        f"{live_server.url}{out['download']}", headers={"If-None-Match": got.headers["ETag"]}
    )
    assert (again.status_code, again.content) == (304, b"")
    # and: listed, and each upload and download audited with the checksum
    listed = session.get(f"{session.base}/cases/{case.id}/attachments").json()  # type: ignore[attr-defined]
    assert [a["id"] for a in listed] == [out["id"]]
    actions = list(
        AuditEvent.objects.filter(action__startswith="onboarding.attachment").values_list(
            "action", "organisation_id", "after__sha256"
        )
    )
    # (the conditional request is audited too: it proves access even when no byte is sent)
    assert actions == [
        ("onboarding.attachment_added", case.organisation_id, out["sha256"]),
        ("onboarding.attachment_downloaded", case.organisation_id, out["sha256"]),
        ("onboarding.attachment_downloaded", case.organisation_id, out["sha256"]),
    ]


def test_provider_staff_of_the_case_see_and_add_documents(
    live_server, local_backend, case, account_manager, agency_contact
):
    staff = api_session(live_server, account_manager)
    created = upload(staff, case.id, "avtal.txt", b"avtal", "text/plain")
    assert created.status_code == 201
    customer = api_session(live_server, agency_contact)
    listed = customer.get(f"{customer.base}/cases/{case.id}/attachments")  # type: ignore[attr-defined]
    assert [a["name"] for a in listed.json()] == ["avtal.txt"]


def test_another_agency_gets_404_and_nothing_is_written(
    live_server, backend, case, agency_contact, other_agency_contact
):
    # given: a document of agency A's case
    mine = upload(api_session(live_server, agency_contact), case.id, "a.txt", b"secret")
    assert mine.status_code == 201
    attachment_id = mine.json()["id"]
    stranger = api_session(live_server, other_agency_contact)
    before = (objects(backend), StoredFile.objects.count(), AuditEvent.objects.count())
    api = f"{live_server.url}/api/v1/cases"
    missing = stranger.get(f"{api}/999999/attachments")
    # when: agency B lists, uploads and downloads
    answers = [
        stranger.get(f"{api}/{case.id}/attachments"),
        upload(stranger, case.id, "b.txt", b"planted"),
        stranger.get(f"{api}/{case.id}/attachments/{attachment_id}/download"),
        stranger.get(f"{api}/999999/attachments/{attachment_id}/download"),
    ]
    # then: the same 404 as a case that does not exist, and nothing stored, linked or audited
    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert all(a.json() == missing.json() for a in answers)
    assert (objects(backend), StoredFile.objects.count(), AuditEvent.objects.count()) == before
    assert CaseAttachment.objects.count() == 1


def test_over_size_is_refused_in_both_languages_and_nothing_is_stored(
    live_server, backend, case, agency_contact, settings
):
    settings.SAMDRIFT_FILES_MAX_BYTES = 3 * MB
    session = api_session(live_server, agency_contact)
    before = (objects(backend), StoredFile.objects.count(), AuditEvent.objects.count())
    refused = upload(session, case.id, "stor.bin", os.urandom(3 * MB + 1))
    assert refused.status_code == 413
    body = refused.json()
    assert body["code"] == "file_too_large"
    assert body["message_sv"] == "Filen är för stor: högst 3 MB får laddas upp."
    assert body["message_en"] == "The file is too large: at most 3 MB may be uploaded."
    assert (objects(backend), StoredFile.objects.count(), AuditEvent.objects.count()) == before


def test_s3_refusing_a_forwarded_upload_on_the_way_is_a_503_in_both_languages(
    live_server, s3_backend, case, agency_contact
):
    # The API keeps no copy of an upload it forwards to S3 (ADR 0690): if S3 refuses the bytes
    # on the way, the user is told to send the file again and nothing is recorded.
    from samdrift.core.files import storage

    def refuse(**_kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("the S3 server went away")

    client = storage._checked_client(storage.backend())
    session = api_session(live_server, agency_contact)
    before = (objects(s3_backend), StoredFile.objects.count(), AuditEvent.objects.count())
    client.meta.events.register("before-call.s3.CreateMultipartUpload", refuse)
    try:
        refused = upload(session, case.id, "stor.bin", os.urandom(6 * MB))
    finally:
        client.meta.events.unregister("before-call.s3.CreateMultipartUpload", refuse)
    assert refused.status_code == 503, refused.text
    body = refused.json()
    assert body["code"] == "storage_unavailable"
    assert body["message_sv"] == "Fillagret kunde inte ta emot filen. Inget sparades; försök igen."
    assert body["message_en"].startswith("The file store could not take the file.")
    assert (objects(s3_backend), StoredFile.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("name", ["***", " . ", "...", "?"])
def test_an_unusable_name_is_refused_in_both_languages(
    live_server, local_backend, case, agency_contact, name
):
    session = api_session(live_server, agency_contact)
    refused = upload(session, case.id, name, b"data")
    assert refused.status_code == 422
    body = refused.json()
    assert body["message_sv"].startswith("Filnamnet är tomt eller oanvändbart.")
    assert body["message_en"].startswith("The file name is empty or unusable.")
    assert objects(local_backend) == {}
    assert not StoredFile.objects.exists()


def test_an_upload_without_a_file_is_refused_in_both_languages(live_server, case, agency_contact):
    session = api_session(live_server, agency_contact)
    refused = session.post(f"{session.base}/cases/{case.id}/attachments", data={"x": "1"})  # type: ignore[attr-defined]
    assert refused.status_code == 422
    assert {"message_sv", "message_en"} <= set(refused.json())


# --- the page ------------------------------------------------------------------------------------


def test_the_case_page_uploads_lists_and_downloads(client_for, local_backend, case, agency_contact):
    client = client_for(agency_contact)
    page = f"/connections/{case.id}/"
    # when: the form posts a file
    response = client.post(
        f"{page}documents/", {"file": _named(b"%PDF-1.7 avtal", "Avtal 2026.pdf")}
    )
    # then: back on the case, listed with a working link
    assert response.status_code == 302
    assert response["Location"] == f"{page}#attachments"
    html = client.get(page).content.decode()
    attachment = CaseAttachment.objects.get()
    link = f"{page}documents/{attachment.id}/"
    assert f'href="{link}"' in html and "Avtal 2026.pdf" in html
    assert '<h2 id="attachments-heading">Dokument</h2>' in html  # Swedish first
    assert "Lägg till ett dokument" in html
    download = client.get(link)
    assert b"".join(download.streaming_content) == b"%PDF-1.7 avtal"
    assert download["Content-Disposition"].startswith('attachment; filename="Avtal 2026.pdf"')


def test_the_page_says_why_a_file_is_refused_in_swedish(
    client_for, local_backend, case, agency_contact
):
    client = client_for(agency_contact)
    response = client.post(
        f"/connections/{case.id}/documents/", {"file": _named(b"x", "***")}, follow=True
    )
    assert "Filnamnet är tomt eller oanvändbart." in response.content.decode()
    assert not StoredFile.objects.exists()


def test_the_page_refuses_another_agency_with_404(
    client_for, local_backend, case, agency_contact, other_agency_contact
):
    client_for(agency_contact).post(
        f"/connections/{case.id}/documents/", {"file": _named(b"x", "a.txt")}
    )
    attachment = CaseAttachment.objects.get()
    stranger = client_for(other_agency_contact)
    assert stranger.get(f"/connections/{case.id}/documents/{attachment.id}/").status_code == 404
    posted = stranger.post(f"/connections/{case.id}/documents/", {"file": _named(b"y", "b.txt")})
    assert posted.status_code == 404
    assert StoredFile.objects.count() == 1


def _named(body: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, body, content_type="application/octet-stream")


# --- streaming through the whole request path ------------------------------------------------------


def _multipart(size: int, boundary: str) -> tuple[int, Iterator[bytes]]:
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    block = hashlib.sha256(b"big").digest() * 2048  # 64 KiB

    def body() -> Iterator[bytes]:
        yield head
        left = size
        while left:
            n = min(left, len(block))
            yield block[:n]
            left -= n
        yield tail

    return len(head) + size + len(tail), body()


def test_a_large_upload_and_download_stream_with_bounded_memory(
    live_server, backend, case, agency_contact, settings
):
    # given: 64 MB, sent and received over a socket in 64 KiB pieces; server and client are in
    # this process, so tracemalloc sees the whole path (parser, temporary file, storage, response)
    size = 64 * MB
    settings.SAMDRIFT_FILES_MAX_BYTES = 2 * size
    _token, secret = token_create(actor=actor_for_user(agency_contact), name="big")
    address = urllib.parse.urlsplit(live_server.url)
    length, body = _multipart(size, "samdriftboundary")
    expected = hashlib.sha256(
        hashlib.sha256(b"big").digest() * 2048 * (size // (64 * 1024))
    ).hexdigest()
    tracemalloc.start()
    try:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
        connection.request(
            "POST",
            f"/api/v1/cases/{case.id}/attachments",
            body=body,
            headers={
                "Authorization": f"Bearer {secret}",
                "Content-Type": "multipart/form-data; boundary=samdriftboundary",
                "Content-Length": str(length),
            },
        )
        created = connection.getresponse()
        import json

        out = json.loads(created.read())
        assert created.status == 201, out
        connection.request("GET", out["download"], headers={"Authorization": f"Bearer {secret}"})
        got = connection.getresponse()
        digest = hashlib.sha256()
        received = 0
        while chunk := got.read(256 * 1024):
            digest.update(chunk)
            received += len(chunk)
        connection.close()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out["sha256"] == expected == digest.hexdigest()
    assert received == size
    limit = 16 * MB if isinstance(backend, Path) else 40 * MB
    assert peak < limit, f"peak {peak / MB:.1f} MB for a {size // MB} MB file"


def test_under_asgi_a_large_upload_streams_in_and_another_agency_leaves_nothing_behind(
    transactional_db, backend, case, agency_contact, other_agency_contact
):
    """`samdrift serve`'s own application (uvicorn + config.asgi, ADR 0050): the body reaches
    the view while it arrives and, with S3, goes on to the bucket in parts; a refused upload
    becomes no object and leaves no multipart upload."""
    from samdrift.tests.asgi_server import asgi_server

    body = os.urandom(12 * MB + 3)
    before = objects(backend)
    with asgi_server() as base:
        session = api_session(type("Live", (), {"url": base})(), agency_contact)
        created = upload(session, case.id, "stor.bin", body)
        assert created.status_code == 201, created.text
        assert created.json()["sha256"] == hashlib.sha256(body).hexdigest()
        stranger = api_session(type("Live", (), {"url": base})(), other_agency_contact)
        refused = upload(stranger, case.id, "planted.bin", os.urandom(11 * MB))
        assert refused.status_code == 404
        got = session.get(f"{base}{created.json()['download']}")
    assert got.content == body
    added = {k: v for k, v in objects(backend).items() if k not in before}
    assert list(added.values()) == [body]  # the upload, stored once; nothing of the stranger's
    assert StoredFile.objects.count() == 1
    if not isinstance(backend, Path):
        pending = backend.client().list_multipart_uploads(Bucket=backend.bucket)
        assert pending.get("Uploads", []) == []
