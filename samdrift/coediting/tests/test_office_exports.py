"""A note as DOCX and a board as PNG (issue 15 item 2): the files open in the libraries that read
them, and carry what a screen reader needs (title, language, headings, list styles, a marked
table header, real links) or, for the picture, its text alternative."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn
from PIL import Image
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from samdrift.audit.models import AuditEvent
from samdrift.coediting import services

from .conftest import board_with

pytestmark = pytest.mark.django_db
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _note_state() -> bytes:
    doc = Doc()
    doc["default"] = fragment = XmlFragment()
    fragment.children.append(XmlElement("heading", {"level": "1"}, [XmlText("Beslut")]))
    para = XmlElement("paragraph", None, [XmlText("Se ")])
    fragment.children.append(para)
    text = para.children[0]
    text.insert(len(str(text)), "underlaget", {"link": {"href": "https://example.se/u"}})
    text.insert(len(str(text)), " och ", {})
    text.insert(len(str(text)), "fet", {"bold": {}})
    text.insert(len(str(text)), " ond", {"link": {"href": "javascript:alert(1)"}})
    items = [
        XmlElement("listItem", None, [XmlElement("paragraph", None, [XmlText(t)])])
        for t in ("Ett", "Två")
    ]
    fragment.children.append(XmlElement("bulletList", None, items))
    header = XmlElement(
        "tableRow",
        None,
        [
            XmlElement("tableHeader", None, [XmlElement("paragraph", None, [XmlText(t)])])
            for t in ("Åtgärd", "Ansvarig")
        ],
    )
    body = XmlElement(
        "tableRow",
        None,
        [
            XmlElement("tableCell", None, [XmlElement("paragraph", None, [XmlText(t)])])
            for t in ("Ringa", "Anna")
        ],
    )
    fragment.children.append(XmlElement("table", None, [header, body]))
    return doc.get_update()


@pytest.mark.parametrize(("language", "tag"), [("sv", "sv-SE"), ("en", "en-GB")])
def test_a_note_exports_as_a_word_document_a_screen_reader_can_follow(safos, note, language, tag):
    services.update_accept(
        actor=safos.actor("owner"), doc_id=note.id, generation=1, update=_note_state()
    )
    reader = safos.client("reader")
    reader.cookies["django_language"] = language
    answer = reader.get(f"/live/{note.id}/export.docx")
    assert answer.status_code == 200 and answer["Content-Type"] == DOCX
    assert answer["Content-Disposition"].endswith('.docx"')
    document = docx.Document(io.BytesIO(answer.content))
    assert document.core_properties.title == "Mötesanteckning"
    assert document.core_properties.language == tag
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(f".//{qn('w:lang')}").get(qn("w:val")) == tag
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Title", "Mötesanteckning")
    assert ("Heading 1", "Beslut") in paragraphs
    assert ("List Bullet", "Ett") in paragraphs and ("List Bullet", "Två") in paragraphs
    body = next(p for p in document.paragraphs if p.text.startswith("Se "))
    assert body.text == "Se underlaget och fet ond"
    assert [link.address for link in body.hyperlinks] == ["https://example.se/u"]
    assert any(run.bold and run.text == "fet" for run in body.runs)
    assert "javascript" not in answer.content.decode("latin-1")
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells] == ["Åtgärd", "Ansvarig"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table.rows[1]._tr.trPr is None or table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    read = AuditEvent.objects.filter(action="read", object_id=str(note.id)).latest("id")
    assert read.after["access"] == "export-docx"


def test_a_board_exports_as_a_png_with_its_text_alternative(safos, spaces):
    board = board_with(
        safos,
        spaces[0].id,
        "Tavla",
        {
            "a": {"kind": "sticky", "x": 10, "y": 20, "text": "Mål och medel för året"},
            "b": {"kind": "ellipse", "x": 500, "y": 300, "text": "Risk"},
        },
    )
    answer = safos.client("editor").get(f"/live/{board.id}/export.png")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(answer.content))
    assert image.format == "PNG" and image.size == (1920, 1080)
    assert image.text["Title"] == "Tavla"
    assert "Mål och medel för året" in image.text["Description"]
    assert "Risk" in image.text["Description"]
    pixels = image.convert("RGB")
    assert pixels.getpixel((40, 60)) == (255, 244, 163)  # inside the sticky note: its yellow
    assert pixels.getpixel((1900, 30)) == (255, 255, 255)  # nothing drawn there
    inside = pixels.crop((40, 60, 340, 220))  # the sticky's text is drawn: dark pixels
    assert any(p[0] < 100 for p in inside.getdata())
    for who, status in (("outsider", 404), ("reader", 200)):
        assert safos.client(who).get(f"/live/{board.id}/export.png").status_code == status
    # A board is not a document: no DOCX of it.
    assert safos.client("editor").get(f"/live/{board.id}/export.docx").status_code == 404
