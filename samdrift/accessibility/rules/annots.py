"""PDF/UA-1 rules about annotations, links, form fields and media (7.18, 7.2-24/25)."""

from __future__ import annotations

from collections.abc import Callable

import pikepdf

from samdrift.accessibility.engine.document import Annotation, Element, as_list, name_of, text_of
from samdrift.accessibility.engine.results import Finding

from .document_rules import all_dictionaries
from .registry import Context, pdfua


def _where(annot: Annotation) -> tuple[int, str | None]:
    obj = annot.obj
    return annot.page_index + 1, f"{obj.objgen[0]} 0 R" if obj.is_indirect else None


def _struct_parent(ctx: Context, annot: Annotation) -> Element | None:
    """The element that owns the annotation: via its OBJR, else via the ParentTree."""
    if annot.element is not None:
        return annot.element
    key = annot.obj.get("/StructParent")
    tree = ctx.doc.struct_root.get("/ParentTree") if ctx.doc.struct_root is not None else None
    if not isinstance(key, int) or not isinstance(tree, pikepdf.Dictionary):
        return None
    try:
        owner = pikepdf.NumberTree(tree).get(key)
    except (pikepdf.PdfError, KeyError, TypeError, ValueError):
        return None
    if isinstance(owner, pikepdf.Dictionary) and owner.is_indirect:
        return ctx.doc.element_by_objgen.get(owner.objgen)
    return None


def _annots(
    ctx: Context,
    keep: Callable[[Annotation], bool],
    bad: Callable[[Annotation], str | None],
) -> list[Finding] | None:
    chosen = [a for a in ctx.doc.annotations if keep(a)]
    if not chosen:
        return None
    out = []
    for annot in chosen:
        message = bad(annot)
        if message:
            page, obj = _where(annot)
            out.append(Finding(message, page, obj))
    return out


def _visible(annot: Annotation) -> bool:
    return not annot.hidden_or_outside


@pdfua(
    "7.18.1-1",
    "ua.annot-tagged",
    "Annotations are inside Annot tags",
    "Anteckningar ligger i Annot-taggar",
    wcag=("1.3.1", "4.1.2"),
    matterhorn=("28-002",),
)
def annot_tagged(ctx: Context) -> list[Finding] | None:
    def bad(a: Annotation) -> str | None:
        parent = _struct_parent(ctx, a)
        if parent is not None and parent.std == "Annot":
            return None
        return f"The {a.subtype} annotation is not inside an Annot structure element."

    return _annots(
        ctx, lambda a: _visible(a) and a.subtype not in ("Widget", "PrinterMark", "Link"), bad
    )


@pdfua(
    "7.18.1-2",
    "ua.annot-description",
    "Annotations have a description",
    "Anteckningar har en beskrivning",
    wcag=("1.1.1",),
    matterhorn=("28-004",),
)
def annot_description(ctx: Context) -> list[Finding] | None:
    def bad(a: Annotation) -> str | None:
        if text_of(a.obj.get("/Contents")):
            return None
        parent = _struct_parent(ctx, a)
        if parent is not None and parent.get_text("Alt"):
            return None
        return f"The {a.subtype} annotation has no Contents and no Alt."

    return _annots(ctx, lambda a: _visible(a) and a.subtype != "Widget", bad)


def _field_tooltip(widget: pikepdf.Dictionary) -> str | None:
    """The TU of the widget's field: the widget itself when merged with its field (it has /T),
    else its parent field. A TU on a bare widget kid does not describe the field."""
    field = widget if "/T" in widget else widget.get("/Parent")
    if not isinstance(field, pikepdf.Dictionary):
        field = widget
    return text_of(field.get("/TU"))


@pdfua(
    "7.18.1-3",
    "ua.field-description",
    "Form fields have a description",
    "Formulärfält har en beskrivning",
    wcag=("1.3.1", "3.3.2", "4.1.2"),
    matterhorn=("28-005",),
)
def field_description(ctx: Context) -> list[Finding] | None:
    def bad(a: Annotation) -> str | None:
        if _field_tooltip(a.obj):
            return None
        parent = _struct_parent(ctx, a)
        if parent is not None and parent.get_text("Alt"):
            return None
        return "The form field has no tooltip (TU) and its Form element no Alt."

    return _annots(ctx, lambda a: _visible(a) and a.subtype == "Widget", bad)


