"""PDF/UA-1 rules about the file and its catalog: identification, metadata, title, security."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import pikepdf
from lxml import etree

from samdrift.accessibility.engine.document import Document, as_list, name_of, text_of
from samdrift.accessibility.engine.results import Finding

from .registry import Context, pdfua

PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
DC = "http://purl.org/dc/elements/1.1/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_OBJECTS_SCANNED = 2_000_000

# A parser that never resolves entities nor touches the network (XMP comes from uploads).
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class Xmp:
    """What the rules need from the catalog's XMP packet."""

    def __init__(self, data: bytes) -> None:
        self.ok = False
        self.part: list[tuple[str, str | None]] = []  # (value, prefix) of pdfuaid:part
        self.prefixes: dict[str, list[str | None]] = {"amd": [], "corr": []}
        self.title = False
        self.x_default = False
        start = data.find(b"<x:xmpmeta")
        if start < 0:
            start = data.find(b"<rdf:RDF")
        end_tag = data.rfind(b">")
        try:
            tree = etree.fromstring(data[max(start, 0) : end_tag + 1], _PARSER)
        except etree.XMLSyntaxError:
            return
        self.ok = True
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            qname = etree.QName(element)
            if qname.namespace == PDFUAID:
                self._property(qname.localname, (element.text or "").strip(), element.prefix)
            elif qname.namespace == DC and qname.localname == "title":
                self.title = True
            if qname.namespace == RDF and qname.localname == "Alt":
                langs = {li.get(XML_LANG) for li in element if isinstance(li.tag, str)}
                # veraPDF's xDefault: the alternative offers only x-default, no real language.
                if langs == {"x-default"}:
                    self.x_default = True
            for key, value in element.attrib.items():
                attr = etree.QName(key)
                if attr.namespace == PDFUAID:
                    prefix = next((p for p, ns in element.nsmap.items() if ns == PDFUAID), None)
                    self._property(attr.localname, value.strip(), prefix)

    def _property(self, local: str, value: str, prefix: str | None) -> None:
        if local == "part":
            self.part.append((value, prefix))
        elif local in self.prefixes:
            self.prefixes[local].append(prefix)


@lru_cache(maxsize=8)
def _xmp_cached(data: bytes) -> Xmp:
    return Xmp(data)


def xmp(doc: Document) -> Xmp | None:
    data = doc.xmp_bytes
    if data is None:
        return None
    parsed = _xmp_cached(data)
    return parsed if parsed.ok else None


def _fail(message: str, page: int | None = None, obj: str | None = None) -> list[Finding]:
    return [Finding(message, page, obj)]


@pdfua(
    "5-1",
    "ua.pdfua-identification",
    "PDF/UA identification in XMP",
    "PDF/UA-identifiering i XMP",
    wcag=(),
)
def pdfua_identification(ctx: Context) -> list[Finding] | None:
    meta = xmp(ctx.doc)
    if meta is None:
        return None
    return [] if meta.part else _fail("The XMP metadata has no pdfuaid:part entry.")


@pdfua("5-2", "ua.pdfua-part", "PDF/UA part is 1", "PDF/UA-del är 1", wcag=())
def pdfua_part(ctx: Context) -> list[Finding] | None:
    meta = xmp(ctx.doc)
    if meta is None or not meta.part:
        return None
    return [Finding(f"pdfuaid:part is {value!r}, not 1.") for value, _ in meta.part if value != "1"]


def _prefix_rule(ctx: Context, key: str) -> list[Finding] | None:
    meta = xmp(ctx.doc)
    if meta is None:
        return None
    values = meta.part if key == "part" else [(None, p) for p in meta.prefixes[key]]
    if not values:
        return None
    return [
        Finding(f"The PDF/UA property {key} uses the prefix {prefix!r}, not 'pdfuaid'.")
        for _, prefix in values
        if prefix not in (None, "pdfuaid")
    ]


@pdfua(
    "5-3", "ua.pdfuaid-part-prefix", "pdfuaid prefix of part", "Prefixet pdfuaid för part", wcag=()
)
def part_prefix(ctx: Context) -> list[Finding] | None:
    return _prefix_rule(ctx, "part")


@pdfua("5-4", "ua.pdfuaid-amd-prefix", "pdfuaid prefix of amd", "Prefixet pdfuaid för amd", wcag=())
def amd_prefix(ctx: Context) -> list[Finding] | None:
    return _prefix_rule(ctx, "amd")


@pdfua(
    "5-5", "ua.pdfuaid-corr-prefix", "pdfuaid prefix of corr", "Prefixet pdfuaid för corr", wcag=()
)
def corr_prefix(ctx: Context) -> list[Finding] | None:
    return _prefix_rule(ctx, "corr")


