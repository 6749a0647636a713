"""Images of the workspace in notes (issue 15 item 1, ADR 0686): the editor offers the images a
note may show; the exports embed each one's preview with the note's text alternative, as an
audited read; an image the note may not show (another workspace, a higher class, the trash, no
preview) is exported as a sentence, and its bytes stay where they are."""

from __future__ import annotations

import base64
import io
import re

import docx
import pikepdf
import pytest
from django.utils import timezone
from PIL import Image
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from samdrift.audit.models import AuditEvent
from samdrift.coediting import export, services
from samdrift.collaboration import services as collaboration
from samdrift.collaboration.models import Document

from .conftest import workspace_image

pytestmark = pytest.mark.django_db
PNG_DATA = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)">')


def _with_images(safos, note, images: list[tuple[object, str]]) -> None:
    """The note holds a paragraph, then one image per (document, alt), one inside a list."""
    doc = Doc()
    doc["default"] = fragment = XmlFragment()
    fragment.children.append(XmlElement("paragraph", None, [XmlText("Före bilderna")]))
    for document, alt in images[:-1]:
        fragment.children.append(XmlElement("image", {"document": str(document), "alt": alt}))
    document, alt = images[-1]
    image = XmlElement("image", {"document": str(document), "alt": alt})
    item = XmlElement("listItem", None, [XmlElement("paragraph", None, [XmlText("Punkt")]), image])
    fragment.children.append(XmlElement("bulletList", None, [item]))
    services.update_accept(
        actor=safos.actor("owner"), doc_id=note.id, generation=1, update=doc.get_update()
    )


def _reads(document_id: int) -> list[str]:
    events = AuditEvent.objects.filter(
        action="read", object_type="collaboration.document", object_id=str(document_id)
    )
    return [event.after.get("access") for event in events]


def test_the_editor_offers_the_images_the_note_may_show_and_a_reader_gets_no_form(
    safos, spaces, note
):
    shared, secret, _foreign = spaces
    shown = workspace_image(safos, shared.id, "Karta.png")
    higher = workspace_image(safos, shared.id, "Hemlig karta.png")
    Document.objects.filter(id=higher).update(classification=2)
    trashed = workspace_image(safos, shared.id, "Gammal.png")
    Document.objects.filter(id=trashed).update(trashed_at=timezone.now())
    waiting = workspace_image(safos, shared.id, "Utan förhandsvisning.png", preview=False)
    pdf = collaboration.upload(
        actor=safos.actor("owner"), workspace_id=shared.id, stream=io.BytesIO(b"%PDF-1.4\n"),
        name="Rapport.pdf", content_type="application/pdf",
    ).document_id  # fmt: skip
    elsewhere = workspace_image(safos, secret.id, "Annan yta.png")

    page = safos.client("owner").get(f"/live/{note.id}/")
    options = re.findall(r'<option value="(\d+)">([^<]*)</option>', page.text)
    assert options == [(str(shown), "Karta.png")]
    for hidden in (higher, trashed, waiting, pdf, elsewhere):
        assert f'value="{hidden}"' not in page.text
    assert 'data-command="image" aria-expanded="false" aria-controls="coedit-image"' in page.text
    assert (
        '<input type="text" id="coedit-image-alt" name="alt" maxlength="300" required' in page.text
    )

    reader = safos.client("reader").get(f"/live/{note.id}/")
    assert reader.status_code == 200
    assert 'id="coedit-image"' not in reader.text and "Karta.png" not in reader.text


def test_an_editor_with_no_images_is_told_how_to_add_one(safos, spaces, note):
    page = safos.client("owner").get(f"/live/{note.id}/")
    assert "The workspace has no images of this class or lower yet" in page.text or (
        "Arbetsytan har inga bilder" in page.text
    )
    assert f'href="/collaboration/{spaces[0].id}/"' in page.text


