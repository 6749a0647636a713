"""The live documents' API (/api/v1/live): the pages' rules through the same selectors and
services; bad input explained in both languages and nothing changed."""

from __future__ import annotations

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.coediting.models import LiveDoc, LiveVersion

from .test_pages import _state

pytestmark = pytest.mark.django_db
API = "/api/v1/live"


def test_an_editor_creates_lists_reads_and_a_reader_only_reads(safos, spaces, note):
    shared = spaces[0]
    editor = safos.client("editor")
    made = editor.post(
        f"{API}/workspaces/{shared.id}/docs",
        {"kind": "board", "title": "Planering"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    board = made.json()
    assert board["kind"] == "board" and board["websocket"] == f"/ws/coedit/{board['id']}"
    assert AuditEvent.objects.filter(action="coediting.create", object_id=str(board["id"])).exists()

    listed = safos.client("reader").get(f"{API}/workspaces/{shared.id}/docs").json()
    assert {d["title"] for d in listed["items"]} == {"Mötesanteckning", "Planering"}
    detail = safos.client("reader").get(f"{API}/docs/{note.id}").json()
    assert detail["abilities"]["view"] and not detail["abilities"]["edit"]
    assert detail["exports"] == ["docx", "html", "pdf"]
    assert safos.client("editor").get(f"{API}/docs/{board['id']}").json()["exports"] == [
        "png",
        "svg",
    ]

    refused = safos.client("reader").post(
        f"{API}/workspaces/{shared.id}/docs",
        {"kind": "note", "title": "Läsarens"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert not LiveDoc.objects.filter(title="Läsarens").exists()


@pytest.mark.parametrize("language", ["sv", "en"])
def test_bad_input_is_explained_and_changes_nothing(safos, spaces, note, language):
    owner = safos.client("owner")
    owner.cookies["django_language"] = language
    bad = owner.post(
        f"{API}/workspaces/{spaces[0].id}/docs",
        {"kind": "slides", "title": ""},
        content_type="application/json",
    )
    assert bad.status_code == 422
    fields = bad.json()["errors"]
    assert set(fields) >= {"kind", "title"}
    word = "anteckning" if language == "sv" else "note"
    assert word in " ".join(fields["kind"]).lower()
    no_name = owner.post(
        f"{API}/docs/{note.id}/versions", {"name": ""}, content_type="application/json"
    )
    assert no_name.status_code == 422
    assert LiveDoc.objects.count() == 1 and not LiveVersion.objects.exists()
    for fmt in ("svg", "exe"):
        assert owner.get(f"{API}/docs/{note.id}/export/{fmt}").status_code == 404


def test_versions_are_kept_listed_and_restored(safos, note):
    from samdrift.coediting import services

    owner = safos.actor("owner")
    services.update_accept(actor=owner, doc_id=note.id, generation=1, update=_state("Ett"))
    editor = safos.client("editor")
    kept = editor.post(
        f"{API}/docs/{note.id}/versions", {"name": "Före"}, content_type="application/json"
    )
    assert kept.status_code == 201 and kept.json()["name"] == "Före"
    versions = editor.get(f"{API}/docs/{note.id}/versions").json()
    assert [v["name"] for v in versions["items"]] == ["Före"]
    refused = safos.client("reader").post(
        f"{API}/docs/{note.id}/versions/{kept.json()['id']}/restore"
    )
    assert refused.status_code == 403
    assert LiveDoc.objects.get(pk=note.id).generation == 1
    restored = editor.post(f"{API}/docs/{note.id}/versions/{kept.json()['id']}/restore")
    assert restored.status_code == 200 and restored.json()["generation"] == 2
    names = [v["name"] for v in editor.get(f"{API}/docs/{note.id}/versions").json()["items"]]
    assert len(names) == 2 and "Före" in names  # the replaced content was kept first


def test_an_export_through_the_api_is_the_file_and_is_audited(safos, note):
    answer = safos.client("reader").get(f"{API}/docs/{note.id}/export/pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    read = AuditEvent.objects.filter(action="read", object_id=str(note.id)).latest("id")
    assert read.after["access"] == "export-pdf"
    assert safos.client("outsider").get(f"{API}/docs/{note.id}/export/pdf").status_code == 404


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_view_only_class_exports_nothing_and_keeps_no_offline_copy(safos, language):
    from samdrift.calendars.tests.conftest import join
    from samdrift.coediting import services
    from samdrift.collaboration import services as collaboration

    owner = safos.actor("owner")
    closed = collaboration.workspace_create(actor=owner, name="Slutet", classification=3)
    join(safos, closed, "editor")
    doc = services.doc_create(actor=owner, workspace_id=closed.id, kind="note", title="Sluten")
    before = AuditEvent.objects.filter(action="read").count()
    editor = safos.client("editor")
    editor.cookies["django_language"] = language
    for fmt in ("html", "pdf", "docx"):
        api = editor.get(f"{API}/docs/{doc.id}/export/{fmt}")
        assert api.status_code == 403 and api.json()["code"] == "view_only"
        assert ("visning" if language == "sv" else "viewing") in api.json()["message"]
        page = editor.get(f"/live/{doc.id}/export.{fmt}")
        assert page.status_code == 302 and page["Location"] == f"/live/{doc.id}/"
    assert AuditEvent.objects.filter(action="read").count() == before
    detail = editor.get(f"{API}/docs/{doc.id}").json()
    assert detail["exports"] == [] and detail["abilities"]["edit"]
    assert not detail["abilities"]["keep_offline"]
    page = editor.get(f"/live/{doc.id}/")
    assert 'data-keep-offline="0"' in page.text and "export.pdf" not in page.text
