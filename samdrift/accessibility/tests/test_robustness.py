"""Bad files give a clear per-file error, within bounds, and never stop a batch."""

from __future__ import annotations

import io
import json
import zlib
from pathlib import Path

import pikepdf
import pytest
from django.core.management import call_command

from samdrift.accessibility.engine.document import MAX_DEPTH, Document
from samdrift.accessibility.engine.results import CheckError
from samdrift.accessibility.services import check_pdf

from .pdfs import conforming_pdf, raw_tagged_pdf, struct_element


def _error(data: bytes, **kwargs: object) -> str | None:
    result = check_pdf(data, profile="pdfua1", **kwargs)  # type: ignore[arg-type]
    assert result.results == [] or result.error is None
    return result.error_code


def _broken_xref() -> bytes:
    data = conforming_pdf()
    # Point startxref at the middle of the file: the table is where it says it is not.
    head, _, _tail = data.rpartition(b"startxref")
    return head + b"startxref\n17\n%%EOF\n"


def _deep_tree() -> bytes:
    def build(pdf: pikepdf.Pdf, root: pikepdf.Dictionary) -> object:
        top = parent = struct_element(pdf, "Document", root)
        for _ in range(MAX_DEPTH + 5):
            child = struct_element(pdf, "Div", parent)
            parent.K = child
            parent = child
        return top

    return raw_tagged_pdf(build)


def _cyclic_tree() -> bytes:
    def build(pdf: pikepdf.Pdf, root: pikepdf.Dictionary) -> object:
        a = struct_element(pdf, "Document", root)
        b = struct_element(pdf, "Div", a)
        a.K = b
        b.K = pikepdf.Array([a])
        return a

    return raw_tagged_pdf(build)


def _password() -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(conforming_pdf())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="owner", user="secret"))
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: b"", "empty"),
        (lambda: b"hello, this is not a PDF at all", "not_pdf"),
        (lambda: conforming_pdf()[: len(conforming_pdf()) // 2], "damaged"),
        (_broken_xref, "damaged"),
        (_password, "encrypted"),
        (_deep_tree, "deep_structure"),
        (_cyclic_tree, "cyclic_structure"),
    ],
)
def test_bad_file_gives_its_error(make, code: str) -> None:  # type: ignore[no-untyped-def]
    assert _error(make()) == code


def test_too_large_is_refused_before_parsing() -> None:
    with pytest.raises(CheckError) as caught:
        Document.open(conforming_pdf(), max_bytes=1000)
    assert caught.value.code == "too_large"


def test_time_limit_kills_the_worker() -> None:
    result = check_pdf(conforming_pdf(), profile="pdfua1", timeout=0.001)
    assert result.error_code == "timeout"
    assert result.results == []


def _flate_bomb() -> bytes:
    """A page whose small content stream inflates to one 80 MB string operand."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    stream = pikepdf.Stream(pdf, zlib.compress(b"BT (" + b"A" * 80_000_000 + b") Tj ET", 9))
    stream.Filter = pikepdf.Name.FlateDecode
    pdf.pages[0].obj.Contents = pdf.make_indirect(stream)
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


def test_memory_limit_stops_the_worker_not_the_batch() -> None:
    bomb = _flate_bomb()
    # qpdf reports a failed allocation as a decoding error: any per-file error will do, what
    # matters is that the limit (and nothing else) stops it.
    limited = check_pdf(bomb, profile="pdfua1", memory=32 * 1024 * 1024)
    assert limited.error_code in {"memory", "crashed", "damaged"}, limited.error
    assert limited.results == []
    unlimited = check_pdf(bomb, profile="pdfua1")
    assert unlimited.error is None
    assert next(r for r in unlimited.results if r.verapdf == "7.1-3").status == "failed"


def test_a_batch_survives_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "good.pdf"
    good.write_bytes(conforming_pdf())
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\ngarbage")
    missing = tmp_path / "missing.pdf"
    out = io.StringIO()
    call_command("a11y", "check", str(bad), str(missing), str(good), "--format", "json", stdout=out)
    files = json.loads(out.getvalue())["files"]
    assert [f["path"] for f in files] == [str(bad), str(missing), str(good)]
    assert files[0]["error"] and files[0]["results"] == []
    assert files[1]["error"] and files[1]["results"] == []
    assert files[2]["error"] is None and len(files[2]["results"]) == 32


def test_hostile_table_spans_and_wide_trees_stay_fast() -> None:
    # 2,000 cells each claiming a 999 × 999 span, and 20,000 sibling paragraphs: the checks must
    # stay linear (the time limit would otherwise turn this into a timeout error).
    def build(pdf: pikepdf.Pdf, root: pikepdf.Dictionary) -> object:
        doc = struct_element(pdf, "Document", root)
        table = struct_element(pdf, "Table", doc)
        row = struct_element(pdf, "TR", table)
        span = pikepdf.Dictionary(O=pikepdf.Name.Table, RowSpan=999, ColSpan=999)
        row.K = pikepdf.Array([struct_element(pdf, "TD", row, A=span) for _ in range(2000)])
        table.K = pikepdf.Array([row])
        paragraphs = [struct_element(pdf, "P", doc, Alt=pikepdf.String("x")) for _ in range(20000)]
        doc.K = pikepdf.Array([table, *paragraphs])
        return doc

    result = check_pdf(raw_tagged_pdf(build), profile="acrobat", timeout=180)
    assert result.error is None, result.error
    statuses = {r.rule: r.status for r in result.results}
    # Too large to lay out, yet a RowSpan past the table's one row is still seen (7.2-41).
    assert statuses["acrobat.table-regularity"] == "failed"
    assert statuses["acrobat.nested-alt"] == "passed"
    assert statuses["acrobat.alt-associated"] == "failed"  # 20,000 Alts on empty paragraphs
