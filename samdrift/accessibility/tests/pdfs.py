"""Small PDFs built in the tests themselves (no corpus files at run time).

`conforming_pdf()` renders a short Swedish report with WeasyPrint's PDF/UA-1 variant: a
figure with alt text, a table with headers, a list, headings and a link. The mutations take
that file apart the way real documents go wrong. `raw_tagged_pdf()` builds a minimal tagged
file with pikepdf for structure-tree cases WeasyPrint never produces.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache

import pikepdf

HTML = """<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>Testrapport</title></head>
<body>
<h1>Testrapport</h1>
<p>Detta är en <a href="https://example.org/">länk till exempel</a>.</p>
<h2>Figur</h2>
<img alt="Ett stapeldiagram" src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==" width="40" height="40">
<h2>Tabell</h2>
<table><caption>Anslutningar</caption>
<thead><tr><th scope="col">Tjänst</th><th scope="col">Antal</th></tr></thead>
<tbody><tr><td>E-post</td><td>12</td></tr><tr><td>Lagring</td><td>7</td></tr></tbody></table>
<h2>Lista</h2>
<ul><li>Ett</li><li>Två</li></ul>
</body></html>"""


@lru_cache(maxsize=1)
def conforming_pdf() -> bytes:
    import weasyprint

    data: bytes = weasyprint.HTML(string=HTML).write_pdf(pdf_variant="pdf/ua-1")
    return data


def mutate(change: Callable[[pikepdf.Pdf], None], source: bytes | None = None) -> bytes:
    with pikepdf.open(io.BytesIO(source or conforming_pdf())) as pdf:
        change(pdf)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def elements(pdf: pikepdf.Pdf, kind: str) -> list[pikepdf.Dictionary]:
    found = []
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        kids = node.get("/K")
        items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        for kid in items:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                if pikepdf.Name("/" + kind) == kid.S:
                    found.append(kid)
                stack.append(kid)
    return found


def raw_tagged_pdf(build_tree: Callable[[pikepdf.Pdf, pikepdf.Dictionary], object]) -> bytes:
    """One page, one tagged text run (MCID 0), a StructTreeRoot whose /K the callback sets."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(b"/P <</MCID 0>> BDC 0 0 10 10 re f EMC")
    page.obj.StructParents = 0
    root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    pdf.Root.StructTreeRoot = root
    pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
    pdf.Root.Lang = pikepdf.String("sv")
    root.K = build_tree(pdf, root)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def struct_element(
    pdf: pikepdf.Pdf, kind: str, parent: pikepdf.Object, **extra: object
) -> pikepdf.Dictionary:
    element = pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name("/" + kind), P=parent)
    for key, value in extra.items():
        element["/" + key] = value
    result: pikepdf.Dictionary = pdf.make_indirect(element)
    return result
