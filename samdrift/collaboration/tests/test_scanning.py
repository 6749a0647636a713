"""Malware scanning on upload (ADR 0606) against a real clamd, started for this module with the
kernel's test signatures (samdrift/core/files/tests/clamd.py): the EICAR file is refused through
the API and the page in both languages and nothing is stored; an unreachable scanner refuses
with 503 (fail closed); switched off (`SAMDRIFT_CLAMD` empty, development) lets files through."""

from __future__ import annotations

import io
import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samdrift.audit.models import AuditEvent
from samdrift.collaboration import services
from samdrift.collaboration.models import Document, Version
from samdrift.core.files.models import StoredFile
from samdrift.core.files.scanning import MalwareFound, ScanUnavailable
from samdrift.core.files.tests.clamd import EICAR, running_clamd

from .conftest import stored_objects

pytestmark = pytest.mark.django_db


@pytest.fixture
def scanning(settings, clamd):
    settings.SAMDRIFT_CLAMD = clamd.unix_address
    return clamd


@pytest.fixture
def workspace(safos):
    return services.workspace_create(actor=safos.actor("owner"), name="Skannat", classification=1)


def _nothing_stored(files_dir, before_objects: list[str], before_files: int) -> bool:
    return (
        stored_objects(files_dir) == before_objects
        and StoredFile.objects.count() == before_files
        and not Version.objects.exists()
        and not Document.objects.exists()
    )


def test_the_api_refuses_eicar_in_both_languages_and_stores_nothing(
    safos, workspace, files_dir, scanning
):
    before = stored_objects(files_dir), StoredFile.objects.count()
    response = safos.client("owner").post(
        f"/api/v1/collaboration/workspaces/{workspace.id}/documents",
        {"file": SimpleUploadedFile("Rapport.txt", EICAR, content_type="text/plain")},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "malware_found"
    assert body["message_sv"] == "Filen avvisades: virusskannern hittade skadligt innehåll i den."
    assert body["message_en"] == (
        "The file was refused: the virus scanner found malicious content in it."
    )
    assert _nothing_stored(files_dir, *before)
    assert not AuditEvent.objects.filter(action="collaboration.document_create").exists()


def test_a_clean_file_passes_the_scanner_and_is_stored(safos, workspace, scanning):
    response = safos.client("owner").post(
        f"/api/v1/collaboration/workspaces/{workspace.id}/documents",
        {"file": SimpleUploadedFile("Protokoll.txt", "Årsmöte, §1–§4\n".encode() * 200)},
    )
    assert response.status_code == 201, response.content
    assert Version.objects.get().document.name == "Protokoll.txt"


def test_a_new_version_with_eicar_is_refused_and_the_old_one_stays(safos, workspace, scanning):
    version = services.upload(
        actor=safos.actor("owner"), workspace_id=workspace.id,
        stream=io.BytesIO(b"rent\n"), name="Plan.txt", content_type="text/plain",
    )  # fmt: skip
    response = safos.client("owner").post(
        f"/api/v1/collaboration/documents/{version.document_id}/versions",
        {"file": SimpleUploadedFile("Plan.txt", b"prefix\n" + EICAR, content_type="text/plain")},
    )
    assert response.status_code == 422 and response.json()["code"] == "malware_found"
    assert list(Version.objects.values_list("number", flat=True)) == [1]


def test_the_page_says_why_in_swedish(safos, workspace, files_dir, scanning):
    before = stored_objects(files_dir), StoredFile.objects.count()
    response = safos.client("owner").post(
        f"/collaboration/{workspace.id}/upload/",
        {"file": SimpleUploadedFile("Rapport.txt", EICAR, content_type="text/plain")},
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    assert response.status_code == 422
    assert "virusskannern hittade skadligt innehåll" in response.content.decode()
    assert _nothing_stored(files_dir, *before)


def test_the_service_refuses_before_storing(safos, workspace, files_dir, scanning):
    before = stored_objects(files_dir), StoredFile.objects.count()
    with pytest.raises(MalwareFound):
        services.upload(
            actor=safos.actor("owner"), workspace_id=workspace.id,
            stream=io.BytesIO(EICAR), name="x.txt", content_type="text/plain",
        )  # fmt: skip
    assert _nothing_stored(files_dir, *before)


def _dead_unix_address(tmp_path) -> str:
    path = tmp_path / "nobody.sock"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))  # bound, never listening: connecting is refused
    return f"unix://{path}"


def test_an_unreachable_scanner_refuses_with_503_and_stores_nothing(
    settings, safos, workspace, files_dir, tmp_path
):
    settings.SAMDRIFT_CLAMD = _dead_unix_address(tmp_path)
    before = stored_objects(files_dir), StoredFile.objects.count()
    response = safos.client("owner").post(
        f"/api/v1/collaboration/workspaces/{workspace.id}/documents",
        {"file": SimpleUploadedFile("Rent.txt", b"helt rent\n", content_type="text/plain")},
    )
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "scan_unavailable"
    assert "virus" in body["message_sv"] and "virus" in body["message_en"]
    assert _nothing_stored(files_dir, *before)
    with pytest.raises(ScanUnavailable):
        services.upload(
            actor=safos.actor("owner"), workspace_id=workspace.id,
            stream=io.BytesIO(b"x"), name="y.txt", content_type="text/plain",
        )  # fmt: skip


