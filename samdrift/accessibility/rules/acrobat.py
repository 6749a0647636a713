"""The 32 rules of Acrobat's Full Check, with the Swedish names and groups of its report.

Most are compositions of PDF/UA rules (`parts`); the rest are Acrobat's own checks that PDF/UA
does not have (image-only pages, bookmarks, nested alt text…), heuristics (scripts, flicker),
the two that are always manual, and the optional table Summary that Acrobat skips by default.
"""

from __future__ import annotations

import pikepdf

from samdrift.accessibility.engine.document import Element, name_of, text_of
from samdrift.accessibility.engine.results import Finding

from .document_rules import all_dictionaries, xmp
from .registry import Check, Context, Kind, Rule, element_finding, register
from .structure import LANG_RE

BOOKMARK_PAGES = 21  # Acrobat's commonly cited threshold for "large" documents (ADR 0105)
MULTIMEDIA = frozenset({"Screen", "RichMedia", "Movie", "Sound", "3D"})

GROUPS: dict[str, tuple[str, str]] = {
    "document": ("Dokument", "Document"),
    "page": ("Sidinnehåll", "Page Content"),
    "forms": ("Formulär", "Forms"),
    "alt": ("Alternativ text", "Alternate Text"),
    "tables": ("Tabeller", "Tables"),
    "lists": ("Listor", "Lists"),
    "headings": ("Rubriker", "Headings"),
}


def _has_javascript(ctx: Context) -> bool:
    if "javascript" not in ctx.cache:
        found = False
        for obj in all_dictionaries(ctx.doc):
            if "/JS" in obj or name_of(obj.get("/S")) == "JavaScript":
                found = True
                break
        names = ctx.doc.root.get("/Names")
        if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
            found = True
        ctx.cache["javascript"] = found
    return bool(ctx.cache["javascript"])


def _has_multimedia(ctx: Context) -> bool:
    return any(a.subtype in MULTIMEDIA for a in ctx.doc.annotations)


def _manual_if(condition: bool, message: str) -> list[Finding] | None:
    # Heuristic rules: a finding here is reported as "needs manual check", never as failed.
    return [Finding(message)] if condition else []


def image_only(ctx: Context) -> list[Finding] | None:
    facts = ctx.content
    if facts.pages_with_text or not facts.pages_with_images:
        return []
    return [
        Finding("The pages show images but no text: the document looks like a scan without OCR.")
    ]


def primary_language(ctx: Context) -> list[Finding] | None:
    lang = ctx.doc.catalog_lang
    if not lang:
        return [Finding("The document has no primary language (catalog Lang).")]
    if not LANG_RE.match(lang):
        return [Finding(f"The primary language {lang!r} is not a valid language tag.")]
    return []


def title(ctx: Context) -> list[Finding] | None:
    meta = xmp(ctx.doc)
    info = ctx.doc.pdf.trailer.get("/Info")
    has_title = (meta is not None and meta.title) or (
        isinstance(info, pikepdf.Dictionary) and bool(text_of(info.get("/Title")))
    )
    out = [] if has_title else [Finding("The document has no title.")]
    prefs = ctx.doc.root.get("/ViewerPreferences")
    if not (isinstance(prefs, pikepdf.Dictionary) and prefs.get("/DisplayDocTitle") is True):
        out.append(Finding("The title is not shown in the title bar (DisplayDocTitle)."))
    return out


def bookmarks(ctx: Context) -> list[Finding] | None:
    if len(ctx.doc.pages) < BOOKMARK_PAGES:
        return []
    outlines = ctx.doc.root.get("/Outlines")
    if isinstance(outlines, pikepdf.Dictionary) and "/First" in outlines:
        return []
    return [Finding(f"The document has {len(ctx.doc.pages)} pages and no bookmarks.")]


def tagged_multimedia(ctx: Context) -> list[Finding] | None:
    return [
        Finding(f"The {a.subtype} annotation is not tagged.", a.page_index + 1)
        for a in ctx.doc.annotations
        if a.subtype in MULTIMEDIA and a.element is None and "/StructParent" not in a.obj
    ]


def _has_alt(e: Element) -> bool:
    return bool(e.get_text("Alt"))


def nested_alt(ctx: Context) -> list[Finding] | None:
    # Pre-order: a parent is decided before its children, so one pass suffices.
    under_alt: set[int] = set()
    out = []
    for e in ctx.doc.elements:
        parent = e.parent
        if parent is not None and (id(parent) in under_alt or _has_alt(parent)):
            under_alt.add(id(e))
            if _has_alt(e):
                message = f"The Alt of {e.raw} is never read: an enclosing element has Alt."
                out.append(element_finding(ctx.doc, e, message))
    return out


