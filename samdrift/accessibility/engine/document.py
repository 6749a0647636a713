"""A read-only facade over one PDF: catalog, pages, structure tree, annotations.

Everything the rules need is computed here once, lazily, with hard bounds: the structure tree
walk is iterative (no Python recursion), refuses cycles and trees deeper than MAX_DEPTH or larger
than MAX_ELEMENTS with a `CheckError`, so that a hostile file gives a clear per-file error instead
of a RecursionError or an endless loop.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pikepdf

from .results import CheckError

MAX_DEPTH = 400
MAX_ELEMENTS = 300_000
MAX_BYTES = 256 * 1024 * 1024

# ISO 32000-1:2008, 14.8.4: the standard structure types of PDF 1.7.
STANDARD_TYPES = frozenset(
    [
        "Document",
        "Part",
        "Art",
        "Sect",
        "Div",
        "BlockQuote",
        "Caption",
        "TOC",
        "TOCI",
        "Index",
        "NonStruct",
        "Private",
        "P",
        "H",
        "H1",
        "H2",
        "H3",
        "H4",
        "H5",
        "H6",
        "L",
        "LI",
        "Lbl",
        "LBody",
        "Table",
        "TR",
        "TH",
        "TD",
        "THead",
        "TBody",
        "TFoot",
        "Span",
        "Quote",
        "Note",
        "Reference",
        "BibEntry",
        "Code",
        "Link",
        "Annot",
        "Ruby",
        "RB",
        "RT",
        "RP",
        "Warichu",
        "WT",
        "WP",
        "Figure",
        "Formula",
        "Form",
    ]
)
HEADINGS_N = frozenset({"H1", "H2", "H3", "H4", "H5", "H6"})


def name_of(value: Any) -> str | None:
    """`/Foo` → "Foo"; anything else → None (files put strings where names belong)."""
    if isinstance(value, pikepdf.Name):
        return str(value)[1:]
    return None


def text_of(value: Any) -> str | None:
    """A PDF text string as str, or None when absent or not a string."""
    if isinstance(value, pikepdf.String):
        try:
            return str(value)
        except (UnicodeDecodeError, ValueError):
            return bytes(value).decode("latin-1")
    return None


def ref(obj: Any) -> str | None:
    try:
        if obj.is_indirect:
            return f"{obj.objgen[0]} {obj.objgen[1]} R"
    except (AttributeError, ValueError):
        return None
    return None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, pikepdf.Array):
        return list(value)
    return [value]


@dataclass(eq=False)
class Element:
    """One structure element, with its type resolved through the RoleMap."""

    obj: pikepdf.Dictionary
    raw: str  # the /S name as written
    std: str | None  # the standard type it maps to, None if it maps to nothing standard
    parent: Element | None
    depth: int
    page: Any = None  # the /Pg in force (own or inherited)
    kids: list[Element] = field(default_factory=list)
    mcids: int = 0  # marked-content children (integers and MCR dictionaries)
    objrs: list[pikepdf.Object] = field(default_factory=list)  # referenced objects (annotations…)

    @property
    def parent_std(self) -> str | None:
        # The StructTreeRoot is a parent without a type: veraPDF's parentStandardType is then
        # empty, which no "must be inside X" rule accepts.
        return self.parent.std if self.parent is not None else None

    def kid_types(self) -> list[str]:
        return [k.std or k.raw for k in self.kids]

    def get_text(self, key: str) -> str | None:
        return text_of(self.obj.get("/" + key))

    def has(self, key: str) -> bool:
        return ("/" + key) in self.obj

    @cached_property
    def lang(self) -> str | None:
        return text_of(self.obj.get("/Lang"))

    def inherited_lang(self) -> str | None:
        node: Element | None = self
        while node is not None:
            if node.lang:
                return node.lang
            node = node.parent
        return None

    def attributes(self, owner: str | None = None) -> Iterator[pikepdf.Dictionary]:
        """The element's attribute dictionaries (/A may be a dict, or an array with revisions)."""
        for item in as_list(self.obj.get("/A")):
            if isinstance(item, pikepdf.Dictionary) and (
                owner is None or name_of(item.get("/O")) == owner
            ):
                yield item

    def attribute(self, owner: str, key: str) -> Any:
        for attrs in self.attributes(owner):
            if ("/" + key) in attrs:
                return attrs["/" + key]
        return None

    @property
    def ref(self) -> str | None:
        return ref(self.obj)

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


@dataclass(eq=False)
class Annotation:
    obj: pikepdf.Dictionary
    subtype: str | None
    page_index: int
    flags: int
    outside_crop: bool
    element: Element | None  # the structure element whose OBJR points at it

    @property
    def hidden_or_outside(self) -> bool:
        return bool(self.flags & 2) or self.outside_crop


