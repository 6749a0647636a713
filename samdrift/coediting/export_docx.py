"""A note as a Word document (DOCX, issue 15 item 2), built with python-docx from the same Yjs
tree as the HTML export (`export.py`) and made to be read by a screen reader as the HTML is:
the title in the document's properties and as its Title paragraph, the note's headings as Word
headings, lists as list styles, a table's header row marked as a header row that repeats, links
as real hyperlinks (http(s) and mailto only), images as inline pictures no wider than the text
with their alternative text (`descr`), and the document's language set."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu
from docx.text.paragraph import Paragraph
from pycrdt import XmlElement, XmlFragment, XmlText

from .export import SAFE_LINK, Picture, heading_level, image_alt, image_document, note_fragment

LIST_STYLES = {"bulletList": "List Bullet", "orderedList": "List Number"}
LANGUAGES = {"sv": "sv-SE", "en": "en-GB"}


def note_docx(
    update: bytes,
    *,
    title: str,
    language: str,
    pictures: Mapping[int, Picture] | None = None,
    missing: str = "",
) -> bytes:
    """The note as DOCX; images as `export.note_html` shows them (`pictures`, `missing`)."""
    fragment: XmlFragment = note_fragment(update)
    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.language = LANGUAGES.get(language, language)
    _set_language(document, LANGUAGES.get(language, language))
    document.add_heading(title, level=0)
    writer = _Writer(document, pictures or {}, missing)
    for child in fragment.children:
        writer.block(child, list_depth=0)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _set_language(document: Any, tag: str) -> None:
    """The default run language of every style: what a screen reader reads the text in."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    lang.set(qn("w:val"), tag)


class _Writer:
    def __init__(self, document: Any, pictures: Mapping[int, Picture], missing: str) -> None:
        self.document = document
        self.pictures = pictures
        self.missing = missing
        section = document.sections[0]
        self.text_width = section.page_width - section.left_margin - section.right_margin
        names = {(style.type, style.name) for style in document.styles}
        self.styles = {n for t, n in names if t == WD_STYLE_TYPE.PARAGRAPH}
        self.link_style = "Hyperlink" if (WD_STYLE_TYPE.CHARACTER, "Hyperlink") in names else None
        self.table_style = "Table Grid" if (WD_STYLE_TYPE.TABLE, "Table Grid") in names else None

    def block(self, node: Any, *, list_depth: int, list_kind: str = "") -> None:
        if isinstance(node, XmlText):
            self.runs(self.document.add_paragraph(), node)
            return
        if not isinstance(node, XmlElement):
            return
        tag = node.tag or ""
        if tag == "heading":
            paragraph = self.document.add_heading(
                level=heading_level(node.attributes.get("level")) - 1
            )
            self.inline(paragraph, node)
        elif tag in LIST_STYLES:
            for item in node.children:
                self.block(item, list_depth=list_depth + 1, list_kind=tag)
        elif tag == "listItem":
            for child in node.children:
                if isinstance(child, XmlElement) and child.tag in LIST_STYLES:
                    self.block(child, list_depth=list_depth)
                else:
                    paragraph = self.document.add_paragraph(
                        style=self._list_style(list_kind, list_depth)
                    )
                    self.inline(paragraph, child)
        elif tag == "table":
            self.table(node)
        elif tag == "blockquote":
            for child in node.children:
                paragraph = self.document.add_paragraph(style=self._style("Quote"))
                self.inline(paragraph, child)
        elif tag == "codeBlock":
            paragraph = self.document.add_paragraph()
            self.inline(paragraph, node, code=True)
        elif tag == "horizontalRule":
            return
        elif tag == "image":
            self.picture(self.document.add_paragraph(), node)
        else:  # a paragraph, or an element the editor does not make: its text
            self.inline(self.document.add_paragraph(), node)

    def _list_style(self, kind: str, depth: int) -> str | None:
        base = LIST_STYLES.get(kind, "List Bullet")
        name = base if depth <= 1 else f"{base} {min(depth, 3)}"
        return self._style(name)

    def _style(self, name: str) -> str | None:
        return name if name in self.styles else None

    def inline(self, paragraph: Paragraph, node: Any, *, code: bool = False) -> None:
        if isinstance(node, XmlText):
            self.runs(paragraph, node, code=code)
            return
        if not isinstance(node, XmlElement):
            return
        if node.tag == "hardBreak":
            paragraph.add_run().add_break()
            return
        if node.tag == "image":
            self.picture(paragraph, node)
            return
        for child in node.children:
            self.inline(paragraph, child, code=code)

    def picture(self, paragraph: Paragraph, node: XmlElement) -> None:
        document_id = image_document(node)
        picture = self.pictures.get(document_id) if document_id is not None else None
        alt = image_alt(node, picture)
        if picture is None:
            paragraph.add_run(self.missing % {"alt": alt}).italic = True
            return
        shape = paragraph.add_run().add_picture(io.BytesIO(picture.png))
        if shape.width > self.text_width:
            shape.height = Emu(int(shape.height * self.text_width / shape.width))
            shape.width = self.text_width
        shape._inline.docPr.set("descr", alt)  # Word's "alt text", read by screen readers

    def runs(self, paragraph: Paragraph, text: XmlText, *, code: bool = False) -> None:
        for value, marks in text.diff():
            marks = marks or {}
            link = marks.get("link")
            href = link.get("href") if isinstance(link, dict) else None
            if isinstance(href, str) and href.startswith(SAFE_LINK):
                self.hyperlink(paragraph, str(value), href, marks)
                continue
            run = paragraph.add_run(str(value))
            _format(run, marks, code=code)

    def hyperlink(self, paragraph: Paragraph, text: str, href: str, marks: dict[str, Any]) -> None:
        relation = paragraph.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), relation)
        run = paragraph.add_run(text, style=self.link_style)
        _format(run, marks, code=False)
        link.append(run._r)
        paragraph._p.append(link)

    def table(self, node: XmlElement) -> None:
        rows = [row for row in node.children if isinstance(row, XmlElement)]
        cells = [[c for c in row.children if isinstance(c, XmlElement)] for row in rows]
        width = max((len(row) for row in cells), default=0)
        if not width:
            return
        table = self.document.add_table(rows=len(rows), cols=width)
        table.style = self.table_style
        for r, row in enumerate(cells):
            for c, cell in enumerate(row):
                target = table.cell(r, c)
                first = target.paragraphs[0]
                for n, child in enumerate(cell.children):
                    paragraph = first if n == 0 else target.add_paragraph()
                    self.inline(paragraph, child)
            if row and all(cell.tag == "tableHeader" for cell in row):
                _repeat_as_header(table.rows[r])


def _format(run: Any, marks: dict[str, Any], *, code: bool) -> None:
    run.bold = "bold" in marks or None
    run.italic = "italic" in marks or None
    run.underline = "underline" in marks or None
    run.font.strike = "strike" in marks or None
    if code or "code" in marks:
        run.font.name = "Courier New"


def _repeat_as_header(row: Any) -> None:
    """Marks a header row as such (`w:tblHeader`): read as the table's header, repeated on
    each page."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)