def test_the_exports_embed_the_images_with_their_text_alternative_as_audited_reads(
    safos, spaces, note
):
    shared, secret, _foreign = spaces
    shown = workspace_image(safos, shared.id, "Karta.png")
    untitled = workspace_image(
        safos, shared.id, "Organisation.png", colour=(10, 120, 40), size=(1000, 400)
    )
    higher = workspace_image(safos, shared.id, "Hemlig karta.png")
    Document.objects.filter(id=higher).update(classification=2)
    elsewhere = workspace_image(safos, secret.id, "Annan yta.png")
    _with_images(
        safos,
        note,
        [
            (shown, 'Karta "över" <kontoren>'),
            (higher, "Hemlig karta"),
            (elsewhere, "Annan yta"),
            ("x", "Trasig"),
            (untitled, ""),  # inside the list: the document's name stands in for the text
        ],
    )
    client = safos.client("editor")

    html = client.get(f"/live/{note.id}/export.html", HTTP_ACCEPT_LANGUAGE="sv").text
    embedded = PNG_DATA.findall(html)
    assert [alt for _data, alt in embedded] == [
        "Karta &quot;över&quot; &lt;kontoren&gt;",
        "Organisation.png",
    ]
    with Image.open(io.BytesIO(base64.b64decode(embedded[0][0]))) as picture:
        assert picture.format == "PNG" and picture.getpixel((5, 5)) == (30, 90, 160)
    assert "<li>Punkt<br><img " in html  # a list item's image is no paragraph of its own
    for alt in ("Hemlig karta", "Annan yta", "Trasig"):
        assert f"<p><em>[En bild som inte kan visas här: {alt}]</em></p>" in html
    assert _reads(shown) == ["in_export"] and _reads(untitled) == ["in_export"]
    assert _reads(higher) == [] and _reads(elsewhere) == []

    word = docx.Document(io.BytesIO(client.get(f"/live/{note.id}/export.docx").content))
    pictures = word.inline_shapes
    assert len(pictures) == 2
    assert [p._inline.docPr.get("descr") for p in pictures] == [
        'Karta "över" <kontoren>',
        "Organisation.png",
    ]
    section = word.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    assert pictures[0].width < text_width  # small: its own size
    assert pictures[1].width == text_width  # wide: no wider than the text, proportions kept
    assert abs(pictures[1].height / pictures[1].width - 0.4) < 0.01
    texts = [p.text for p in word.paragraphs]
    assert any("Hemlig karta" in text for text in texts)

    pdf_bytes = client.get(f"/live/{note.id}/export.pdf").content
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        figures = _figures(pdf.Root.StructTreeRoot)
    assert sorted(str(f.get("/Alt")) for f in figures) == sorted(
        ['Karta "över" <kontoren>', "Organisation.png"]
    )
    assert _reads(shown) == ["in_export"] * 3


def _figures(node) -> list:
    found = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, pikepdf.Dictionary):
            if item.get("/S") == "/Figure":
                found.append(item)
            kids = item.get("/K")
            if kids is not None:
                stack.extend(kids if isinstance(kids, pikepdf.Array) else [kids])
        elif isinstance(item, pikepdf.Array):
            stack.extend(item)
    return found


def test_only_the_image_s_document_counts_never_an_address_in_the_shared_state():
    doc = Doc()
    doc["default"] = fragment = XmlFragment()
    attrs = {"document": "7", "alt": "A", "src": "https://spår.example/pixel.png"}
    fragment.children.append(XmlElement("image", attrs))
    fragment.children.append(XmlElement("image", {"document": "-3", "alt": "B"}))
    for odd in (float("inf"), float("nan"), 2.5, True, "٣", None):
        fragment.children.append(XmlElement("image", {"document": odd, "alt": "udda"}))
    item = XmlElement("listItem", None, [XmlElement("image", {"document": 9, "alt": "C"})])
    fragment.children.append(XmlElement("bulletList", None, [item]))
    fragment.children.append(XmlElement("image", {"document": "7", "alt": "D"}))
    update = doc.get_update()

    assert export.note_image_ids(update) == [7, 9]
    html = export.note_html(update, {7: export.Picture(b"\x89PNG-ish", "x.png")}, "saknas: %(alt)s")
    assert "spår.example" not in html
    assert html.count("data:image/png;base64,") == 2  # both images of document 7
    assert "saknas: B" in html and "<li>saknas: C</li>" in html.replace("<em>", "").replace(
        "</em>", ""
    )


def test_the_api_lists_the_images_a_note_may_show(safos, spaces, note):
    shared, secret, foreign = spaces
    shown = workspace_image(safos, shared.id, "Karta.png")
    higher = workspace_image(safos, shared.id, "Hemlig.png")
    Document.objects.filter(id=higher).update(classification=2)
    workspace_image(safos, secret.id, "Annan.png")
    listed = safos.client("reader").get(f"/api/v1/live/docs/{note.id}/images")
    assert listed.status_code == 200
    assert listed.json()["items"] == [
        {
            "document": shown,
            "name": "Karta.png",
            "preview": f"/collaboration/documents/{shown}/preview/",
        }
    ]
    board = services.doc_create(
        actor=safos.actor("owner"), workspace_id=shared.id, kind="board", title="Tavla"
    )
    assert safos.client("owner").get(f"/api/v1/live/docs/{board.id}/images").json()["items"] == []
    # B's own workspace's note is out of A's sight: the same 404 as a missing one.
    other = services.doc_create(
        actor=safos.actor("editor"), workspace_id=foreign.id, kind="note", title="B:s"
    )
    assert safos.client("owner").get(f"/api/v1/live/docs/{other.id}/images").status_code == 404
