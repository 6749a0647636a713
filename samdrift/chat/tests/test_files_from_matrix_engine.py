"""Files sent from Matrix programs (ADR 0663), against a REAL Synapse (conftest.py) and, for the
malware check, a real clamd: a member puts a file in Synapse's media repository through the
client-server API as themselves and sends an `m.file` message; the homeserver's transaction
(delivered with Django's client, as in test_engine) makes it a document of the workspace in
the member's name, once however often it is delivered, and samdrift's notice answers it with
the link. A commenter's file, an oversized one and EICAR are refused with a notice in both
languages and nothing stored. The room's export and its PDF name the document, its version and
the SHA-256 of its bytes, or, for a refused file, the bytes in the media store."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from samdrift.accessibility.services import check_pdf
from samdrift.audit.models import AuditEvent
from samdrift.chat import homeserver, matrix, services
from samdrift.chat.choices import ATTACHMENT_KEY
from samdrift.chat.incoming import keep_file
from samdrift.chat.models import ChatFile, ChatRoom
from samdrift.collaboration.models import Document
from samdrift.core.files.models import StoredFile
from samdrift.core.files.tests.clamd import EICAR, ensure_installed, running_clamd
from samdrift.core.jobs.models import Job
from samdrift.core.jobs.worker import Worker

from .test_engine import _join, _mxid, _pdf_text, _workspace

pytestmark = [pytest.mark.engine, pytest.mark.django_db]

MINUTES = b"Protokoll 2026-12-07\nBeslut: budgeten antas.\n" * 40
TXN = "/chat/appservice/_matrix/app/v1/transactions/"


def _put_media(base: str, data: bytes, name: str, as_user: str) -> str:
    """The member's upload into the media repository (the client-server API, as a Matrix
    program does it; the application service speaks for the member with `user_id=`)."""
    answer = requests.post(
        f"{base}/_matrix/media/v3/upload", params={"filename": name, "user_id": as_user},
        data=data, timeout=15,
        headers={"Authorization": f"Bearer {homeserver.secret('as_token')}",
                 "Content-Type": "text/plain"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    return str(answer.json()["content_uri"])


def _send_file(base: str, room: str, as_user: str, data: bytes, name: str) -> dict:
    """Upload, then the `m.file` message Element sends; the event as Synapse keeps it."""
    mxc = _put_media(base, data, name, as_user)
    content = {"msgtype": "m.file", "body": name, "url": mxc,
               "info": {"mimetype": "text/plain", "size": len(data)}}  # fmt: skip
    event_id = matrix.Client().send_event(
        room, "m.room.message", content, as_user=as_user, txn_id=uuid.uuid4().hex
    )
    return matrix.Client().event(room, event_id, as_user=as_user)


def _deliver(client, txn_id: str, events: list[dict]) -> None:
    """The homeserver's push of a transaction (its real `hs_token`)."""
    answer = client.put(
        f"{TXN}{txn_id}", json.dumps({"events": events}), content_type="application/json",
        headers={"Authorization": f"Bearer {homeserver.secret('hs_token')}"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.content


def _room(safos, role: str = "editor"):
    workspace = _workspace(safos)
    _join(safos, workspace, "editor", role=role)
    services.provision_workspace(workspace_id=workspace.id)
    return workspace, ChatRoom.objects.get(workspace=workspace).room_id


def _notices(room: str) -> list[dict]:
    return [
        e for e in matrix.Client().history(room)
        if e.get("type") == "m.room.message" and e["content"].get("msgtype") == "m.notice"
    ]  # fmt: skip


def _keep_all(client, django_capture_on_commit_callbacks, txn_id, events) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _deliver(client, txn_id, events)
    Worker(burst=True).run()


def test_a_file_sent_from_a_matrix_program_is_the_senders_document_once(
    safos, chat, client, django_capture_on_commit_callbacks
):
    workspace, room = _room(safos)
    editor = _mxid(safos, "editor")
    event = _send_file(chat, room, editor, MINUTES, "Protokoll.txt")
    stored_before = StoredFile.objects.count()

    # The same transaction twice, then the same event in another transaction: one document.
    for txn_id in ("element-1", "element-1", "element-2"):
        _keep_all(client, django_capture_on_commit_callbacks, txn_id, [event])
    jobs = Job.objects.filter(task_path="samdrift.chat.tasks.keep_chat_file")
    assert list(jobs.values_list("status", flat=True)) == ["SUCCESSFUL"]
    (document,) = Document.objects.filter(workspace=workspace)
    (version,) = document.versions.all()
    assert document.name == "Protokoll.txt" and document.folder_id is None
    assert document.created_by_id == version.created_by_id == safos.users["editor"].id
    assert version.sha256 == hashlib.sha256(MINUTES).hexdigest() and version.size == len(MINUTES)
    assert StoredFile.objects.count() == stored_before + 1
    download = safos.client("owner").get(f"/collaboration/documents/{document.id}/download/")
    assert b"".join(download.streaming_content) == MINUTES
    row = ChatFile.objects.get(event_id=event["event_id"])
    assert (row.state, row.document_id, row.version) == ("kept", document.id, 1)
    assert keep_file(row.pk).state == "kept"  # handled: a second run adds nothing
    assert document.versions.count() == 1

    (notice,) = _notices(room)
    assert notice["sender"] == matrix.bot_id()
    content = notice["content"]
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": event["event_id"]}}
    assert content[ATTACHMENT_KEY] == {"document_id": document.id, "version": 1}
    assert content["body"].startswith(
        "Sparad som dokument i samarbetsytan / Kept as a document of the workspace\n📎 Protokoll.txt"
    )
    assert content["body"].endswith(f"/collaboration/documents/{document.id}/")
    assert row.notice_event_id == notice["event_id"]
    created = AuditEvent.objects.get(action="collaboration.document_create")
    assert created.actor_id == safos.users["editor"].id
    kept = AuditEvent.objects.get(action="chat.file_kept")
    assert kept.actor_id == safos.users["editor"].id
    assert kept.after["event_id"] == event["event_id"] and kept.after["sha256"] == version.sha256

    # The archive export names the document, its version and the SHA-256 of its bytes.
    answer = safos.client("owner").get(f"/api/v1/chat/workspaces/{workspace.id}/room/export")
    exported = json.loads(answer.content)
    assert exported["format"] == "samdrift.chat.export/2"
    file_entry, notice_entry = exported["attachments"]
    assert file_entry["event_id"] == event["event_id"] and file_entry["kept_in"] == "document"
    assert file_entry["samdrift"] == "kept"
    assert file_entry["document"] == {
        "id": document.id, "version": 1, "name": "Protokoll.txt", "size": len(MINUTES),
        "sha256": hashlib.sha256(MINUTES).hexdigest(), "content_type": version.content_type,
    }  # fmt: skip
    assert notice_entry["event_id"] == notice["event_id"]
    assert notice_entry["document"]["sha256"] == version.sha256
    for language, words in (("sv", f"samarbetsytans dokument {document.id}, version 1"),
                            ("en", f"in document {document.id}, version 1")):  # fmt: skip
        pdf = (
            safos.client("owner")
            .get(f"/api/v1/chat/workspaces/{workspace.id}/room/export.pdf?language={language}")
            .content
        )
        text = " ".join(_pdf_text(pdf).split())
        assert words in text, text
        assert version.sha256 in text.replace(" ", "")
        for profile in ("acrobat", "pdfua1"):
            assert check_pdf(pdf, profile=profile).failed == [], profile


def test_a_commenters_and_an_oversized_file_are_refused_in_both_languages(
    safos, chat, client, django_capture_on_commit_callbacks, settings
):
    workspace, room = _room(safos, role="commenter")
    commenter = _mxid(safos, "editor")  # joined as a commenter: writes, adds no documents
    stored_before = StoredFile.objects.count()
    event = _send_file(chat, room, commenter, MINUTES, "Utkast.txt")
    _keep_all(client, django_capture_on_commit_callbacks, "c-1", [event])
    (notice,) = _notices(room)
    body = notice["content"]["body"]
    assert (
        "Filen sparades inte som dokument i samarbetsytan: Redaktörer och ägare skickar filer"
        in body
    )
    assert "The file was not kept as a document of the workspace: Editors and owners send" in body
    assert notice["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == event["event_id"]
    assert ATTACHMENT_KEY not in notice["content"]
    assert AuditEvent.objects.get(action="chat.file_refused").after["code"] == "forbidden"

    # The owner's file over the size limit: refused with the upload's own words.
    settings.SAMDRIFT_FILES_MAX_BYTES = 1024
    big = b"x" * 4096 + b"\n"
    large = _send_file(chat, room, _mxid(safos, "owner"), big, "Stor.txt")
    _keep_all(client, django_capture_on_commit_callbacks, "c-2", [large])
    body = _notices(room)[-1]["content"]["body"]
    assert "Filen är för stor: högst" in body and "The file is too large: at most" in body
    assert not Document.objects.filter(workspace=workspace).exists()
    assert StoredFile.objects.count() == stored_before
    states = dict(ChatFile.objects.values_list("event_id", "reason_code"))
    assert states == {event["event_id"]: "forbidden", large["event_id"]: "file_too_large"}

    # A reader cannot even send it: Synapse refuses the message (readers read, ADR 0652).
    _reader_workspace, reader_room = _room(safos, role="reader")
    mxc = _put_media(chat, MINUTES, "Läs.txt", commenter)
    with pytest.raises(matrix.MatrixError) as refused:
        matrix.Client().send_event(
            reader_room, "m.room.message", {"msgtype": "m.file", "body": "Läs.txt", "url": mxc},
            as_user=commenter, txn_id=uuid.uuid4().hex,
        )  # fmt: skip
    assert refused.value.status == 403

    # The export says, per message, that the bytes are only in the media store, and why.
    exported = json.loads(
        safos.client("owner").get(f"/api/v1/chat/workspaces/{workspace.id}/room/export").content
    )
    first, second = exported["attachments"]
    assert first["kept_in"] == "media store" and first["samdrift"] == "refused"
    assert first["media"]["sha256"] == hashlib.sha256(MINUTES).hexdigest()
    assert first["media"]["size"] == len(MINUTES) and first["media"]["mxc"].startswith("mxc://")
    assert "Editors and owners send files" in first["reason"]
    assert second["media"]["sha256"] == hashlib.sha256(big).hexdigest()
    pdf = (
        safos.client("owner")
        .get(f"/api/v1/chat/workspaces/{workspace.id}/room/export.pdf?language=en")
        .content
    )
    text = " ".join(_pdf_text(pdf).split())
    assert "Not kept by samdrift: the bytes are in the homeserver's media store" in text
    for profile in ("acrobat", "pdfua1"):
        assert check_pdf(pdf, profile=profile).failed == [], profile


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    if ensure_installed() is None:
        pytest.skip("!!! clamd IS NOT INSTALLED: the chat malware test did NOT run.")
    with running_clamd(tmp_path_factory.mktemp("clamd")) as server:
        yield server


def test_eicar_sent_from_a_matrix_program_is_refused_and_nothing_stored(
    safos, chat, client, django_capture_on_commit_callbacks, settings, clamd
):
    settings.SAMDRIFT_CLAMD = clamd.unix_address
    workspace, room = _room(safos)
    stored_before = StoredFile.objects.count()
    event = _send_file(chat, room, _mxid(safos, "editor"), EICAR, "Rapport.txt")
    _keep_all(client, django_capture_on_commit_callbacks, "eicar-1", [event])
    (notice,) = _notices(room)
    body = notice["content"]["body"]
    assert "Filen avvisades: virusskannern hittade skadligt innehåll i den." in body
    assert "The file was refused: the virus scanner found malicious content in it." in body
    assert not Document.objects.filter(workspace=workspace).exists()
    assert StoredFile.objects.count() == stored_before
    assert ChatFile.objects.get(event_id=event["event_id"]).reason_code == "malware_found"
    # Quarantined in the media store: no Matrix program fetches it any more.
    with pytest.raises(matrix.MatrixError) as gone:
        matrix.Client().download(event["content"]["url"], as_user=_mxid(safos, "owner"))
    assert gone.value.status == 404
    (entry,) = json.loads(
        safos.client("owner").get(f"/api/v1/chat/workspaces/{workspace.id}/room/export").content
    )["attachments"]
    assert entry["kept_in"] == "media store"
    assert entry["media"]["sha256"] == hashlib.sha256(EICAR).hexdigest()  # read when refused
    assert "malicious" in entry["reason"]


def test_the_retention_archive_keeps_the_bytes_of_files_that_are_no_document(
    safos, chat, client, django_capture_on_commit_callbacks, settings
):
    """Before a purge (ADR 0655), a file kept as a document is named in the archive (document,
    version, SHA-256), and the bytes of one that was refused are kept with the archive."""
    from datetime import timedelta

    from django.utils import timezone

    from samdrift.chat import retention
    from samdrift.chat.models import ChatArchive

    workspace, room = _room(safos, role="commenter")
    refused = _send_file(chat, room, _mxid(safos, "editor"), MINUTES, "Utkast.txt")
    kept = _send_file(chat, room, _mxid(safos, "owner"), b"Beslut 1\n", "Beslut.txt")
    _keep_all(client, django_capture_on_commit_callbacks, "r-1", [refused, kept])
    document = Document.objects.get(workspace=workspace)
    settings.CHAT_RETENTION_DAYS = {str(workspace.classification): 1}
    [purge] = retention.purge_due(now=timezone.now() + timedelta(days=1, seconds=5))
    assert purge.outcome == "purged"

    archive = ChatArchive.objects.get()
    (part,) = archive.files.all()
    assert (part.event_id, part.name) == (refused["event_id"], "Utkast.txt")
    assert part.file.sha256 == hashlib.sha256(MINUTES).hexdigest()
    owner = safos.client("owner")
    api = f"/api/v1/chat/workspaces/{workspace.id}/room/archives"
    (listed,) = owner.get(api).json()
    assert listed["files"] == [{"kind": f"file-{part.pk}", "event_id": refused["event_id"],
                                "name": "Utkast.txt", "size": len(MINUTES),
                                "sha256": part.file.sha256}]  # fmt: skip
    got = owner.get(f"{api}/{archive.pk}/file-{part.pk}")
    assert got.status_code == 200 and b"".join(got.streaming_content) == MINUTES
    assert owner.get(f"{api}/{archive.pk}/file-{part.pk + 1000}").status_code == 404
    assert safos.client("editor").get(f"{api}/{archive.pk}/file-{part.pk}").status_code == 403
    page = owner.get(f"/chat/workspaces/{workspace.id}/").content.decode()
    assert f"/archives/{archive.pk}/file-{part.pk}/" in page

    exported = json.loads(b"".join(owner.get(f"{api}/{archive.pk}/json").streaming_content))
    by_event = {a["event_id"]: a for a in exported["attachments"]}
    assert by_event[refused["event_id"]]["archived"] is True
    assert by_event[refused["event_id"]]["media"]["sha256"] == part.file.sha256
    assert by_event[kept["event_id"]]["document"]["id"] == document.id
    assert (
        by_event[kept["event_id"]]["document"]["sha256"]
        == hashlib.sha256(b"Beslut 1\n").hexdigest()
    )
    pdf = b"".join(owner.get(f"{api}/{archive.pk}/pdf").streaming_content)
    text = " ".join(_pdf_text(pdf).split())
    assert "finns kvar i detta arkiv" in text or "sparas med detta arkiv" in text, text
    for profile in ("acrobat", "pdfua1"):
        assert check_pdf(pdf, profile=profile).failed == [], profile


def test_a_file_whose_worker_died_is_kept_by_the_jobs_next_attempt(
    safos, chat, client, django_capture_on_commit_callbacks
):
    """A worker killed mid-way leaves its row `working`; the job's next attempt runs only after
    the lease has expired (ADR 0011), and takes the row over then. A row another worker is
    working on right now is left alone."""
    workspace, room = _room(safos)
    event = _send_file(chat, room, _mxid(safos, "editor"), MINUTES, "Dagordning.txt")
    with django_capture_on_commit_callbacks(execute=False):
        _deliver(client, "died-1", [event])
    row = ChatFile.objects.get(event_id=event["event_id"])
    ChatFile.objects.filter(pk=row.pk).update(state="working", handled_at=timezone.now())
    assert keep_file(row.pk).state == "working"  # someone is on it: nothing done twice
    assert not Document.objects.filter(workspace=workspace).exists()
    ChatFile.objects.filter(pk=row.pk).update(handled_at=timezone.now() - timedelta(minutes=1))
    assert keep_file(row.pk).state == "kept"
    (document,) = Document.objects.filter(workspace=workspace)
    assert document.name == "Dagordning.txt" and document.versions.count() == 1
