"""Font rules (7.21) on tiny hand-built PDFs: one text run in a font we describe."""

from __future__ import annotations

import io

import pikepdf

from samdrift.accessibility.services import check_pdf


def _with_font(font: pikepdf.Dictionary, shown: bytes, render_mode: int = 0) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pdf.make_indirect(font)))
    text = b"/P <</MCID 0>> BDC BT /F1 12 Tf %d Tr 72 720 Td <%s> Tj ET EMC" % (
        render_mode,
        shown.hex().encode(),
    )
    page.obj.Contents = pdf.make_stream(text)
    pdf.Root.Lang = pikepdf.String("sv")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _failed(data: bytes) -> set[str]:
    result = check_pdf(data, profile="pdfua1", isolate=False)
    assert result.error is None
    return {r.verapdf for r in result.failed if r.verapdf}


def _helvetica(**extra: object) -> pikepdf.Dictionary:
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type1,
        BaseFont=pikepdf.Name.Helvetica,
        Encoding=pikepdf.Name.WinAnsiEncoding,
    )
    for key, value in extra.items():
        font["/" + key] = value
    return font


def test_font_not_embedded_fails_unless_invisible() -> None:
    assert "7.21.4.1-1" in _failed(_with_font(_helvetica(), b"Hej"))
    # Text rendering mode 3 (invisible, e.g. OCR text over a scan) needs no embedded font.
    assert "7.21.4.1-1" not in _failed(_with_font(_helvetica(), b"Hej", render_mode=3))


def test_standard_encoding_maps_to_unicode() -> None:
    assert "7.21.7-1" not in _failed(_with_font(_helvetica(), b"Hej"))


def test_notdef_in_differences_fails() -> None:
    encoding = pikepdf.Dictionary(
        BaseEncoding=pikepdf.Name.WinAnsiEncoding,
        Differences=pikepdf.Array([65, pikepdf.Name("/.notdef")]),
    )
    failed = _failed(_with_font(_helvetica(Encoding=encoding), b"AB"))
    assert "7.21.8-1" in failed


def test_non_standard_glyph_name_without_tounicode_fails() -> None:
    encoding = pikepdf.Dictionary(Differences=pikepdf.Array([65, pikepdf.Name("/g123")]))
    assert "7.21.7-1" in _failed(_with_font(_helvetica(Encoding=encoding), b"A"))


def _identity_font() -> pikepdf.Dictionary:
    info = pikepdf.Dictionary(
        Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
    )
    descendant = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name.Foo,
        CIDSystemInfo=info,
    )
    return pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type0,
        BaseFont=pikepdf.Name.Foo,
        Encoding=pikepdf.Name("/Identity-H"),
        DescendantFonts=pikepdf.Array([descendant]),
    )


def test_identity_cid_font_needs_tounicode() -> None:
    assert "7.21.7-1" in _failed(_with_font(_identity_font(), b"\x00\x05"))
    assert "7.21.8-1" in _failed(_with_font(_identity_font(), b"\x00\x00"))


def test_unknown_cmap_name_fails() -> None:
    descendant = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType0,
        BaseFont=pikepdf.Name.Foo,
        CIDSystemInfo=pikepdf.Dictionary(
            Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Japan1"), Supplement=4
        ),
    )
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type0,
        BaseFont=pikepdf.Name.Foo,
        Encoding=pikepdf.Name("/My-Private-CMap"),
        DescendantFonts=pikepdf.Array([descendant]),
    )
    assert "7.21.3.3-1" in _failed(_with_font(font, b"\x00\x05"))


def test_fonts_in_annotation_appearances_count_but_not_for_tagging() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    appearance = pdf.make_stream(b"BT /F1 10 Tf 2 2 Td (Hej) Tj ET")
    appearance.Type = pikepdf.Name.XObject
    appearance.Subtype = pikepdf.Name.Form
    appearance.BBox = pikepdf.Array([0, 0, 100, 20])
    appearance.Resources = pikepdf.Dictionary(
        Font=pikepdf.Dictionary(F1=pdf.make_indirect(_helvetica()))
    )
    annot = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.FreeText,
        Rect=pikepdf.Array([50, 50, 150, 70]),
        Contents=pikepdf.String("Hej"),
        AP=pikepdf.Dictionary(N=appearance),
    )
    page.obj.Annots = pikepdf.Array([pdf.make_indirect(annot)])
    page.obj.Contents = pdf.make_stream(b"")
    out = io.BytesIO()
    pdf.save(out)
    failed = _failed(out.getvalue())
    assert "7.21.4.1-1" in failed  # Helvetica is not embedded
    assert "7.1-3" not in failed  # appearance content is not page content