def test_switched_off_lets_files_through_in_development(settings, safos, workspace):
    settings.SAMDRIFT_CLAMD = ""
    settings.SAMDRIFT_CLAMD_REQUIRED = False
    version = services.upload(
        actor=safos.actor("owner"), workspace_id=workspace.id,
        stream=io.BytesIO(b"ej skannad\n"), name="z.txt", content_type="text/plain",
    )  # fmt: skip
    assert version.number == 1
    settings.SAMDRIFT_CLAMD_REQUIRED = True  # production: off is not allowed
    with pytest.raises(ScanUnavailable):
        services.upload(
            actor=safos.actor("owner"), workspace_id=workspace.id,
            stream=io.BytesIO(b"ej skannad\n"), name="z.txt", content_type="text/plain",
        )  # fmt: skip


MB = 1024 * 1024


@pytest.fixture
def scanned_while_arriving(monkeypatch, scanning):
    """Fails the test if a file is read again for its scan (the verdict must be the stream's)."""
    from samdrift.core.files import scanning as kernel_scanning

    def read_again(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the file was read again to scan it")

    monkeypatch.setattr(kernel_scanning, "scan", read_again)
    return scanning


def test_a_large_upload_is_scanned_while_it_arrives_and_eicar_inside_is_refused(
    safos, workspace, files_dir, scanned_while_arriving
):
    # given: 4 MB of text (over the in-memory limit) with the EICAR string in the middle
    body = b"a" * (3 * MB) + EICAR + b"b" * MB
    before = stored_objects(files_dir), StoredFile.objects.count()
    # when
    response = safos.client("owner").post(
        f"/api/v1/collaboration/workspaces/{workspace.id}/documents",
        {"file": SimpleUploadedFile("Stor.txt", body, content_type="text/plain")},
    )
    # then
    assert response.status_code == 422 and response.json()["code"] == "malware_found"
    assert _nothing_stored(files_dir, *before)


def test_a_large_clean_upload_takes_the_verdict_of_its_stream(
    safos, workspace, scanned_while_arriving
):
    body = "Protokoll åäö\n".encode() * (5 * MB // 16)
    response = safos.client("owner").post(
        f"/api/v1/collaboration/workspaces/{workspace.id}/documents",
        {"file": SimpleUploadedFile("Stort.txt", body, content_type="text/plain")},
    )
    assert response.status_code == 201, response.content
    assert Version.objects.get().file.size == len(body)


def test_a_scan_stream_clamd_stops_reading_is_refused_as_unavailable(
    safos, workspace, files_dir, scanned_while_arriving, tmp_path, settings
):
    # given: a clamd whose stream limit (1 MB) is below the file: it stops reading mid-way
    with running_clamd(tmp_path / "small", stream_max="1M") as small:
        settings.SAMDRIFT_CLAMD = small.unix_address
        before = stored_objects(files_dir), StoredFile.objects.count()
        response = safos.client("owner").post(
            f"/api/v1/collaboration/workspaces/{workspace.id}/documents",
            {"file": SimpleUploadedFile("Stor.txt", b"c" * (4 * MB), content_type="text/plain")},
        )
    assert response.status_code == 503 and response.json()["code"] == "scan_unavailable"
    assert _nothing_stored(files_dir, *before)


def test_uploads_elsewhere_are_not_sent_to_clamd(rf, scanning):
    from samdrift.core.files.scanning import stream_scan_for

    assert stream_scan_for("/api/v1/cases/1/attachments") is None
    scan = stream_scan_for("/api/v1/collaboration/workspaces/1/documents")
    assert scan is not None
    scan.feed(b"ren text\n")
    assert scan.result().clean


def test_a_file_past_the_scanners_limits_is_refused_not_let_through(
    safos, workspace, files_dir, tmp_path, settings
):
    # given: a clamd that scans files up to 1 MB only (AlertExceedsMax, as the docs require)
    with running_clamd(tmp_path / "limited", stream_max="8M", max_file="1M") as limited:
        settings.SAMDRIFT_CLAMD = limited.unix_address
        before = stored_objects(files_dir), StoredFile.objects.count()
        # when: a 2 MB file whose EICAR string lies past the limit
        body = b"d" * (2 * MB) + EICAR
        response = safos.client("owner").post(
            f"/api/v1/collaboration/workspaces/{workspace.id}/documents",
            {"file": SimpleUploadedFile("Lang.txt", body, content_type="text/plain")},
        )
    # then: not "clean" (it was not scanned whole): refused as unscannable, nothing stored
    assert response.status_code == 503 and response.json()["code"] == "scan_unavailable"
    assert _nothing_stored(files_dir, *before)