def associated_with_content(ctx: Context) -> list[Finding] | None:
    with_content = ctx.doc.subtree_content  # computed once, bottom-up: no per-element walks
    return [
        element_finding(ctx.doc, e, f"The Alt of {e.raw} is not attached to any page content.")
        for e in ctx.doc.elements
        if _has_alt(e) and id(e) not in with_content
    ]


def hides_annotation(ctx: Context) -> list[Finding] | None:
    owners = {id(a.element) for a in ctx.doc.annotations if a.element is not None}
    # Bottom-up: which elements have an annotation's owner strictly below them.
    below: set[int] = set()
    for element in reversed(ctx.doc.elements):
        if any(id(k) in below or id(k) in owners for k in element.kids):
            below.add(id(element))
    return [
        element_finding(ctx.doc, e, f"The Alt of {e.raw} hides an annotation inside it.")
        for e in ctx.doc.elements
        if _has_alt(e) and e.std not in ("Form", "Link", "Annot") and id(e) in below
    ]


def table_headers(ctx: Context) -> list[Finding] | None:
    out = []
    for table in ctx.doc.of_type("Table"):
        stack, found = list(table.kids), False
        while stack and not found:
            node = stack.pop()
            found = node.std == "TH"
            stack.extend(node.kids)
        if not found:
            out.append(element_finding(ctx.doc, table, "The table has no header cells (TH)."))
    return out


# Acrobat's one-line descriptions: Swedish exactly as in the source document's report, English
# as in Acrobat's English HTML report.
DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "accessibility-permission": (
        "Behörighetsflagga för tillgänglighet måste anges",
        "Accessibility permission flag must be set",
    ),
    "image-only": (
        "Dokumentet är ingen PDF-fil med bara bilder",
        "Document is not image-only PDF",
    ),
    "tagged-pdf": (
        "Dokumentet är en taggad PDF",
        "Document is tagged PDF",
    ),
    "reading-order": (
        "Dokumentstrukturen har en logisk läsordning",
        "Document structure provides a logical reading order",
    ),
    "primary-language": (
        "Textspråk är angivet",
        "Text language is specified",
    ),
    "title": (
        "Dokumenttiteln visas i namnlisten",
        "Document title is showing in title bar",
    ),
    "bookmarks": (
        "Bokmärken finns i stora dokument",
        "Bookmarks are present in large documents",
    ),
    "color-contrast": (
        "Dokumentet har korrekt färgkontrast",
        "Document has appropriate color contrast",
    ),
    "tagged-content": (
        "Allt sidinnehåll är taggat",
        "All page content is tagged",
    ),
    "tagged-annotations": (
        "Alla anteckningar är taggade",
        "All annotations are tagged",
    ),
    "tab-order": (
        "Tabbordningen stämmer överens med strukturordningen",
        "Tab order is consistent with structure order",
    ),
    "character-encoding": (
        "Tillförlitlig teckenkodning erbjuds",
        "Reliable character encoding is provided",
    ),
    "tagged-multimedia": (
        "Alla multimedieobjekt är taggade",
        "All multimedia objects are tagged",
    ),
    "screen-flicker": (
        "Sidan kommer inte att orsaka skärmflimmer",
        "Page will not cause screen flicker",
    ),
    "scripts": (
        "Inga otillgängliga skript",
        "No inaccessible scripts",
    ),
    "timed-responses": (
        "Sidan kräver inga tidsbestämda svar",
        "Page does not require timed responses",
    ),
    "navigation-links": (
        "Navigeringslänkarna är inte repetitiva",
        "Navigation links are not repetitive",
    ),
    "tagged-form-fields": (
        "Alla formulärfält är taggade",
        "All form fields are tagged",
    ),
    "field-descriptions": (
        "Alla formulärfält har beskrivningar",
        "All form fields have description",
    ),
    "figures-alt": (
        "Figurer måste ha alternativ text",
        "Figures require alternate text",
    ),
    "nested-alt": (
        "Alternativ text som aldrig kommer att läsas.",
        "Alternate text that will never be read",
    ),
    "alt-associated": (
        "Alternativ text måste vara kopplad till något innehåll",
        "Alternate text must be associated with some content",
    ),
    "alt-hides-annotation": (
        "Den alternativa texten bör inte dölja anteckningen",
        "Alternate text should not hide annotation",
    ),
    "other-alt": (
        "Andra element som kräver alternativ text",
        "Other elements that require alternate text",
    ),
    "table-rows": (
        "TR måste vara underordnad Table, THead, TBody eller TFoot",
        "TR must be a child of Table, THead, TBody, or TFoot",
    ),
    "th-td": (
        "TH och TD måste vara underordnade TR",
        "TH and TD must be children of TR",
    ),
    "table-headers": (
        "Tabeller bör ha rubriker",
        "Tables should have headers",
    ),
    "table-regularity": (
        "Tabeller måste innehålla samma antal kolumner i varje rad och samma antal rader i varje kolumn",
        "Tables must contain the same number of columns in each row and rows in each column",
    ),
    "table-summary": (
        "Tabeller måste ha en sammanfattning",
        "Tables must have a summary",
    ),
    "list-items": (
        "LI måste vara underordnad L",
        "LI must be a child of L",
    ),
    "lbl-lbody": (
        "Lbl och LBody måste vara underordnade LI",
        "Lbl and LBody must be children of LI",
    ),
    "heading-nesting": (
        "Relevant kapsling",
        "Appropriate nesting",
    ),
}


