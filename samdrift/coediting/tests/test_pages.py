"""The live-document pages: create, open, keep and restore versions; who may do what; bad input
explained in both languages and nothing changed."""

from __future__ import annotations

import pytest
from pycrdt import Doc, Text

from samdrift.audit.models import AuditEvent
from samdrift.coediting import selectors, services
from samdrift.coediting.models import LiveDoc, LiveVersion
from samdrift.core.exceptions import ValidationFailed
from samdrift.core.i18n import in_both_languages

pytestmark = pytest.mark.django_db


def test_an_editor_creates_a_note_and_a_reader_cannot(safos, spaces):
    shared = spaces[0]
    editor = safos.client("editor")
    answer = editor.post(f"/live/workspace/{shared.id}/", {"title": "Protokoll", "kind": "note"})
    assert answer.status_code == 302
    doc = LiveDoc.objects.get(title="Protokoll")
    assert doc.workspace_id == shared.id and doc.kind == "note"
    assert AuditEvent.objects.filter(action="coediting.create", object_id=str(doc.pk)).exists()
    page = safos.client("reader").get(f"/live/workspace/{shared.id}/")
    assert page.status_code == 200 and "Protokoll" in page.text
    assert "New note or whiteboard" not in page.text and "Ny anteckning" not in page.text
    refused = safos.client("reader").post(
        f"/live/workspace/{shared.id}/", {"title": "Mitt", "kind": "note"}
    )
    assert refused.status_code == 422
    assert not LiveDoc.objects.filter(title="Mitt").exists()


def test_another_agencys_workspace_is_not_found(safos, spaces):
    foreign = spaces[2]  # B's own workspace; A's owner is not in it
    owner = safos.client("owner")
    assert owner.get(f"/live/workspace/{foreign.id}/").status_code == 404
    assert (
        owner.post(f"/live/workspace/{foreign.id}/", {"title": "X", "kind": "note"}).status_code
        == 404
    )
    assert not LiveDoc.objects.filter(title="X").exists()


def test_bad_input_is_explained_and_changes_nothing(safos, spaces, note):
    shared = spaces[0]
    owner = safos.client("owner")
    bad = owner.post(f"/live/workspace/{shared.id}/", {"title": "", "kind": "slides"})
    assert bad.status_code == 422
    assert LiveDoc.objects.count() == 1
    bad = owner.post(f"/live/{note.id}/versions/", {"name": ""})
    assert bad.status_code == 422 and not LiveVersion.objects.exists()
    with pytest.raises(ValidationFailed) as refused:
        services.doc_create(actor=safos.actor("owner"), workspace_id=shared.id, kind="x", title="")
    texts = in_both_languages(refused.value.errors["title"][0])
    assert texts["sv"] != texts["en"] and "200" in texts["sv"]
    with pytest.raises(ValidationFailed) as unreadable:
        services.state_import(
            actor=safos.actor("owner"), doc_id=note.id, name="import", state=b"\x05\xffnej"
        )
    texts = in_both_languages(unreadable.value.message)
    assert texts["sv"] != texts["en"] and "Yjs" in texts["sv"]
    assert not LiveVersion.objects.exists()


def _state(text: str) -> bytes:
    doc = Doc()
    doc["default"] = Text(text)
    return doc.get_update()


def test_versions_are_kept_and_restored_through_the_page(safos, note):
    owner = safos.actor("owner")
    services.update_accept(actor=owner, doc_id=note.id, generation=1, update=_state("Ett"))
    client = safos.client("owner")
    assert client.post(f"/live/{note.id}/versions/", {"name": "Första"}).status_code == 302
    kept = LiveVersion.objects.get(name="Första")
    services.update_accept(actor=owner, doc_id=note.id, generation=1, update=_state("Två"))
    reader = safos.client("reader")
    refused = reader.post(f"/live/{note.id}/versions/{kept.id}/restore/", follow=True)
    assert "not change it" in refused.text or "inte ändra" in refused.text
    assert LiveDoc.objects.get(pk=note.pk).generation == 1
    assert client.post(f"/live/{note.id}/versions/{kept.id}/restore/").status_code == 302
    assert LiveDoc.objects.get(pk=note.pk).generation == 2
    state, _ = selectors.doc_state(doc_id=note.id)
    doc = Doc()
    doc.apply_update(state)
    doc["default"] = text = Text()
    assert str(text) == "Ett"
    page = client.get(f"/live/{note.id}/")
    assert page.status_code == 200 and "Första" in page.text
    assert AuditEvent.objects.filter(action="coediting.restore").count() == 1
    # The restored-over content is a version too.
    assert LiveVersion.objects.filter(name__endswith=": Första").exists()


def test_a_stronger_login_is_asked_for_before_anything_shows(safos, note):
    page = safos.client("editor", loa=0).get(f"/live/{note.id}/")
    assert page.status_code in (302, 401)
    assert "Mötesanteckning" not in page.text
