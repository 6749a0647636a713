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

from .conftest import board_with

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


def test_a_note_exports_as_semantic_html_with_nothing_unsafe(safos, note):
    from pycrdt import XmlElement, XmlFragment, XmlText

    doc = Doc()
    doc["default"] = fragment = XmlFragment()
    fragment.children.append(XmlElement("heading", {"level": "1"}, [XmlText("Beslut")]))
    para = XmlElement("paragraph", None, [XmlText("<script>x</script> ")])
    fragment.children.append(para)
    text = para.children[0]
    text.insert(len(str(text)), "fet", {"bold": {}})
    text.insert(len(str(text)), " bra", {"link": {"href": "https://example.se/?a=1&b=2"}})
    text.insert(len(str(text)), " ond", {"link": {"href": "javascript:alert(1)"}})
    services.update_accept(
        actor=safos.actor("owner"), doc_id=note.id, generation=1, update=doc.get_update()
    )
    answer = safos.client("reader").get(f"/live/{note.id}/export.html")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/html")
    html = answer.content.decode()
    assert "<h1>Mötesanteckning</h1>" in html and "<h2>Beslut</h2>" in html  # the note's h1 → h2
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "<strong>fet</strong>" in html
    assert '<a href="https://example.se/?a=1&amp;b=2"> bra</a>' in html
    assert "javascript:" not in html and " ond" in html
    assert AuditEvent.objects.filter(action="read", object_id=str(note.id)).exists()
    # A note is not an image, a board not a page; an unknown format is missing.
    for fmt in ("svg", "png", "exe"):
        assert safos.client("reader").get(f"/live/{note.id}/export.{fmt}").status_code == 404


def test_a_board_exports_as_a_titled_svg(safos, spaces):
    board = board_with(
        safos,
        spaces[0].id,
        "Tavla <1>",
        {"a": {"kind": "sticky", "x": 10, "y": 20, "text": "Mål & medel"}},
    )
    answer = safos.client("editor").get(f"/live/{board.id}/export.svg")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/svg+xml"
    svg = answer.content.decode()
    assert "<title" in svg and "Tavla &lt;1&gt;" in svg and "Mål &amp; medel" in svg
    assert safos.client("outsider").get(f"/live/{board.id}/export.svg").status_code == 404