def _rule(
    key: str,
    group: str,
    sv: str,
    en: str,
    *,
    parts: tuple[str, ...] = (),
    check: Check | None = None,
    kind: Kind = "acrobat",
    wcag: tuple[str, ...] = (),
) -> Rule:
    return register(
        Rule(
            id=f"acrobat.{key}",
            kind=kind,
            label_en=en,
            label_sv=sv,
            acrobat=en,
            group=group,
            wcag=wcag,
            en301549=tuple(f"10.{c}" for c in wcag),
            parts=parts,
            check=check,
            description_sv=DESCRIPTIONS[key][0],
            description_en=DESCRIPTIONS[key][1],
        )
    )


ACROBAT_RULES: list[Rule] = [
    _rule(
        "accessibility-permission",
        "document",
        "Behörighetsflagga för tillgänglighet",
        "Accessibility permission flag",
        parts=("7.16-1",),
        wcag=("1.1.1", "4.1.2"),
    ),
    _rule(
        "image-only",
        "document",
        "PDF-fil med bara bilder",
        "Image-only PDF",
        check=image_only,
        wcag=("1.1.1", "1.4.5"),
    ),
    _rule(
        "tagged-pdf",
        "document",
        "Taggad PDF",
        "Tagged PDF",
        parts=("6.2-1", "7.1-11", "7.1-4"),
        wcag=("1.3.1",),
    ),
    _rule(
        "reading-order",
        "document",
        "Logisk läsordning",
        "Logical Reading Order",
        kind="manual",
        wcag=("1.3.2",),
    ),
    _rule(
        "primary-language",
        "document",
        "Primärt språk",
        "Primary language",
        check=primary_language,
        wcag=("3.1.1",),
    ),
    _rule("title", "document", "Titel", "Title", check=title, wcag=("2.4.2",)),
    _rule("bookmarks", "document", "Bokmärken", "Bookmarks", check=bookmarks, wcag=("2.4.5",)),
    _rule(
        "color-contrast",
        "document",
        "Färgkontrast",
        "Color contrast",
        kind="manual",
        wcag=("1.4.3",),
    ),
    _rule(
        "tagged-content",
        "page",
        "Taggat innehåll",
        "Tagged content",
        parts=("7.1-1", "7.1-2", "7.1-3", "7.20-2"),
        wcag=("1.3.1",),
    ),
    _rule(
        "tagged-annotations",
        "page",
        "Taggade anteckningar",
        "Tagged annotations",
        parts=("7.18.1-1", "7.18.4-1", "7.18.5-1", "7.18.8-1"),
        wcag=("1.3.1", "4.1.2"),
    ),
    _rule("tab-order", "page", "Tabbordning", "Tab order", parts=("7.18.3-1",), wcag=("2.4.3",)),
    _rule(
        "character-encoding",
        "page",
        "Teckenkodning",
        "Character encoding",
        parts=("7.21.7-1", "7.21.7-2", "7.21.4.1-1", "7.21.8-1"),
        wcag=("1.1.1", "1.3.1"),
    ),
    _rule(
        "tagged-multimedia",
        "page",
        "Taggad multimedia",
        "Tagged multimedia",
        parts=("7.18.6.2-1",),
        check=tagged_multimedia,
        wcag=("1.2.1", "4.1.2"),
    ),
    _rule(
        "screen-flicker",
        "page",
        "Skärmflimmer",
        "Screen flicker",
        kind="heuristic",
        check=lambda ctx: _manual_if(
            _has_javascript(ctx) or _has_multimedia(ctx),
            "Scripts or multimedia could make the screen flicker.",
        ),
        wcag=("2.3.1",),
    ),
    _rule(
        "scripts",
        "page",
        "Skript",
        "Scripts",
        kind="heuristic",
        check=lambda ctx: _manual_if(_has_javascript(ctx), "The document contains JavaScript."),
        wcag=("2.1.1", "4.1.2"),
    ),
    _rule(
        "timed-responses",
        "page",
        "Tidsbestämda svar",
        "Timed responses",
        kind="heuristic",
        check=lambda ctx: _manual_if(
            _has_javascript(ctx) and "/AcroForm" in ctx.doc.root,
            "A form with scripts could require timed responses.",
        ),
        wcag=("2.2.1",),
    ),
    _rule(
        "navigation-links",
        "page",
        "Navigeringslänkar",
        "Navigation links",
        kind="heuristic",
        check=lambda ctx: [],
        wcag=("2.4.1",),
    ),
    _rule(
        "tagged-form-fields",
        "forms",
        "Taggade formulärfält",
        "Tagged form fields",
        parts=("7.18.4-1", "7.18.4-2"),
        wcag=("1.3.1", "4.1.2"),
    ),
    _rule(
        "field-descriptions",
        "forms",
        "Fältbeskrivningar",
        "Field descriptions",
        parts=("7.18.1-3",),
        wcag=("1.3.1", "3.3.2", "4.1.2"),
    ),
    _rule(
        "figures-alt",
        "alt",
        "Alternativ text för figurer",
        "Figures alternate text",
        parts=("7.3-1",),
        wcag=("1.1.1",),
    ),
    _rule(
        "nested-alt",
        "alt",
        "Inkapslad alternativ text",
        "Nested alternate text",
        check=nested_alt,
        wcag=("1.1.1",),
    ),
    _rule(
        "alt-associated",
        "alt",
        "Kopplat till innehåll",
        "Associated with content",
        check=associated_with_content,
        wcag=("1.1.1",),
    ),
    _rule(
        "alt-hides-annotation",
        "alt",
        "Döljer anteckning",
        "Hides annotation",
        check=hides_annotation,
        wcag=("1.1.1", "4.1.2"),
    ),
    _rule(
        "other-alt",
        "alt",
        "Alternativ text för andra element",
        "Other elements alternate text",
        parts=("7.18.1-2", "7.18.5-2", "7.7-1", "7.18.6.2-2"),
        wcag=("1.1.1",),
    ),
    _rule(
        "table-rows",
        "tables",
        "Rader",
        "Rows",
        parts=(
            "7.2-3",
            "7.2-4",
            "7.2-5",
            "7.2-6",
            "7.2-7",
            "7.2-11",
            "7.2-12",
            "7.2-13",
            "7.2-14",
            "7.2-36",
            "7.2-37",
            "7.2-38",
            "7.2-39",
        ),
        wcag=("1.3.1",),
    ),
    _rule(
        "th-td",
        "tables",
        "TH och TD",
        "TH and TD",
        parts=("7.2-8", "7.2-9", "7.2-10"),
        wcag=("1.3.1",),
    ),
    _rule("table-headers", "tables", "Rubriker", "Headers", check=table_headers, wcag=("1.3.1",)),
    _rule(
        "table-regularity",
        "tables",
        "Regelbundenhet",
        "Regularity",
        parts=("7.2-41", "7.2-42", "7.2-43"),
        wcag=("1.3.1",),
    ),
    _rule("table-summary", "tables", "Sammanfattning", "Summary", kind="optional"),
    _rule(
        "list-items",
        "lists",
        "Listpunkter",
        "List items",
        parts=("7.2-17", "7.2-19"),
        wcag=("1.3.1",),
    ),
    _rule(
        "lbl-lbody",
        "lists",
        "Lbl och LBody",
        "Lbl and LBody",
        parts=("7.2-18", "7.2-20"),
        wcag=("1.3.1",),
    ),
    _rule(
        "heading-nesting",
        "headings",
        "Relevant kapsling",
        "Appropriate nesting",
        parts=("7.4.2-1", "7.4.4-1", "7.4.4-2", "7.4.4-3"),
        wcag=("1.3.1", "2.4.6"),
    ),
]
if len(ACROBAT_RULES) != 32:  # the report's structure depends on it
    raise RuntimeError("Acrobat's Full Check has 32 rules")
