"""Text out of real DOCX, ODT, PDF and text files; hostile and mislabelled files refused."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from django.utils import translation

from samdrift.core.search import extraction
from samdrift.core.search.extraction import ExtractionRefused, decode_text, extract_text

from . import documents

SWEDISH = ["Årsredovisning för Skatteverket", "Överenskommelse om ärendehantering på ön"]


def _extract(data: bytes, name: str, **kwargs):
    return extract_text(io.BytesIO(data), name, **kwargs)


def _refused(data: bytes, name: str) -> ExtractionRefused:
    with pytest.raises(ExtractionRefused) as caught:
        _extract(data, name)
    return caught.value


def test_docx_text_in_paragraph_order_with_tabs():
    got = _extract(documents.docx(SWEDISH), "avtal.docx")
    assert got.format == "docx"
    assert got.text.splitlines() == [*SWEDISH, "Kolumn\tVärde"]
    assert got.truncated is False


def test_odt_headings_paragraphs_spaces_tabs_and_spans():
    got = _extract(documents.odt("Rubrik på svenska", SWEDISH), "protokoll.odt")
    assert got.format == "odt"
    assert got.text.splitlines() == ["Rubrik på svenska", *SWEDISH, "Ett  två\ttre spannslut"]


def test_pdf_text_from_a_real_pdf():
    got = _extract(documents.pdf(SWEDISH), "rapport.pdf")
    assert got.format == "pdf"
    for line in SWEDISH:
        assert line in got.text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Märkning: åäö ÅÄÖ".encode(), "Märkning: åäö ÅÄÖ"),
        ("\ufeffMed BOM: öl".encode(), "Med BOM: öl"),
        ("Latin-1: räksmörgås".encode("latin-1"), "Latin-1: räksmörgås"),
    ],
)
def test_plain_text_utf8_or_latin1(data, expected):
    assert _extract(data, "notes.txt").text == expected


def test_a_utf8_character_cut_by_the_cap_stays_utf8():
    assert decode_text("ab ö".encode()[:-1]) == "ab "


def test_text_is_capped_and_says_so():
    got = _extract(("ord " * 1000).encode(), "lång.txt", max_chars=100)
    assert len(got.text) == 100
    assert got.truncated is True
    docx_got = _extract(documents.docx(["ett långt stycke " * 50] * 50), "x.docx", max_chars=300)
    assert len(docx_got.text) == 300
    assert docx_got.truncated is True


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("rapport.pdf", b"Detta \xc3\xa4r ingen PDF alls, bara text."),
        ("avtal.docx", b"%PDF-1.7 something that is a pdf"),
        ("avtal.docx", b"vanlig text"),
        ("protokoll.odt", b"%PDF-1.4\n"),
        ("anteckning.txt", b"%PDF-1.7\n%\xe2\xe3"),
        ("anteckning.txt", b"PK\x03\x04\x14\x00\x00\x00"),
        ("anteckning.txt", b"text\x00with\x00nuls"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(name, data):
    refusal = _refused(data, name)
    assert refusal.code == "content_mismatch"
    assert os.path.splitext(name)[1] in str(refusal)


def test_a_docx_named_odt_and_an_odt_named_docx_are_refused():
    assert _refused(documents.docx(SWEDISH), "x.odt").code == "content_mismatch"
    assert _refused(documents.odt("R", SWEDISH), "x.docx").code == "content_mismatch"


def test_refusals_are_in_swedish_and_english():
    refusal = _refused(b"not a pdf", "x.pdf")
    with translation.override("sv"):
        assert str(refusal) == "Filens innehåll stämmer inte med filändelsen .pdf."
    with translation.override("en"):
        assert str(refusal) == "The file's content does not match its extension .pdf."


def test_unsupported_extension():
    assert _refused(b"MZ\x90\x00", "program.exe").code == "unsupported_type"


def test_damaged_pdf_is_refused_as_unreadable():
    assert _refused(b"%PDF-1.7\n" + b"garbage " * 100, "trasig.pdf").code == "unreadable"


def test_zip_bomb_by_ratio_is_refused_before_inflating():
    # 64 MB of one byte deflates to ~64 KB: a ratio of ~1000.
    bomb = documents.docx([], document_xml="<a>" + "a" * (64 * 1024 * 1024) + "</a>")
    assert len(bomb) < 200_000
    refusal = _refused(bomb, "bomb.docx")
    assert refusal.code == "archive_refused"
    with translation.override("en"):
        assert "archive bomb" in str(refusal)


def test_total_uncompressed_size_is_capped(monkeypatch):
    monkeypatch.setattr(extraction, "MAX_UNCOMPRESSED", 256 * 1024)
    parts = [(f"word/media/part{i}.bin", os.urandom(64 * 1024)) for i in range(6)]
    refusal = _refused(documents.docx(["x"], extra=parts), "stor.docx")
    assert refusal.code == "archive_refused"


def test_inflated_bytes_are_counted_not_the_declared_sizes(monkeypatch):
    # The declared sizes pass; the bytes actually inflated are what the budget counts.
    data = documents.docx(["ett stycke text " * 4000])
    monkeypatch.setattr(extraction, "MAX_UNCOMPRESSED", 10**9)
    budget = extraction._Budget()
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo("word/document.xml")
    with extraction._CappedEntry(archive, info, budget) as entry:
        while entry.read(65536):
            pass
    assert budget.total == info.file_size


def test_too_many_entries():
    parts = [(f"word/p{i}.xml", "<a/>") for i in range(extraction.MAX_ENTRIES)]
    assert _refused(documents.docx(["x"], extra=parts), "många.docx").code == "archive_refused"


@pytest.mark.parametrize(
    "extra",
    [
        [("word/embeddings/inner.zip", b"anything")],
        [("word/media/image1.png", documents.docx(["inre"]))],  # an archive by content
    ],
)
def test_nested_archives_are_refused(extra):
    refusal = _refused(documents.docx(["yttre"], extra=extra), "nästlad.docx")
    assert refusal.code == "archive_refused"
    with translation.override("en"):
        assert "another archive" in str(refusal)


def test_nested_archive_in_odt_is_refused():
    data = documents.odt("R", ["x"], extra=[("Pictures/a.png", documents.odt("inre", []))])
    assert _refused(data, "n.odt").code == "archive_refused"


@pytest.mark.parametrize("xml", [documents.BILLION_LAUGHS, documents.EXTERNAL_ENTITY])
def test_xml_bombs_and_external_entities_are_refused(xml):
    refusal = _refused(documents.docx([], document_xml=xml), "laughs.docx")
    assert refusal.code == "archive_refused"
    with translation.override("en"):
        assert "document type" in str(refusal)


def test_encrypted_entries_are_refused():
    data = bytearray(documents.docx(["hemligt"]))
    # Set the "encrypted" flag bit on every local and central directory header.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset] |= 0x1
            start += 4
    assert _refused(bytes(data), "krypterad.docx").code == "archive_refused"


def test_not_well_formed_xml_is_unreadable():
    data = documents.docx([], document_xml="<w:document><unclosed>")
    assert _refused(data, "trasig.docx").code == "unreadable"
