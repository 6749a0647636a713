"""A live document's content out of its Yjs state (issue 15 item 2): a note as semantic HTML (the
page, the PDF renderer's input), a whiteboard as SVG with a text alternative. Only the node and
mark types the editor makes are written, each as its HTML element; anything else keeps its text
and loses its markup, and a link keeps its address only when it is http(s) or mailto. A board
also as PNG; a note also as DOCX (`export_docx.py`).

An image in a note names a SAFOS document of the workspace (`document`); the export shows the
picture it is given for that document (its preview PNG, embedded as a `data:` URL so the file
stands alone and the PDF renderer fetches nothing) with the note's alternative text, and a
sentence saying the image cannot be shown for any other (ADR 0686)."""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo
from pycrdt import Doc, Map, XmlElement, XmlFragment, XmlText

BLOCKS = {
    "paragraph": "p",
    "blockquote": "blockquote",
    "bulletList": "ul",
    "orderedList": "ol",
    "listItem": "li",
    "codeBlock": "pre",
    "table": "table",
    "tableRow": "tr",
    "tableCell": "td",
}
EMPTY = {"hardBreak": "<br>", "horizontalRule": "<hr>"}
MARKS = {"bold": "strong", "italic": "em", "strike": "s", "code": "code", "underline": "u"}
SAFE_LINK = ("https://", "http://", "mailto:")


@dataclass(frozen=True)
class Picture:
    """An image a note shows: the PNG to embed and the name to describe it by if untitled."""

    png: bytes
    name: str


def doc_of(update: bytes) -> Doc:
    doc: Doc = Doc()
    if update:
        doc.apply_update(update)
    return doc


def note_fragment(update: bytes) -> XmlFragment:
    doc = doc_of(update)
    doc["default"] = fragment = XmlFragment()
    return fragment


def note_html(
    update: bytes, pictures: Mapping[int, Picture] | None = None, missing: str = ""
) -> str:
    """The note's body as HTML, escaped: no markup a person typed survives as markup. An image
    shows its picture from `pictures`; one without says `missing` (with `%(alt)s`)."""
    writer = _Html(pictures or {}, missing)
    return "".join(writer.node(child) for child in note_fragment(update).children)


def note_image_ids(update: bytes) -> list[int]:
    """The SAFOS documents the note's images name, each once, in reading order."""
    found: dict[int, None] = {}
    stack = list(reversed(list(note_fragment(update).children)))
    while stack:
        node = stack.pop()
        if not isinstance(node, XmlElement):
            continue
        if node.tag == "image":
            document_id = image_document(node)
            if document_id is not None:
                found[document_id] = None
        stack.extend(reversed(list(node.children)))
    return list(found)


def image_document(node: XmlElement) -> int | None:
    """The document an image names: a positive whole number, as text or as a number (a Yjs
    number arrives as a float)."""
    value = node.attributes.get("document")
    as_text = isinstance(value, str) and value.isascii() and value.isdigit()
    as_number = (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and float(value).is_integer()
    )
    if not (as_text or as_number):
        return None
    number = int(value)  # type: ignore[arg-type]
    return number if number > 0 else None


def image_alt(node: XmlElement, picture: Picture | None) -> str:
    """The note's alternative text, else the picture's name: an embedded image never goes
    without a text alternative (PDF/UA Figure /Alt, WCAG 1.1.1)."""
    alt = str(node.attributes.get("alt") or "").strip()
    return alt or (picture.name if picture else "")


class _Html:
    def __init__(self, pictures: Mapping[int, Picture], missing: str) -> None:
        self.pictures = pictures
        self.missing = missing

    def node(self, node: Any) -> str:
        if isinstance(node, XmlText):
            return "".join(_run(text, marks or {}) for text, marks in node.diff())
        if not isinstance(node, XmlElement):
            return ""
        if node.tag == "image":
            return self.image(node)
        return _element(node, "".join(self.node(child) for child in node.children), self)

    def image(self, node: XmlElement, *, block: bool = True) -> str:
        document_id = image_document(node)
        picture = self.pictures.get(document_id) if document_id is not None else None
        alt = image_alt(node, picture)
        if picture is None:
            html = f"<em>{escape(self.missing % {'alt': alt})}</em>"
        else:
            data = base64.b64encode(picture.png).decode()
            html = f'<img src="data:image/png;base64,{data}" alt="{escape(alt, quote=True)}">'
        return f"<p>{html}</p>" if block else html


def _element(node: XmlElement, inner: str, writer: _Html) -> str:
    tag = node.tag or ""
    if tag in EMPTY:
        return EMPTY[tag]
    if tag == "heading":
        level = heading_level(node.attributes.get("level"))
        return f"<h{level}>{inner}</h{level}>"
    if tag == "listItem":  # a list item's paragraphs are its body: tagged PDF allows no P in LI
        return f"<li>{_unwrapped(node, writer)}</li>"
    if tag == "tableHeader":
        return f'<th scope="col">{inner}</th>'
    if tag == "table":
        return f"<table><tbody>{inner}</tbody></table>"
    element = BLOCKS.get(tag)
    return f"<{element}>{inner}</{element}>" if element else inner