@pdfua("6.1-1", "ua.file-header", "File header %PDF-1.n", "Filhuvud %PDF-1.n", wcag=())
def file_header(ctx: Context) -> list[Finding] | None:
    if re.match(rb"%PDF-1\.[0-7](\r\n|\r|\n)", ctx.doc.raw_head):
        return []
    return _fail("The file does not start with a %PDF-1.0 … %PDF-1.7 header line.")


@pdfua(
    "6.2-1",
    "ua.mark-info",
    "Tagged PDF (MarkInfo Marked true)",
    "Taggad PDF (MarkInfo Marked true)",
    matterhorn=("01-007",),
)
def mark_info(ctx: Context) -> list[Finding] | None:
    info = ctx.doc.root.get("/MarkInfo")
    if isinstance(info, pikepdf.Dictionary) and info.get("/Marked") is True:
        return []
    return _fail("The catalog has no MarkInfo dictionary with Marked true.")


@pdfua("7.1-4", "ua.suspects", "No Suspects flag", "Ingen Suspects-flagga", matterhorn=("01-002",))
def suspects(ctx: Context) -> list[Finding] | None:
    info = ctx.doc.root.get("/MarkInfo")
    if isinstance(info, pikepdf.Dictionary) and info.get("/Suspects") is True:
        return _fail("MarkInfo has Suspects true: the tagging is marked as unreliable.")
    return []


@pdfua(
    "7.1-8",
    "ua.metadata",
    "XMP metadata stream",
    "XMP-metadataström",
    wcag=("2.4.2",),
    matterhorn=("06-001",),
)
def metadata(ctx: Context) -> list[Finding] | None:
    if ctx.doc.xmp_bytes is None:
        return _fail("The catalog has no Metadata stream.")
    return []


@pdfua(
    "7.1-9",
    "ua.dc-title",
    "Title in XMP (dc:title)",
    "Titel i XMP (dc:title)",
    wcag=("2.4.2",),
    matterhorn=("06-003",),
)
def dc_title(ctx: Context) -> list[Finding] | None:
    meta = xmp(ctx.doc)
    if meta is None:
        return None
    return [] if meta.title else _fail("The XMP metadata has no dc:title.")


@pdfua(
    "7.1-10",
    "ua.display-doc-title",
    "Title shown in the title bar",
    "Titeln visas i namnlisten",
    wcag=("2.4.2",),
    matterhorn=("07-001", "07-002"),
)
def display_doc_title(ctx: Context) -> list[Finding] | None:
    prefs = ctx.doc.root.get("/ViewerPreferences")
    if isinstance(prefs, pikepdf.Dictionary) and prefs.get("/DisplayDocTitle") is True:
        return []
    return _fail("ViewerPreferences has no DisplayDocTitle true.")


@pdfua(
    "7.1-11",
    "ua.struct-tree-root",
    "Structure tree present",
    "Strukturträd finns",
    matterhorn=("01-006",),
)
def struct_tree_root(ctx: Context) -> list[Finding] | None:
    return [] if ctx.doc.struct_root is not None else _fail("The catalog has no StructTreeRoot.")


@pdfua(
    "7.16-1",
    "ua.accessibility-permission",
    "Accessibility permission",
    "Behörighet för tillgänglighet",
    wcag=("1.1.1", "4.1.2"),
    matterhorn=("26-001", "26-002"),
)
def accessibility_permission(ctx: Context) -> list[Finding] | None:
    encrypt = ctx.doc.pdf.trailer.get("/Encrypt")
    if not isinstance(encrypt, pikepdf.Dictionary):
        return None
    value = encrypt.get("/P")
    if isinstance(value, int) and value & 512:
        return []
    return _fail("The file is encrypted and bit 10 of P (extract for accessibility) is off.")


def _oc_configs(doc: Document) -> list[pikepdf.Dictionary]:
    props = doc.root.get("/OCProperties")
    if not isinstance(props, pikepdf.Dictionary):
        return []
    configs = [props.get("/D"), *as_list(props.get("/Configs"))]
    return [c for c in configs if isinstance(c, pikepdf.Dictionary)]


@pdfua(
    "7.10-1",
    "ua.oc-config-name",
    "Optional content configurations have a Name",
    "Konfigurationer för valfritt innehåll har namn",
    matterhorn=("20-001",),
)
def oc_name(ctx: Context) -> list[Finding] | None:
    configs = _oc_configs(ctx.doc)
    if not configs:
        return None
    return [
        Finding("An optional content configuration has no Name.")
        for c in configs
        if not text_of(c.get("/Name"))
    ]


@pdfua(
    "7.10-2",
    "ua.oc-config-as",
    "No AS in optional content configurations",
    "Ingen AS i konfigurationer för valfritt innehåll",
    matterhorn=("20-003",),
)
def oc_as(ctx: Context) -> list[Finding] | None:
    configs = _oc_configs(ctx.doc)
    if not configs:
        return None
    return [
        Finding("An optional content configuration has an AS entry.") for c in configs if "/AS" in c
    ]