class Document:
    """One opened PDF. Create with `Document.open(source)`; close with `close()`."""

    def __init__(self, pdf: pikepdf.Pdf, raw_head: bytes) -> None:
        self.pdf = pdf
        self.raw_head = raw_head
        self.root = pdf.Root

    # ---- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, source: str | bytes, *, max_bytes: int = MAX_BYTES) -> Document:
        data: bytes | None = None
        if isinstance(source, bytes | bytearray):
            data = bytes(source)
            size = len(data)
            head = data[:1024]
        else:
            try:
                with open(source, "rb") as handle:
                    handle.seek(0, io.SEEK_END)
                    size = handle.tell()
                    handle.seek(0)
                    head = handle.read(1024)
            except OSError as exc:
                raise CheckError("unreadable", f"the file cannot be read: {exc.strerror}") from exc
        if size == 0:
            raise CheckError("empty", "the file is empty")
        if size > max_bytes:
            raise CheckError(
                "too_large", f"the file is {size} bytes, over the limit of {max_bytes} bytes"
            )
        if b"%PDF-" not in head:
            raise CheckError("not_pdf", "the file is not a PDF (no %PDF- header)")
        try:
            # No recovery: a file whose cross-reference table qpdf has to rebuild is not a
            # conforming PDF, and checking a guessed reconstruction would report on a document
            # the author never made (ADR 0103).
            target: io.BytesIO | str = io.BytesIO(data) if data is not None else str(source)
            pdf = pikepdf.open(target, attempt_recovery=False)
        except pikepdf.PasswordError as exc:
            raise CheckError(
                "encrypted", "the file is encrypted with a password and cannot be opened"
            ) from exc
        except (pikepdf.PdfError, ValueError, OSError) as exc:
            raise CheckError(
                "damaged", f"the file is damaged (broken or truncated structure): {exc}"
            ) from exc
        try:
            root = pdf.Root
            if not isinstance(root, pikepdf.Dictionary):
                raise CheckError("damaged", "the file has no document catalog")
            return cls(pdf, head)
        except (pikepdf.PdfError, KeyError, AttributeError) as exc:
            pdf.close()
            raise CheckError("damaged", f"the file has no usable document catalog: {exc}") from exc

    def close(self) -> None:
        self.pdf.close()

    # ---- catalog -------------------------------------------------------------------------

    @cached_property
    def pages(self) -> list[pikepdf.Page]:
        return list(self.pdf.pages)

    @cached_property
    def page_index(self) -> dict[tuple[int, int], int]:
        return {p.obj.objgen: i for i, p in enumerate(self.pages)}

    @cached_property
    def catalog_lang(self) -> str | None:
        return text_of(self.root.get("/Lang"))

    @cached_property
    def has_catalog_lang(self) -> bool:
        # veraPDF's gContainsCatalogLang: a Lang entry with a non-empty value.
        return bool(self.catalog_lang)

    @cached_property
    def struct_root(self) -> pikepdf.Dictionary | None:
        root = self.root.get("/StructTreeRoot")
        return root if isinstance(root, pikepdf.Dictionary) else None

    @cached_property
    def role_map(self) -> dict[str, str]:
        mapping: dict[str, str] = {}
        if self.struct_root is None:
            return mapping
        rm = self.struct_root.get("/RoleMap")
        if isinstance(rm, pikepdf.Dictionary):
            for key in rm.keys():  # noqa: SIM118 (pikepdf keys)
                target = name_of(rm.get(key))
                if target is not None:
                    mapping[key[1:]] = target
        return mapping

    def resolve(self, raw: str) -> tuple[str | None, bool]:
        """Map a type through the RoleMap: (standard type or None, whether a cycle was hit)."""
        seen = {raw}
        current = raw
        # A standard type that is itself in the RoleMap is remapped (forbidden by 7.1-7);
        # veraPDF then follows the mapping, and so do we.
        while current in self.role_map:
            current = self.role_map[current]
            if current in seen:
                return None, True
            seen.add(current)
            if current in STANDARD_TYPES and current not in self.role_map:
                return current, False
        return (current if current in STANDARD_TYPES else None), False

    # ---- structure tree --------------------------------------------------------------------

    @cached_property
    def elements(self) -> list[Element]:
        """All structure elements in document (depth-first, pre-order) order."""
        if self.struct_root is None:
            return []
        out: list[Element] = []
        seen: dict[tuple[int, int], Element] = {}
        # Stack of (kid object, parent element, inherited page); reversed so that pre-order
        # follows the /K order.
        stack: list[tuple[Any, Element | None, Any]] = [
            (k, None, None) for k in reversed(as_list(self.struct_root.get("/K")))
        ]
        self.root_kids: list[Element] = []
        while stack:
            kid, parent, page = stack.pop()
            if isinstance(kid, int):
                if parent is not None:
                    parent.mcids += 1
                continue
            if not isinstance(kid, pikepdf.Dictionary):
                continue
            kind = name_of(kid.get("/Type"))
            if kind == "MCR":
                if parent is not None:
                    parent.mcids += 1
                continue
            if kind == "OBJR":
                if parent is not None and "/Obj" in kid:
                    parent.objrs.append(kid.Obj)
                continue
            raw = name_of(kid.get("/S"))
            if raw is None:
                continue
            objgen = kid.objgen
            if objgen != (0, 0) and objgen in seen:
                ancestor = parent
                while ancestor is not None:
                    if ancestor.obj.objgen == objgen:
                        raise CheckError(
                            "cyclic_structure",
                            f"the structure tree contains a cycle (object {objgen[0]})",
                        )
                    ancestor = ancestor.parent
                continue  # shared element: counted once
            depth = parent.depth + 1 if parent is not None else 1
            if depth > MAX_DEPTH:
                raise CheckError(
                    "deep_structure", f"the structure tree is deeper than {MAX_DEPTH} levels"
                )
            if len(out) >= MAX_ELEMENTS:
                raise CheckError(
                    "large_structure",
                    f"the structure tree has more than {MAX_ELEMENTS} elements",
                )
            std, _ = self.resolve(raw)
            own_page = kid.get("/Pg")
            element = Element(
                obj=kid,
                raw=raw,
                std=std,
                parent=parent,
                depth=depth,
                page=own_page if own_page is not None else page,
            )
            if objgen != (0, 0):
                seen[objgen] = element
            out.append(element)
            if parent is None:
                self.root_kids.append(element)
            else:
                parent.kids.append(element)
            stack.extend(
                (child, element, element.page) for child in reversed(as_list(kid.get("/K")))
            )
        return out

    @cached_property
    def element_by_objgen(self) -> dict[tuple[int, int], Element]:
        return {e.obj.objgen: e for e in self.elements if e.obj.objgen != (0, 0)}

    @cached_property
    def subtree_content(self) -> set[int]:
        """ids of elements with marked content or object references somewhere below them."""
        found: set[int] = set()
        for element in reversed(self.elements):  # children come after parents in pre-order
            if element.mcids or element.objrs or any(id(k) in found for k in element.kids):
                found.add(id(element))
        return found

    def of_type(self, *types: str) -> Iterator[Element]:
        wanted = set(types)
        return (e for e in self.elements if e.std in wanted)

    @cached_property
    def objr_owner(self) -> dict[tuple[int, int], Element]:
        """Referenced object (annotation, XObject) → the element holding its OBJR."""
        owners: dict[tuple[int, int], Element] = {}
        for element in self.elements:
            for obj in element.objrs:
                try:
                    owners.setdefault(obj.objgen, element)
                except (AttributeError, ValueError):
                    continue
        return owners

    # ---- annotations -----------------------------------------------------------------------

    @cached_property
    def annotations(self) -> list[Annotation]:
        out: list[Annotation] = []
        for index, page in enumerate(self.pages):
            # CropBox and MediaBox are inheritable from the page tree.
            crop = _box(_inherited(page.obj, "/CropBox")) or _box(_inherited(page.obj, "/MediaBox"))
            for annot in as_list(page.obj.get("/Annots")):
                if not isinstance(annot, pikepdf.Dictionary):
                    continue
                raw_flags = annot.get("/F")
                flags = raw_flags if isinstance(raw_flags, int) else 0
                rect = _box(annot.get("/Rect"))
                outside = bool(crop and rect and not _intersects(crop, rect))
                out.append(
                    Annotation(
                        obj=annot,
                        subtype=name_of(annot.get("/Subtype")),
                        page_index=index,
                        flags=flags,
                        outside_crop=outside,
                        element=self.objr_owner.get(annot.objgen) if annot.is_indirect else None,
                    )
                )
        return out

    # ---- metadata ----------------------------------------------------------------------------

    @cached_property
    def xmp_bytes(self) -> bytes | None:
        meta = self.root.get("/Metadata")
        if not isinstance(meta, pikepdf.Stream):
            return None
        try:
            return bytes(meta.read_bytes())
        except pikepdf.PdfError:
            return None


def _inherited(page: pikepdf.Dictionary, key: str) -> Any:
    node: Any = page
    for _ in range(64):  # bounded: page trees are shallow; a cycle must not hang us
        if not isinstance(node, pikepdf.Dictionary):
            return None
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def _box(value: Any) -> tuple[float, float, float, float] | None:
    if not isinstance(value, pikepdf.Array) or len(value) != 4:
        return None
    try:
        x1, y1, x2, y2 = (float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _intersects(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    # Touching edges do not count: veraPDF treats such annotations as outside the crop box.
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
