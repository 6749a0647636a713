"""The one renderer for every PDF samdrift writes (ADR 0090).

Every generated PDF (invoice, credit note, outcome report, government report, checker report,
agreement to sign, and any later one) is HTML rendered here by WeasyPrint as tagged PDF/UA-1:

- a structure tree from the semantic HTML (H1–H6, P, L/LI, Table/TH/TD, Link), `/MarkInfo
  /Marked true`, page furniture (running headers, page numbers) as artifacts;
- the document language: `/Lang` in the catalogue, and the `lang` of the root element, which
  the renderer sets from `language` whatever the template wrote (a template that hard-codes
  `lang="sv"` can no longer label an English document Swedish);
- the title in the document information and XMP, shown by the viewer (`/DisplayDocTitle`);
- every font embedded (WeasyPrint subsets and embeds what it uses) and the XMP `pdfuaid:part 1`.

Nothing is fetched while rendering: the URL fetcher allows `data:` URLs only, so text that
reaches a template can never make the server request another address. Signing (PAdES) happens
after rendering, as an incremental update that keeps the structure tree (ADR 0091).

Nothing outside this module imports WeasyPrint (a test reads the source tree), and every call
names its `kind`, so the test that checks every kind with the accessibility checker cannot miss
a new one (ADR 0092).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

if TYPE_CHECKING:
    from django.http import HttpRequest

PDF_VARIANT = "pdf/ua-1"
KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{1,63}$")
_ROOT_LANG = re.compile(r"(<html\b[^>]*?)\s+lang=(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_ROOT = re.compile(r"<html\b", re.IGNORECASE)

# Added to every document, each rule for one of WeasyPrint's known tagging gaps (ADR 0090):
# a caption left alone at the foot of a page becomes a Table holding only a Caption, which
# fails Acrobat's "Tables should have headers" (found on the checker's own English report);
# a heading alone at the foot of a page is a reading trap, not a tagging error.
BASE_CSS = """
caption { break-after: avoid; }
h1, h2, h3, h4, h5, h6 { break-after: avoid; }
"""


class PdfRenderError(ValueError):
    """A PDF was asked for without what an accessible PDF needs (title, language, kind)."""


def languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def _check(*, kind: str, language: str, title: str) -> None:
    if not KIND_PATTERN.match(kind):
        raise PdfRenderError(f"PDF kind {kind!r} is not a short lower-case name")
    if language not in languages():
        raise PdfRenderError(f"PDF language {language!r} is not one of {sorted(languages())}")
    if not title.strip():
        raise PdfRenderError("a PDF needs a title (PDF/UA-1 7.1, Acrobat 'Title')")


def with_language(html: str, language: str) -> str:
    """The document with `lang` on its root element set to `language` (added if missing)."""
    if _ROOT_LANG.search(html):
        return _ROOT_LANG.sub(lambda m: f'{m.group(1)} lang="{language}"', html, count=1)
    if _ROOT.search(html):
        return _ROOT.sub(f'<html lang="{language}"', html, count=1)
    raise PdfRenderError("the PDF's HTML has no <html> root element")


def _url_fetcher() -> Any:
    from weasyprint import URLFetcher

    return URLFetcher(allowed_protocols=["data"], timeout=1)


def render_html(html: str, *, kind: str, language: str, title: str) -> bytes:
    """Tagged PDF/UA-1 from a complete HTML document."""
    _check(kind=kind, language=language, title=title)
    from weasyprint import CSS, HTML  # heavy import; only the PDF paths need it

    fetcher = _url_fetcher()
    document = HTML(
        string=with_language(html, language), base_url=None, url_fetcher=fetcher
    ).render(stylesheets=[CSS(string=BASE_CSS, url_fetcher=fetcher)])
    document.metadata.title = title
    document.metadata.lang = language
    document.metadata.generator = f"samdrift ({kind})"
    return bytes(document.write_pdf(pdf_variant=PDF_VARIANT) or b"")


def render(
    template_name: str,
    context: Mapping[str, Any],
    *,
    kind: str,
    language: str,
    title: str,
    request: HttpRequest | None = None,
) -> bytes:
    """Render `template_name` in `language` and return it as tagged PDF/UA-1.

    The template receives `document_language` and `document_title` besides `context`, for its
    `<html lang>` and `<title>`; the renderer enforces both in the PDF either way.
    """
    _check(kind=kind, language=language, title=title)
    with translation.override(language):
        html = render_to_string(
            template_name,
            {**context, "document_language": language, "document_title": title},
            request=request,
        )
    return render_html(html, kind=kind, language=language, title=title)