def _unwrapped(node: XmlElement, writer: _Html) -> str:
    parts = []
    for child in node.children:
        if isinstance(child, XmlElement) and child.tag == "paragraph":
            parts.append("".join(writer.node(grandchild) for grandchild in child.children))
        elif isinstance(child, XmlElement) and child.tag == "image":
            parts.append(writer.image(child, block=False))
        else:
            parts.append(writer.node(child))
    return "<br>".join(parts)


def heading_level(value: Any) -> int:
    """Headings of the note start at h2: the exported document's title is its h1."""
    try:
        return min(6, max(2, int(float(value))))
    except (TypeError, ValueError):
        return 2


def _run(text: str, marks: dict[str, Any]) -> str:
    html = escape(text)
    for mark, element in MARKS.items():
        if mark in marks:
            html = f"<{element}>{html}</{element}>"
    link = marks.get("link")
    href = link.get("href") if isinstance(link, dict) else None
    if isinstance(href, str) and href.startswith(SAFE_LINK):
        html = f'<a href="{escape(href, quote=True)}">{html}</a>'
    return html


def board_items(update: bytes) -> list[dict[str, Any]]:
    """The board's items (kind, x, y, text) in their stable order."""
    doc = doc_of(update)
    items: Map[Any] = Map()
    doc["items"] = items
    found = []
    for key in sorted(items.keys()):
        item = items[key]
        if not isinstance(item, Map):
            continue
        found.append(
            {
                "kind": str(item.get("kind", "box")),
                "x": _number(item.get("x")),
                "y": _number(item.get("y")),
                "text": str(item.get("text", "")),
            }
        )
    return found


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


SIZE = {"sticky": (160, 100), "box": (180, 90), "ellipse": (180, 100)}


def board_svg(update: bytes, *, title: str, description: str) -> str:
    """The board as a standalone SVG (what the page draws), titled, with each item's text."""
    shapes = []
    for item in board_items(update):
        w, h = SIZE.get(item["kind"], SIZE["box"])
        x, y = item["x"], item["y"]
        if item["kind"] == "ellipse":
            shape = f'<ellipse cx="{x + w / 2}" cy="{y + h / 2}" rx="{w / 2}" ry="{h / 2}"/>'
        else:
            fill = "#fff4a3" if item["kind"] == "sticky" else "#ffffff"
            shape = f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}"/>'
        text = (
            f'<text x="{x + 10}" y="{y + 28}" fill="#1b1b1b" stroke="none">'
            f"{escape(item['text'])}</text>"
        )
        shapes.append(f"<g>{shape}{text}</g>")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 960 540" role="img" '
        'aria-labelledby="t d" font-family="sans-serif" font-size="16" fill="#ffffff" '
        'stroke="#1b1b1b">'
        f'<title id="t">{escape(title)}</title><desc id="d">{escape(description)}</desc>'
        + "".join(shapes)
        + "</svg>"
    )


#: The PNG is drawn at twice the SVG's size, so its text stays sharp when shown at full width.
PNG_SCALE = 2


def board_png(update: bytes, *, title: str, description: str) -> bytes:
    """The board as a PNG drawn by Pillow, item for item as `board_svg` draws it, with the
    title and the text alternative (every item's text) in its iTXt chunks."""
    scale = PNG_SCALE
    image = Image.new("RGB", (960 * scale, 540 * scale), "#ffffff")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=16 * scale)
    texts = []
    for item in board_items(update):
        w, h = SIZE.get(item["kind"], SIZE["box"])
        box = [v * scale for v in (item["x"], item["y"], item["x"] + w, item["y"] + h)]
        if item["kind"] == "ellipse":
            draw.ellipse(box, fill="#ffffff", outline="#1b1b1b", width=scale)
        else:
            fill = "#fff4a3" if item["kind"] == "sticky" else "#ffffff"
            draw.rectangle(box, fill=fill, outline="#1b1b1b", width=scale)
        lines = _wrapped(item["text"], font, (w - 20) * scale)
        top = box[1] + 10 * scale
        for line in lines[: max(1, (h - 20) // 20)]:
            draw.text((box[0] + 10 * scale, top), line, fill="#1b1b1b", font=font)
            top += 20 * scale
        texts.append(item["text"])
    info = PngInfo()
    info.add_itxt("Title", title)
    info.add_itxt("Description", "\n".join([description, *texts]))
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, optimize=True)
    return out.getvalue()


def _wrapped(text: str, font: Any, width: float) -> list[str]:
    """`text` in lines no wider than `width` (a word longer than a line gets a line of its own)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and font.getlength(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines
