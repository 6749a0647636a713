"""PDF/UA-1 rules over page content: tagged content and artifacts, XObjects, marked content."""

from __future__ import annotations

from samdrift.accessibility.engine.results import Finding

from .registry import Context, pdfua


def _pages(pages: list[int], message: str) -> list[Finding]:
    return [Finding(message, page + 1) for page in pages[:20]] + (
        [Finding(f"{message} ({len(pages) - 20} more places)")] if len(pages) > 20 else []
    )


@pdfua(
    "7.1-1",
    "ua.no-artifact-in-tagged",
    "No artifacts inside tagged content",
    "Inga artefakter i taggat innehåll",
    matterhorn=("01-003",),
)
def artifact_in_tagged(ctx: Context) -> list[Finding] | None:
    if not ctx.doc.pages:
        return None
    return _pages(ctx.content.artifact_in_tagged, "An artifact is nested inside tagged content.")


@pdfua(
    "7.1-2",
    "ua.no-tagged-in-artifact",
    "No tagged content inside artifacts",
    "Inget taggat innehåll i artefakter",
    matterhorn=("01-004",),
)
def tagged_in_artifact(ctx: Context) -> list[Finding] | None:
    if not ctx.doc.pages:
        return None
    return _pages(ctx.content.tagged_in_artifact, "Tagged content is nested inside an artifact.")


@pdfua(
    "7.1-3",
    "ua.content-tagged",
    "All content is tagged or an artifact",
    "Allt innehåll är taggat eller artefakt",
    matterhorn=("01-005",),
)
def content_tagged(ctx: Context) -> list[Finding] | None:
    facts = ctx.content
    if not ctx.doc.pages:
        return None
    out = [
        Finding(f"Content ({op}) is neither tagged nor marked as an artifact.", page + 1)
        for page, op in facts.untagged
    ]
    if facts.untagged_count > len(facts.untagged):
        out.append(Finding(f"… {facts.untagged_count - len(facts.untagged)} more untagged items."))
    return out


@pdfua(
    "7.20-2",
    "ua.form-xobject-once",
    "Form XObjects with tagged content are used once",
    "Formulär-XObjekt med taggat innehåll används en gång",
    matterhorn=("30-002",),
)
def form_xobject_once(ctx: Context) -> list[Finding] | None:
    facts = ctx.content
    if not facts.form_uses:
        return None
    return [
        Finding(
            f"A form XObject with marked content (MCIDs) is painted {n} times.",
            None,
            f"{key[0]} 0 R",
        )
        for key, n in facts.form_uses.items()
        if n > 1 and key in facts.forms_with_mcid
    ]


@pdfua(
    "7.2-34",
    "ua.lang-content",
    "Language of page text",
    "Språk för sidans text",
    wcag=("3.1.1",),
    matterhorn=("11-001",),
)
def lang_content(ctx: Context) -> list[Finding] | None:
    facts = ctx.content
    if not facts.pages_with_text:
        return None
    if ctx.doc.has_catalog_lang:
        return []
    return _pages(facts.text_without_lang, "The language of text on the page cannot be determined.")


def _span_lang(key: str):  # type: ignore[no-untyped-def]
    def check(ctx: Context) -> list[Finding] | None:
        pages = ctx.content.span_alternatives_without_lang.get(key)
        if pages is None:
            return None
        return _pages(pages, f"A Span with {key} in the content has no language.")

    return check


pdfua(
    "7.2-30",
    "ua.lang-span-actualtext",
    "Language of ActualText in marked content",
    "Språk för ActualText i märkt innehåll",
    wcag=("3.1.2",),
)(_span_lang("ActualText"))
pdfua(
    "7.2-31",
    "ua.lang-span-alt",
    "Language of Alt in marked content",
    "Språk för Alt i märkt innehåll",
    wcag=("3.1.2",),
)(_span_lang("Alt"))
pdfua(
    "7.2-32",
    "ua.lang-span-e",
    "Language of E in marked content",
    "Språk för E i märkt innehåll",
    wcag=("3.1.2",),
)(_span_lang("E"))
