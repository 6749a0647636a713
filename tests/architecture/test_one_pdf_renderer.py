"""Every PDF goes through `samdrift.core.pdf`, and every kind it renders is checked (ADR 0092).

Two reads of the source tree (production code: tests and migrations excluded):

1. no module but `samdrift/core/pdf.py` imports a library that writes PDF documents (WeasyPrint,
   ReportLab, fpdf, xhtml2pdf, pdfkit, borb) or makes a new PDF with `pikepdf.new()`: a new
   generator cannot bypass the accessible renderer;
2. every call of the renderer names its `kind` as string literals, and every such kind has a case
   in `tests/pdf/builders.py`, so `tests/pdf/test_every_pdf_is_accessible.py` checks it with the
   accessibility checker in both profiles.

Each read is also run on a small bad snippet, so the guard is shown to catch what it forbids.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.pdf.builders import CASES

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "samdrift"
RENDERER = SOURCE / "core" / "pdf.py"
PDF_WRITERS = {"weasyprint", "reportlab", "fpdf", "xhtml2pdf", "pdfkit", "borb"}
RENDER_FUNCTIONS = {"render", "render_html"}


def production_files() -> list[Path]:
    return sorted(
        path
        for path in SOURCE.rglob("*.py")
        if "tests" not in path.relative_to(SOURCE).parts
        and "migrations" not in path.relative_to(SOURCE).parts
    )


def pdf_writer_uses(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in PDF_WRITERS]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in PDF_WRITERS:
                found.append(node.module)
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "new"
            and isinstance(node.value, ast.Name)
            and node.value.id == "pikepdf"
        ):
            found.append("pikepdf.new")
    return found


def _renderer_aliases(tree: ast.AST) -> set[str]:
    """Local names bound to `samdrift.core.pdf` (module) in this file."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "samdrift.core":
            names |= {a.asname or a.name for a in node.names if a.name == "pdf"}
        elif isinstance(node, ast.Import):
            names |= {a.asname for a in node.names if a.name == "samdrift.core.pdf" and a.asname}
    return names


def renderer_calls(tree: ast.AST) -> list[tuple[int, list[str] | None]]:
    """(line, kinds) per call of the renderer; kinds is None when not given as literals."""
    aliases = _renderer_aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "samdrift.core.pdf":
            names = ", ".join(a.name for a in node.names)
            raise AssertionError(f"line {node.lineno}: import the module (`from samdrift.core "
                                 f"import pdf`), not {names}, so calls can be found")  # fmt: skip
    calls: list[tuple[int, list[str] | None]] = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RENDER_FUNCTIONS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in aliases
        ):
            continue
        kind = next((k.value for k in node.keywords if k.arg == "kind"), None)
        if kind is None:
            calls.append((node.lineno, None))
            continue
        calls.append((node.lineno, kind_literals(kind)))
    return calls


def kind_literals(expr: ast.expr) -> list[str] | None:
    """The kinds a `kind=` expression can take: a string literal or a conditional of them."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return [expr.value]
    if isinstance(expr, ast.IfExp):
        body, orelse = kind_literals(expr.body), kind_literals(expr.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def _parse(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_only_the_renderer_writes_pdf():
    offenders = {
        str(path.relative_to(ROOT)): uses
        for path in production_files()
        if path != RENDERER and (uses := pdf_writer_uses(_parse(path)))
    }
    assert offenders == {}, (
        "Write PDFs through samdrift.core.pdf (render / render_html), which makes them "
        f"accessible (ADR 0090): {offenders}"
    )
    assert "weasyprint" in pdf_writer_uses(_parse(RENDERER))


def test_every_rendered_kind_is_checked_in_both_profiles():
    kinds: dict[str, list[str]] = {}
    for path in production_files():
        if path == RENDERER:
            continue
        for line, found in renderer_calls(_parse(path)):
            where = f"{path.relative_to(ROOT)}:{line}"
            assert found is not None, f"{where}: give kind= as string literals"
            for kind in found:
                kinds.setdefault(kind, []).append(where)
    assert len(kinds) >= 6, kinds  # the guard reads the tree (billing ×3, reporting, checker, EFOS)
    checked = {case.kind for case in CASES}
    missing = {kind: where for kind, where in kinds.items() if kind not in checked}
    assert missing == {}, f"add a case to tests/pdf/builders.py for {missing}"
    stale = checked - set(kinds)
    assert stale == set(), f"cases for kinds no code renders any more: {stale}"


@pytest.mark.parametrize(
    "snippet",
    [
        "from weasyprint import HTML\nHTML(string='x').write_pdf()",
        "import reportlab.pdfgen.canvas",
        "import pikepdf\npikepdf.new()",
        "from fpdf import FPDF",
    ],
)
def test_the_guard_catches_a_bypass(snippet):
    assert pdf_writer_uses(ast.parse(snippet))


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("from samdrift.core import pdf\npdf.render('t', {}, language='sv', title='T')", None),
        ("from samdrift.core import pdf\nk = 'a.b'\npdf.render_html('', kind=k)", None),
        ("from samdrift.core import pdf as p\np.render_html('', kind='a.b')", ["a.b"]),
        (
            "from samdrift.core import pdf\npdf.render('', kind='a.b' if x else 'a.c')",
            ["a.b", "a.c"],
        ),
    ],
)
def test_the_guard_reads_kinds(snippet, expected):
    [(_line, kinds)] = renderer_calls(ast.parse(snippet))
    assert kinds == expected