def all_dictionaries(doc: Document) -> list[pikepdf.Object]:
    """Every indirect object (bounded): for rules about objects that may sit anywhere."""
    cached = getattr(doc, "_all_objects", None)
    if cached is None:
        cached = []
        for index, obj in enumerate(doc.pdf.objects):
            if index >= MAX_OBJECTS_SCANNED:
                break
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                cached.append(obj)
        doc._all_objects = cached  # type: ignore[attr-defined]
    return cached


def _file_specs(doc: Document) -> list[Any]:
    specs = [o for o in all_dictionaries(doc) if "/EF" in o]
    for annot in doc.annotations:  # direct file specifications inside annotations
        fs = annot.obj.get("/FS")
        if isinstance(fs, pikepdf.Dictionary) and not fs.is_indirect and "/EF" in fs:
            specs.append(fs)
    return specs


@pdfua(
    "7.11-1",
    "ua.embedded-file-names",
    "Embedded files have F and UF",
    "Inbäddade filer har F och UF",
    matterhorn=("21-001",),
)
def embedded_files(ctx: Context) -> list[Finding] | None:
    specs = _file_specs(ctx.doc)
    if not specs:
        return None
    return [
        Finding(
            "An embedded file's specification lacks a non-empty F or UF.",
            None,
            f"{s.objgen[0]} 0 R" if s.is_indirect else None,
        )
        for s in specs
        if not text_of(s.get("/F")) or not text_of(s.get("/UF"))
    ]


@pdfua(
    "7.15-1",
    "ua.no-dynamic-xfa",
    "No dynamic XFA forms",
    "Inga dynamiska XFA-formulär",
    wcag=("4.1.2",),
    matterhorn=("25-001",),
)
def dynamic_xfa(ctx: Context) -> list[Finding] | None:
    form = ctx.doc.root.get("/AcroForm")
    if not isinstance(form, pikepdf.Dictionary) or "/XFA" not in form:
        return None
    parts = as_list(form.get("/XFA"))
    for part in parts:
        if isinstance(part, pikepdf.Stream):
            try:
                data = part.read_bytes()
            except pikepdf.PdfError:
                continue
            if re.search(rb"<dynamicRender>\s*required\s*</dynamicRender>", data):
                return _fail("The form is a dynamic XFA form (dynamicRender required).")
    return []


@pdfua(
    "7.2-2",
    "ua.outline-language",
    "Language of bookmarks",
    "Språk för bokmärken",
    wcag=("3.1.1",),
    matterhorn=("11-001",),
)
def outline_language(ctx: Context) -> list[Finding] | None:
    outlines = ctx.doc.root.get("/Outlines")
    if not isinstance(outlines, pikepdf.Dictionary) or "/First" not in outlines:
        return None
    if ctx.doc.has_catalog_lang:
        return []
    return _fail("The document has bookmarks but no language in the catalog (Lang).")


@pdfua(
    "7.2-33",
    "ua.metadata-language",
    "Language of metadata",
    "Språk för metadata",
    wcag=("3.1.1",),
    matterhorn=("11-001",),
)
def metadata_language(ctx: Context) -> list[Finding] | None:
    meta = xmp(ctx.doc)
    if meta is None or not meta.x_default:
        return None
    if ctx.doc.has_catalog_lang:
        return []
    return _fail("The metadata has x-default texts but the catalog has no Lang.")


@pdfua(
    "7.18.3-1",
    "ua.tab-order",
    "Tab order follows structure (Tabs S)",
    "Tabbordning följer strukturen (Tabs S)",
    wcag=("2.4.3",),
    matterhorn=("28-008",),
)
def tab_order(ctx: Context) -> list[Finding] | None:
    out: list[Finding] = []
    applicable = False
    for index, page in enumerate(ctx.doc.pages):
        annots = page.obj.get("/Annots")
        if not isinstance(annots, pikepdf.Array) or len(annots) == 0:
            continue
        applicable = True
        if name_of(page.obj.get("/Tabs")) != "S":
            out.append(Finding("A page with annotations has no Tabs S.", index + 1))
    return out if applicable else None


@pdfua(
    "7.20-1",
    "ua.no-reference-xobjects",
    "No reference XObjects",
    "Inga referens-XObjekt",
    matterhorn=("30-001",),
)
def reference_xobjects(ctx: Context) -> list[Finding] | None:
    forms = [
        o
        for o in all_dictionaries(ctx.doc)
        if isinstance(o, pikepdf.Stream) and name_of(o.get("/Subtype")) == "Form"
    ]
    if not forms:
        return None
    return [
        Finding("A form XObject is a reference XObject (Ref).", None, f"{f.objgen[0]} 0 R")
        for f in forms
        if "/Ref" in f
    ]
