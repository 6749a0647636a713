"""One pass over every page's content (and the form XObjects it paints).

It records what the content rules need: painting operators outside any tagged or artifact
sequence (7.1-3), artifacts inside tagged content and the reverse (7.1-1, 7.1-2), the fonts used
and the character codes shown with each (7.21.x), marked-content property lists with Lang or
text alternatives (7.2-29..32), text whose language cannot be determined (7.2-34), and per page
whether it shows text or images (Acrobat's image-only check).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pikepdf

from .document import Document, name_of, text_of
from .results import CheckError

PATH_PAINT = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*"})
TEXT_SHOW = frozenset({"Tj", "TJ", "'", '"'})
MAX_FORM_NESTING = 24
MAX_CODES_PER_FONT = 4096  # enough to judge a font; bounds memory on huge files
MAX_FINDINGS = 50


@dataclass
class FontUse:
    font: pikepdf.Dictionary
    rendered: bool = False  # shown at least once with a rendering mode other than 3
    codes: set[bytes] = field(default_factory=set)
    pages: set[int] = field(default_factory=set)


@dataclass
class Marked:
    tag: str
    mcid: int | None
    props: pikepdf.Dictionary | None


@dataclass
class ContentFacts:
    untagged: list[tuple[int, str]] = field(default_factory=list)  # (page, operator)
    untagged_count: int = 0
    artifact_in_tagged: list[int] = field(default_factory=list)
    tagged_in_artifact: list[int] = field(default_factory=list)
    fonts: dict[tuple[int, int], FontUse] = field(default_factory=dict)
    property_langs: list[tuple[int, str]] = field(default_factory=list)
    span_alternatives_without_lang: dict[str, list[int]] = field(default_factory=dict)
    text_without_lang: list[int] = field(default_factory=list)
    pages_with_text: set[int] = field(default_factory=set)
    pages_with_images: set[int] = field(default_factory=set)
    form_uses: dict[tuple[int, int], int] = field(default_factory=dict)
    forms_with_mcid: set[tuple[int, int]] = field(default_factory=set)
    reference_xobjects: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class _Scanner:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.facts = ContentFacts()
        self._parent_tree = self._load_parent_tree()
        self._lang_by_objgen: dict[tuple[int, int], str | None] = {}
        self._struct_parents: Any = None
        self._fonts_only = False  # scanning annotation appearances: record fonts, nothing else
        if not doc.has_catalog_lang:
            for element in doc.elements:
                if element.obj.objgen != (0, 0):
                    self._lang_by_objgen[element.obj.objgen] = element.inherited_lang()

    def _load_parent_tree(self) -> Any:
        root = self.doc.struct_root
        if root is None or self.doc.has_catalog_lang:
            return None
        tree = root.get("/ParentTree")
        if not isinstance(tree, pikepdf.Dictionary):
            return None
        try:
            return pikepdf.NumberTree(tree)
        except (pikepdf.PdfError, TypeError, ValueError):
            return None

    def run(self) -> ContentFacts:
        for index, page in enumerate(self.doc.pages):
            ops = _parse(page, f"page {index + 1}")
            resources = page.obj.get("/Resources")
            struct_parents = page.obj.get("/StructParents")
            self._struct_parents = struct_parents
            self._scan(ops, resources, index, [], struct_parents, 0, set())
        self._scan_appearances()
        return self.facts

    def _scan_appearances(self) -> None:
        """Fonts shown by visible annotations' appearances are rendered too (rules 7.21.x).

        Appearance streams are not page content: they take no part in the tagging rules, so
        they are scanned for fonts only.
        """
        self._fonts_only = True
        try:
            for annot in self.doc.annotations:
                if annot.hidden_or_outside:
                    continue
                appearance = annot.obj.get("/AP")
                normal = (
                    appearance.get("/N") if isinstance(appearance, pikepdf.Dictionary) else None
                )
                streams = [normal] if isinstance(normal, pikepdf.Stream) else []
                if isinstance(normal, pikepdf.Dictionary) and not isinstance(
                    normal, pikepdf.Stream
                ):
                    streams = [s for s in normal.values() if isinstance(s, pikepdf.Stream)]
                for stream in streams:
                    try:
                        ops = _parse(stream, "annotation appearance")
                    except CheckError:
                        continue  # a broken appearance is not a reason to refuse the file
                    resources = stream.get("/Resources")
                    self._scan(ops, resources, annot.page_index, [], None, 1, {stream.objgen})
        finally:
            self._fonts_only = False

    def _mcid_lang(self, struct_parents: Any, mcid: int | None) -> str | None:
        if self._parent_tree is None or not isinstance(struct_parents, int) or mcid is None:
            return None
        try:
            entry = self._parent_tree.get(struct_parents)
        except (pikepdf.PdfError, KeyError, TypeError, ValueError):
            return None
        if isinstance(entry, pikepdf.Array) and 0 <= mcid < len(entry):
            owner = entry[mcid]
            if isinstance(owner, pikepdf.Dictionary):
                lang = text_of(owner.get("/Lang"))
                if lang:
                    return lang
                return self._lang_by_objgen.get(owner.objgen)
        return None

    def _scan(
        self,
        ops: list[Any],
        resources: Any,
        page: int,
        stack: list[Marked],
        struct_parents: Any,
        nesting: int,
        forms_open: set[tuple[int, int]],
    ) -> None:
        facts = self.facts
        base = len(stack)
        render_mode = 0
        font: pikepdf.Dictionary | None = None
        saved: list[tuple[int, pikepdf.Dictionary | None]] = []
        for operands, operator in ops:
            op = str(operator)
            if op == "q":
                saved.append((render_mode, font))
            elif op == "Q":
                if saved:
                    render_mode, font = saved.pop()
            elif op == "Tr" and operands and isinstance(operands[0], int):
                render_mode = operands[0]
            elif op == "Tf" and operands:
                font = _resource(resources, "/Font", operands[0])
            elif op in ("BMC", "BDC"):
                stack.append(self._marked(operands, resources, page, stack))
            elif op == "EMC":
                if len(stack) > base:
                    stack.pop()
            elif op in TEXT_SHOW:
                self._content(page, op, stack, struct_parents)
                if not self._fonts_only:
                    facts.pages_with_text.add(page)
                if font is not None:
                    self._font_use(font, operands, op, render_mode, page)
            elif op in PATH_PAINT or op == "sh":
                self._content(page, op, stack, struct_parents)
            elif op == "INLINE IMAGE":
                self._content(page, "BI", stack, struct_parents)
                if not self._fonts_only:
                    facts.pages_with_images.add(page)
            elif op == "Do" and operands:
                xobj = _resource(resources, "/XObject", operands[0])
                if not isinstance(xobj, pikepdf.Stream):
                    continue
                subtype = name_of(xobj.get("/Subtype"))
                if subtype == "Image":
                    self._content(page, "Do", stack, struct_parents)
                    if not self._fonts_only:
                        facts.pages_with_images.add(page)
                elif subtype == "Form":
                    self._form(xobj, resources, page, stack, struct_parents, nesting, forms_open)
        del stack[base:]

    def _form(
        self,
        xobj: pikepdf.Stream,
        resources: Any,
        page: int,
        stack: list[Marked],
        struct_parents: Any,
        nesting: int,
        forms_open: set[tuple[int, int]],
    ) -> None:
        key = xobj.objgen
        if not self._fonts_only:
            if "/Ref" in xobj:
                self.facts.reference_xobjects.append(page)
            self.facts.form_uses[key] = self.facts.form_uses.get(key, 0) + 1
        if nesting >= MAX_FORM_NESTING or key in forms_open:
            return  # a form painting itself, directly or not: painted once is enough
        ops = _parse(xobj, f"page {page + 1}, form XObject {key[0]}")
        own = xobj.get("/Resources")
        own_sp = xobj.get("/StructParents")
        if not self._fonts_only and any(
            str(i.operator) == "BDC" and _has_mcid(list(i.operands), own) for i in ops
        ):
            self.facts.forms_with_mcid.add(key)
        forms_open.add(key)
        self._scan(
            ops,
            own if isinstance(own, pikepdf.Dictionary) else resources,
            page,
            stack,
            own_sp if isinstance(own_sp, int) else struct_parents,
            nesting + 1,
            forms_open,
        )
        forms_open.discard(key)

    def _marked(
        self, operands: list[Any], resources: Any, page: int, stack: list[Marked]
    ) -> Marked:
        tag = name_of(operands[0]) if operands else None
        props: Any = operands[1] if len(operands) > 1 else None
        if isinstance(props, pikepdf.Name):
            props = _resource(resources, "/Properties", props)
        if not isinstance(props, pikepdf.Dictionary):
            props = None
        mcid = props.get("/MCID") if props is not None else None
        marked = Marked(tag or "", mcid if isinstance(mcid, int) else None, props)
        if self._fonts_only:
            return marked
        inside_tagged = any(m.mcid is not None for m in stack)
        inside_artifact = any(m.tag == "Artifact" for m in stack)
        if marked.tag == "Artifact" and inside_tagged:
            self.facts.artifact_in_tagged.append(page)
        if marked.mcid is not None and inside_artifact:
            self.facts.tagged_in_artifact.append(page)
        if props is not None:
            lang = props.get("/Lang")
            if lang is not None:
                self.facts.property_langs.append((page, text_of(lang) or ""))
            if marked.tag == "Span" and not self.doc.has_catalog_lang:
                has_lang = bool(text_of(lang)) or self._text_lang(stack, self._struct_parents)
                for key in ("ActualText", "Alt", "E"):
                    if ("/" + key) in props and not has_lang:
                        self.facts.span_alternatives_without_lang.setdefault(key, []).append(page)
        return marked

    def _content(self, page: int, op: str, stack: list[Marked], struct_parents: Any) -> None:
        if self._fonts_only:
            return
        facts = self.facts
        tagged = any(m.mcid is not None for m in stack)
        artifact = any(m.tag == "Artifact" for m in stack)
        if not tagged and not artifact:
            facts.untagged_count += 1
            if len(facts.untagged) < MAX_FINDINGS:
                facts.untagged.append((page, op))
        if (
            op in TEXT_SHOW
            and not self.doc.has_catalog_lang
            and not artifact
            and len(facts.text_without_lang) < MAX_FINDINGS
            and not self._text_lang(stack, struct_parents)
        ):
            facts.text_without_lang.append(page)

    def _text_lang(self, stack: list[Marked], struct_parents: Any) -> bool:
        for marked in reversed(stack):
            if marked.props is not None and text_of(marked.props.get("/Lang")):
                return True
            if marked.mcid is not None and self._mcid_lang(struct_parents, marked.mcid):
                return True
        return False

    def _font_use(
        self, font: pikepdf.Dictionary, operands: list[Any], op: str, mode: int, page: int
    ) -> None:
        key = font.objgen if font.objgen != (0, 0) else (-id(font), 0)
        use = self.facts.fonts.get(key)
        if use is None:
            use = self.facts.fonts[key] = FontUse(font)
        if mode != 3:
            use.rendered = True
        use.pages.add(page)
        if len(use.codes) >= MAX_CODES_PER_FONT:
            return
        for string in _strings(operands, op):
            use.codes.update(split_codes(font, string))


def _strings(operands: list[Any], op: str) -> Iterator[bytes]:
    if op == "TJ" and operands and isinstance(operands[0], pikepdf.Array):
        for item in operands[0]:
            if isinstance(item, pikepdf.String):
                yield bytes(item)
    elif operands and isinstance(operands[-1], pikepdf.String):
        yield bytes(operands[-1])


def split_codes(font: pikepdf.Dictionary, data: bytes) -> set[bytes]:
    """Split a shown string into character codes: 1 byte for simple fonts, 2 for Identity."""
    if name_of(font.get("/Subtype")) == "Type0":
        encoding = name_of(font.get("/Encoding"))
        if encoding in ("Identity-H", "Identity-V"):
            return {data[i : i + 2] for i in range(0, len(data) - 1, 2)}
        return set()  # variable-length CMaps: codes are not split (rules skip such fonts)
    return {data[i : i + 1] for i in range(len(data))}


def _parse(owner: Any, where: str) -> list[Any]:
    """Parse a content stream; content that cannot be read makes the file uncheckable.

    Silently skipping it would let every content rule pass on content nobody looked at.
    """
    try:
        return list(pikepdf.parse_content_stream(owner))
    except MemoryError as exc:
        raise CheckError("memory", f"{where}: the content needs too much memory") from exc
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        if "bad_alloc" in str(exc) or "memory" in str(exc).lower():
            raise CheckError("memory", f"{where}: the content needs too much memory") from exc
        raise CheckError("damaged", f"{where}: the content stream cannot be read: {exc}") from exc


def _has_mcid(operands: list[Any], resources: Any) -> bool:
    props: Any = operands[1] if len(operands) > 1 else None
    if isinstance(props, pikepdf.Name):
        props = _resource(resources, "/Properties", props)
    return isinstance(props, pikepdf.Dictionary) and "/MCID" in props


def _resource(resources: Any, category: str, name: Any) -> Any:
    if not isinstance(resources, pikepdf.Dictionary) or not isinstance(name, pikepdf.Name):
        return None
    group = resources.get(category)
    if not isinstance(group, pikepdf.Dictionary):
        return None
    return group.get(str(name))


def scan(doc: Document) -> ContentFacts:
    return _Scanner(doc).run()