@pdfua(
    "7.18.2-1",
    "ua.no-trapnet",
    "No TrapNet annotations",
    "Inga TrapNet-anteckningar",
    matterhorn=("28-007",),
)
def no_trapnet(ctx: Context) -> list[Finding] | None:
    return _annots(
        ctx,
        lambda a: a.subtype == "TrapNet",
        lambda a: None if a.hidden_or_outside else "The page has a TrapNet annotation.",
    )


@pdfua(
    "7.18.4-1",
    "ua.widget-in-form",
    "Form fields are inside Form tags",
    "Formulärfält ligger i Form-taggar",
    wcag=("1.3.1", "4.1.2"),
    matterhorn=("28-010",),
)
def widget_in_form(ctx: Context) -> list[Finding] | None:
    def bad(a: Annotation) -> str | None:
        parent = _struct_parent(ctx, a)
        return (
            None
            if parent is not None and parent.std == "Form"
            else "The form field is not inside a Form element."
        )

    return _annots(ctx, lambda a: _visible(a) and a.subtype == "Widget", bad)


@pdfua(
    "7.18.4-2",
    "ua.form-one-widget",
    "A Form without Role holds one widget",
    "Form utan Role innehåller ett fält",
    wcag=("1.3.1", "4.1.2"),
    matterhorn=("28-010",),
)
def form_one_widget(ctx: Context) -> list[Finding] | None:
    forms = list(ctx.doc.of_type("Form"))
    if not forms:
        return None
    out = []
    for form in forms:
        if any("/Role" in attrs for attrs in form.attributes()):
            continue
        widgets = [
            o
            for o in form.objrs
            if isinstance(o, pikepdf.Dictionary) and name_of(o.get("/Subtype")) == "Widget"
        ]
        if len(widgets) != 1 or form.kids:
            out.append(
                Finding(
                    "A Form element without Role does not hold exactly one widget.", None, form.ref
                )
            )
    return out


@pdfua(
    "7.18.5-1",
    "ua.link-tagged",
    "Links are inside Link tags",
    "Länkar ligger i Link-taggar",
    wcag=("1.3.1", "2.4.4", "4.1.2"),
    matterhorn=("28-011",),
)
def link_tagged(ctx: Context) -> list[Finding] | None:
    def bad(a: Annotation) -> str | None:
        parent = _struct_parent(ctx, a)
        return (
            None
            if parent is not None and parent.std == "Link"
            else "The link is not inside a Link element."
        )

    return _annots(ctx, lambda a: _visible(a) and a.subtype == "Link", bad)


@pdfua(
    "7.18.5-2",
    "ua.link-contents",
    "Links have a description (Contents)",
    "Länkar har en beskrivning (Contents)",
    wcag=("1.1.1", "2.4.4"),
    matterhorn=("28-012",),
)
def link_contents(ctx: Context) -> list[Finding] | None:
    return _annots(
        ctx,
        lambda a: _visible(a) and a.subtype == "Link",
        lambda a: None if text_of(a.obj.get("/Contents")) else "The link has no Contents.",
    )


@pdfua(
    "7.18.8-1",
    "ua.printermark-artifact",
    "PrinterMarks are artifacts",
    "Tryckmärken är artefakter",
    matterhorn=("28-017",),
)
def printermark(ctx: Context) -> list[Finding] | None:
    return _annots(
        ctx,
        lambda a: _visible(a) and a.subtype == "PrinterMark",
        lambda a: (
            "The PrinterMark annotation is tagged; it must be an artifact."
            if "/StructParent" in a.obj or a.element is not None
            else None
        ),
    )


def _media_clips(ctx: Context) -> list[pikepdf.Dictionary]:
    """Media clip data dictionaries, indirect or nested directly in annotations' actions."""
    clips = [
        o
        for o in all_dictionaries(ctx.doc)
        if isinstance(o, pikepdf.Dictionary) and name_of(o.get("/S")) == "MCD"
    ]
    seen = {c.objgen for c in clips}
    for annot in ctx.doc.annotations:
        stack: list[tuple[object, int]] = [(annot.obj.get("/A"), 0), (annot.obj.get("/AA"), 0)]
        while stack:
            node, depth = stack.pop()
            if depth > 8:  # rendition trees are shallow; cycles must not hang us
                continue
            if isinstance(node, pikepdf.Dictionary):
                if name_of(node.get("/S")) == "MCD":
                    key = node.objgen
                    if key == (0, 0) or key not in seen:
                        seen.add(key)
                        clips.append(node)
                    continue
                keys = ("/R", "/C", "/Next", "/D", "/PO", "/E", "/U", "/X", "/Fo", "/Bl")
                stack.extend((node.get(k), depth + 1) for k in keys)
            elif isinstance(node, pikepdf.Array):
                stack.extend((item, depth + 1) for item in node)
    return clips


@pdfua(
    "7.18.6.2-1",
    "ua.media-clip-ct",
    "Media clips have a content type (CT)",
    "Mediaklipp har innehållstyp (CT)",
    wcag=("1.2.1",),
    matterhorn=("28-014",),
)
def media_ct(ctx: Context) -> list[Finding] | None:
    clips = _media_clips(ctx)
    if not clips:
        return None
    return [
        Finding("A media clip has no CT.", None, f"{c.objgen[0]} 0 R")
        for c in clips
        if "/CT" not in c
    ]


@pdfua(
    "7.18.6.2-2",
    "ua.media-clip-alt",
    "Media clips have alternative text",
    "Mediaklipp har alternativ text",
    wcag=("1.1.1", "1.2.1"),
    matterhorn=("28-015",),
)
def media_alt(ctx: Context) -> list[Finding] | None:
    clips = _media_clips(ctx)
    if not clips:
        return None

    def good(clip: pikepdf.Dictionary) -> bool:
        alt = clip.get("/Alt")
        if not isinstance(alt, pikepdf.Array) or len(alt) < 2 or len(alt) % 2:
            return False
        return all(isinstance(v, pikepdf.String) for v in alt)

    return [
        Finding("A media clip has no valid Alt.", None, f"{c.objgen[0]} 0 R")
        for c in clips
        if not good(c)
    ]


@pdfua(
    "7.2-24",
    "ua.lang-annot-contents",
    "Language of annotation descriptions",
    "Språk för anteckningars beskrivning",
    wcag=("3.1.1",),
    matterhorn=("11-004",),
)
def lang_annot_contents(ctx: Context) -> list[Finding] | None:
    def bad(a: Annotation) -> str | None:
        if ctx.doc.has_catalog_lang or text_of(a.obj.get("/Lang")):
            return None
        parent = _struct_parent(ctx, a)
        if parent is not None and parent.inherited_lang():
            return None
        return "The language of the annotation's Contents is not set."

    return _annots(ctx, lambda a: "/Contents" in a.obj, bad)


@pdfua(
    "7.2-25",
    "ua.lang-field-tooltip",
    "Language of form field tooltips",
    "Språk för formulärfälts hjälptext",
    wcag=("3.1.1",),
    matterhorn=("11-004",),
)
def lang_field_tooltip(ctx: Context) -> list[Finding] | None:
    def bad(a: Annotation) -> str | None:
        # veraPDF's containsLang for a form field: the field or its own Form element.
        if ctx.doc.has_catalog_lang or text_of(a.obj.get("/Lang")):
            return None
        parent = _struct_parent(ctx, a)
        if parent is not None and parent.lang:
            return None
        return "The language of the form field's tooltip (TU) is not set."

    return _annots(ctx, lambda a: a.subtype == "Widget" and _field_tooltip(a.obj) is not None, bad)


def acroform_fields(ctx: Context) -> list[pikepdf.Dictionary]:
    form = ctx.doc.root.get("/AcroForm")
    if not isinstance(form, pikepdf.Dictionary):
        return []
    return [f for f in as_list(form.get("/Fields")) if isinstance(f, pikepdf.Dictionary)]
