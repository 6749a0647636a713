"""Our own look into a generated PDF with pikepdf: the PDF/UA-1 properties the report promises.

The accessibility app's checker is the real judge (test_report_checks_itself.py); this module
checks the few properties the report itself is responsible for, so a regression in our template
shows up with a precise message even without the checker.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pikepdf

MAX_DEPTH = 64


def struct_elements(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every structure element, depth first, guarded against cycles."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[object, int]] = [(root.get("/K"), 0)]
    while stack:
        node, depth = stack.pop()
        if node is None or depth > MAX_DEPTH:
            continue
        if isinstance(node, pikepdf.Array):
            stack.extend((child, depth) for child in reversed(list(node)))
            continue
        if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        yield node
        stack.append((node.get("/K"), depth + 1))


def inspect(data: bytes) -> dict[str, object]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        elements = list(struct_elements(pdf))
        tags = [str(e.S) for e in elements]
        figures = [e for e in elements if str(e.S) == "/Figure"]
        xmp = (
            bytes(root.Metadata.read_bytes()).decode("utf-8", "replace")
            if "/Metadata" in root
            else ""
        )
        with pdf.open_metadata() as meta:
            ua_part = meta.get("pdfuaid:part")
            dc_title = meta.get("dc:title")
        outlines = []
        with pdf.open_outline() as outline:
            stack = list(outline.root)
            while stack:
                item = stack.pop(0)
                outlines.append(item.title)
                stack[0:0] = list(item.children)
        return {
            "has_struct_tree": "/StructTreeRoot" in root,
            "lang": str(root.get("/Lang", "")),
            "marked": bool(root.get("/MarkInfo", {}).get("/Marked", False)),
            "display_doc_title": bool(
                root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)
            ),
            "ua_part": ua_part,
            "xmp_has_pdfuaid": "pdfuaid" in xmp,
            "dc_title": dc_title,
            "info_title": str(pdf.docinfo.get("/Title", "")),
            "tags": tags,
            "figure_alts": [str(f.get("/Alt", "")) for f in figures],
            "outlines": outlines,
            "tabs_s": all(str(page.obj.get("/Tabs", "")) == "/S" for page in pdf.pages),
            "pages": len(pdf.pages),
        }
