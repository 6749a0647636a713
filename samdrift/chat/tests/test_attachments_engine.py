"""Files sent in the workspace's chat (issue 13 item 4, ADR 0660), against a REAL Synapse
(conftest.py): the file becomes a document of the workspace through the documents' own upload,
the message names it and links to its page; commenters, readers and outsiders are refused, as
are files the documents refuse, with nothing stored or sent; a message from another Matrix
program naming a document of another workspace shows no link."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samdrift.audit.models import AuditEvent
from samdrift.chat import conversation, matrix, services
from samdrift.chat.models import ChatRoom
from samdrift.collaboration.models import Document

from .test_engine import _join, _mxid, _room_with_an_editor, _workspace

pytestmark = [pytest.mark.engine, pytest.mark.django_db]

MINUTES = b"Protokoll 2026-12-07\nBeslut: budgeten antas.\n"


def _messages(room_id: str) -> list[dict]:
    return [e for e in matrix.Client().history(room_id) if e.get("type") == "m.room.message"]


def _file(name: str = "Protokoll.txt", data: bytes = MINUTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/plain")


def test_a_file_sent_from_the_page_and_the_api_is_a_document_of_the_workspace(
    safos, chat, files_dir
):
    workspace, room, url = _room_with_an_editor(safos)
    editor = safos.client("editor")
    assert 'name="file"' in editor.get(url).content.decode()

    sent = editor.post(f"{url}attach/", {"file": _file(), "text": "Från mötet"})
    assert sent.status_code == 302, sent.content.decode()[:500]
    document = Document.objects.get(workspace=workspace, name="Protokoll.txt")
    (message,) = _messages(room)
    content = message["content"]
    assert content[conversation.ATTACHMENT_KEY] == {"document_id": document.id, "version": 1}
    assert content["body"].startswith("Från mötet\n📎 Protokoll.txt: http")
    assert content["body"].endswith(f"/collaboration/documents/{document.id}/")
    assert message["sender"] == _mxid(safos, "editor")

    owner = safos.client("owner")
    page = owner.get(url).content.decode()
    assert f'href="/collaboration/documents/{document.id}/">Protokoll.txt' in page
    download = owner.get(f"/collaboration/documents/{document.id}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == MINUTES
    (shown,) = conversation.recent_messages(actor=safos.actor("owner"), workspace_id=workspace.id)
    assert (shown.text, shown.attachment) == ("Från mötet", (document.id, "Protokoll.txt"))

    api = f"/api/v1/chat/workspaces/{workspace.id}/room/attachments"
    by_api = editor.post(api, {"file": _file("Bilaga.txt", b"Bilaga 1\n")})
    assert by_api.status_code == 201, by_api.content
    attached = Document.objects.get(workspace=workspace, name="Bilaga.txt")
    assert by_api.json()["document_id"] == attached.id and by_api.json()["version"] == 1
    listed = owner.get(f"/api/v1/chat/workspaces/{workspace.id}/room/messages").json()
    assert listed[-1]["attachment"] == {"document_id": attached.id, "name": "Bilaga.txt"}
    assert listed[-1]["text"] == ""
    audited = AuditEvent.objects.filter(action="chat.attachment_sent")
    assert sorted(e.after["document_id"] for e in audited) == sorted([document.id, attached.id])


def test_who_may_not_and_what_the_documents_refuse_stores_and_sends_nothing(safos, chat, files_dir):
    workspace = _workspace(safos)
    _join(safos, workspace, "editor", role="editor")
    _join(safos, workspace, "reader", role="commenter")
    services.provision_workspace(workspace_id=workspace.id)
    room = ChatRoom.objects.get(workspace=workspace).room_id
    url = f"/chat/workspaces/{workspace.id}/"
    api = f"/api/v1/chat/workspaces/{workspace.id}/room/attachments"
    commenter, editor = safos.client("reader"), safos.client("editor")

    assert 'name="file"' not in commenter.get(url).content.decode()  # writes, but adds no files
    refused = commenter.post(f"{url}attach/", {"file": _file(), "text": "Mitt utkast"})
    assert refused.status_code == 422
    assert "Redaktörer och ägare skickar filer" in refused.content.decode()
    assert "Mitt utkast" in refused.content.decode()  # the words are kept
    assert commenter.post(api, {"file": _file()}).status_code == 403
    assert safos.client("outsider").post(f"{url}attach/", {"file": _file()}).status_code == 404
    assert safos.client("outsider").post(api, {"file": _file()}).status_code == 404

    no_file = editor.post(f"{url}attach/", {"text": "Utan fil"})
    assert no_file.status_code == 422 and "Välj filen som ska skickas" in no_file.content.decode()
    for name, data in (("Tom.txt", b""), ("../../etc/passwd", MINUTES), ("Bild.png", MINUTES)):
        page = editor.post(f"{url}attach/", {"file": _file(name, data)})
        assert page.status_code == 422, name
        assert editor.post(api, {"file": _file(name, data)}).status_code in (409, 413, 422), name
    too_long = editor.post(f"{url}attach/", {"file": _file(), "text": "x" * 4001})
    assert too_long.status_code == 422
    assert not Document.objects.filter(workspace=workspace).exists()
    assert _messages(room) == []
    assert not AuditEvent.objects.filter(action="chat.attachment_sent").exists()

    # A message from any Matrix program may name a document: only this workspace's are shown
    other = _workspace(safos)
    elsewhere = Document.objects.create(workspace=other, name="Hemlig.txt", classification=1)
    matrix.Client().send_event(
        room, "m.room.message",
        {"msgtype": "m.text", "body": "Titta här",
         conversation.ATTACHMENT_KEY: {"document_id": elsewhere.id, "version": 1}},
        as_user=_mxid(safos, "editor"), txn_id=uuid.uuid4().hex,
    )  # fmt: skip
    (shown,) = conversation.recent_messages(actor=safos.actor("owner"), workspace_id=workspace.id)
    assert (shown.text, shown.attachment) == ("Titta här", None)
    assert "Hemlig.txt" not in safos.client("owner").get(url).content.decode()
