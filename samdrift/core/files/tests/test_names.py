"""Safe names and content types: table tests."""

from __future__ import annotations

import unicodedata

import pytest

from samdrift.core.exceptions import ValidationFailed
from samdrift.core.files.names import clean_content_type, safe_name
from samdrift.core.files.responses import content_disposition


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("avtal.pdf", "avtal.pdf"),
        ("C:\\Users\\kalle\\Beslut.docx", "Beslut.docx"),
        ("../../etc/passwd", "passwd"),
        ("a\x00b\x1fc.txt", "abc.txt"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # a bidi override hid ".exe"
        ('what?<is>:"this"|*.txt', "what__is___this___.txt"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("LPT1.tar.gz", "_LPT1.tar.gz"),
        ("CONSOLE.txt", "CONSOLE.txt"),
        ("  spaced   out  .pdf. ", "spaced out .pdf"),
        (".bashrc", "bashrc"),
        (unicodedata.normalize("NFD", "Överenskommelse å.pdf"), "Överenskommelse å.pdf"),
    ],
)
def test_safe_name(given, kept):
    assert safe_name(given) == kept
    assert unicodedata.is_normalized("NFC", safe_name(given))


def test_a_long_name_fits_255_bytes_with_its_extension():
    name = safe_name("å" * 300 + ".pdf")
    assert len(name.encode()) <= 255
    assert name.endswith("å.pdf")


@pytest.mark.parametrize("given", ["", ".", "..", "...", "/", "\\", " ", "\x07", "a/", "_"])
def test_unusable_names_are_refused(given):
    with pytest.raises(ValidationFailed):
        safe_name(given)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("application/pdf", "application/pdf"),
        ("Text/Plain; charset=utf-8", "text/plain"),
        ("", "application/octet-stream"),
        (None, "application/octet-stream"),
        ("text/html\r\nX-Evil: 1", "application/octet-stream"),
        ("pdf", "application/octet-stream"),
    ],
)
def test_content_type(given, kept):
    assert clean_content_type(given) == kept


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name():
    assert content_disposition('Beslut "åäö".pdf') == (
        "attachment; filename=\"Beslut aao.pdf\"; filename*=UTF-8''Beslut%20%22%C3%A5%C3%A4%C3%B6%22.pdf"
    )
