"""PDF/UA-1 rules that read embedded font programs with fontTools (7.21.4.1-2, 7.21.4.2, 7.21.5).

Each rule judges only the cases it can decide from the program without guessing (TrueType and
CFF programs; Type 1 `FontFile` programs are not parsed) and stays silent otherwise. A font
program that fontTools cannot read is left alone: it is not this rule's finding.
"""

from __future__ import annotations

import io
import logging
import re
from functools import cached_property
from typing import Any

import pikepdf
from fontTools.agl import AGL2UV, UV2AGL
from fontTools.encodings.StandardEncoding import StandardEncoding

from samdrift.accessibility.engine.content import FontUse
from samdrift.accessibility.engine.document import as_list, name_of
from samdrift.accessibility.engine.results import Finding

from .fonts import (
    _base_encoding,
    _descendant,
    _differences,
    _each_font,
    _embedded,
    _font_name,
    _subtype,
    _symbolic,
)
from .registry import Context, pdfua

SUBSET = re.compile(r"^[A-Z]{6}\+")
# fontTools warns about every odd table it reads in uploaded fonts; that is not our output.
logging.getLogger("fontTools").setLevel(logging.ERROR)
MAX_PROGRAM_BYTES = 32 * 1024 * 1024


class Program:
    """A parsed embedded font program; TrueType tables are decoded only when a rule asks."""

    def __init__(self, kind: str, glyphs: list[str], *, tt: Any = None, units: int = 1000) -> None:
        self.kind = kind  # "truetype" | "cff"
        self.glyphs = glyphs  # glyph names (CFF) or "g<id>" (TrueType)
        self.cids: set[int] | None = None  # CID-keyed CFF: the CIDs present
        self.units = units
        self._tt = tt
        self.cff_top: Any = None  # the CFF top dict (simple, not CID-keyed, fonts only)

    def cff_width(self, name: str) -> float | None:
        """Advance of a named CFF glyph in 1/1000 em, or None when it cannot be decided."""
        top = self.cff_top
        if top is None or name not in top.CharStrings:
            return None
        from fontTools.pens.basePen import NullPen

        charstring = top.CharStrings[name]
        charstring.draw(NullPen())  # running the charstring is what sets its width
        matrix = getattr(top, "FontMatrix", [0.001])
        return float(charstring.width) * float(matrix[0]) * 1000

    @cached_property
    def advance(self) -> dict[str, int]:
        if self._tt is None:
            return {}
        return {name: width for name, (width, _lsb) in self._tt["hmtx"].metrics.items()}

    @cached_property
    def outlined(self) -> set[int] | None:
        """TrueType glyph ids with outline data (a subset keeps the other slots, empty)."""
        if self._tt is None or "loca" not in self._tt:
            return None
        loca = list(self._tt["loca"])
        return {i for i in range(len(loca) - 1) if loca[i + 1] > loca[i]}

    @cached_property
    def cmaps(self) -> dict[tuple[int, int], dict[int, str]]:
        if self._tt is None or "cmap" not in self._tt:
            return {}
        return {(t.platformID, t.platEncID): dict(t.cmap) for t in self._tt["cmap"].tables}


def _target(font: pikepdf.Dictionary) -> pikepdf.Dictionary | None:
    return _descendant(font) if _subtype(font) == "Type0" else font


def _descriptor_of(font: pikepdf.Dictionary) -> pikepdf.Dictionary | None:
    target = _target(font)
    fd = target.get("/FontDescriptor") if target is not None else None
    return fd if isinstance(fd, pikepdf.Dictionary) else None


def program(ctx: Context, font: pikepdf.Dictionary) -> Program | None:
    """The parsed embedded program of a font, cached per run; None when absent or unreadable."""
    cache: dict[Any, Program | None] = ctx.cache.setdefault("font_programs", {})
    key = font.objgen if font.is_indirect else id(font)
    if key not in cache:
        cache[key] = _load(font)
    return cache[key]


def _load(font: pikepdf.Dictionary) -> Program | None:
    fd = _descriptor_of(font)
    if fd is None:
        return None
    try:
        if isinstance(fd.get("/FontFile2"), pikepdf.Stream):
            return _truetype(bytes(fd.FontFile2.read_bytes()[:MAX_PROGRAM_BYTES]))
        ff3 = fd.get("/FontFile3")
        if isinstance(ff3, pikepdf.Stream) and name_of(ff3.get("/Subtype")) in (
            "Type1C",
            "CIDFontType0C",
        ):
            return _cff(bytes(ff3.read_bytes()[:MAX_PROGRAM_BYTES]))
    except Exception:  # an unreadable program is not this rule's finding
        return None
    return None


def _truetype(data: bytes) -> Program:
    from fontTools.ttLib import TTFont

    tt = TTFont(io.BytesIO(data), lazy=True)
    # Glyphs are named by id ("g12"): deriving real names from 'post' or 'cmap' costs more than
    # all the rules together, and the rules only need ids, advances and the cmap.
    count = int(tt["maxp"].numGlyphs)
    tt.setGlyphOrder([f"g{i}" for i in range(count)])
    return Program("truetype", tt.getGlyphOrder(), tt=tt, units=int(tt["head"].unitsPerEm))


def _cff(data: bytes) -> Program:
    from fontTools.cffLib import CFFFontSet

    cff = CFFFontSet()
    cff.decompile(io.BytesIO(data), None)
    top = cff[cff.fontNames[0]]
    names = list(top.charset)
    prog = Program("cff", names)
    if hasattr(top, "ROS"):
        prog.cids = {int(n[3:]) if n.startswith("cid") else 0 for n in names}
    else:
        prog.cff_top = top
    return prog


def _subset(font: pikepdf.Dictionary) -> bool:
    target = _target(font)
    return (
        bool(SUBSET.match(name_of(target.get("/BaseFont")) or "")) if target is not None else False
    )


@pdfua(
    "7.21.4.2-1",
    "ua.charset-complete",
    "CharSet lists every glyph of a Type 1 subset",
    "CharSet listar alla tecken i en Type 1-delmängd",
    wcag=(),
    matterhorn=("31-027",),
)
def charset_complete(ctx: Context) -> list[Finding] | None:
    def keep(u: FontUse) -> bool:
        fd = _descriptor_of(u.font)
        return (
            _subtype(u.font) in ("Type1", "MMType1")
            and fd is not None
            and "/CharSet" in fd
            and _subset(u.font)
            and program(ctx, u.font) is not None
        )

    def bad(u: FontUse) -> str | None:
        fd = _descriptor_of(u.font)
        listed = set(str(fd.get("/CharSet")).replace("/", " ").split()) if fd is not None else set()
        prog = program(ctx, u.font)
        present = {g for g in (prog.glyphs if prog else []) if g != ".notdef"}
        missing = sorted(present - listed)
        if missing:
            return f"The CharSet of {_font_name(u.font)} does not list {', '.join(missing[:5])}."
        # veraPDF compares both ways: a name listed for a glyph the program lacks is wrong too.
        extra = sorted(listed - present - {".notdef"})
        if extra:
            return f"The CharSet of {_font_name(u.font)} lists glyphs not in the font: {', '.join(extra[:5])}."
        return None

    return _each_font(ctx, keep, bad)


def _cid_set_bits(stream: pikepdf.Stream) -> bytes:
    return bytes(stream.read_bytes())


def _present_cids(
    ctx: Context, font: pikepdf.Dictionary, *, outlined: bool = False
) -> set[int] | None:
    """CIDs the program defines; with `outlined`, only those whose TrueType glyph has data
    (a subset keeps every glyph slot, empty, so the slot count says little)."""
    prog = program(ctx, font)
    d = _descendant(font)
    if prog is None or d is None:
        return None
    if prog.kind == "cff":
        return prog.cids
    gid_map = d.get("/CIDToGIDMap")
    count = len(prog.glyphs)
    usable = prog.outlined if outlined and prog.outlined is not None else set(range(count))
    if name_of(gid_map) == "Identity":
        return usable
    if isinstance(gid_map, pikepdf.Stream):
        data = bytes(gid_map.read_bytes())
        return {
            i // 2
            for i in range(0, len(data) - 1, 2)
            if int.from_bytes(data[i : i + 2], "big") in usable
        }
    return None


@pdfua(
    "7.21.4.2-2",
    "ua.cidset-complete",
    "CIDSet lists every CID of a CID font subset",
    "CIDSet listar alla CID i en CID-delmängd",
    wcag=(),
    matterhorn=("31-028",),
)
def cidset_complete(ctx: Context) -> list[Finding] | None:
    def keep(u: FontUse) -> bool:
        fd = _descriptor_of(u.font)
        return (
            _subtype(u.font) == "Type0"
            and fd is not None
            and isinstance(fd.get("/CIDSet"), pikepdf.Stream)
            and _subset(u.font)
            and _present_cids(ctx, u.font) is not None
        )

    def bad(u: FontUse) -> str | None:
        fd = _descriptor_of(u.font)
        cid_set = fd.get("/CIDSet") if fd is not None else None
        bits = _cid_set_bits(cid_set) if isinstance(cid_set, pikepdf.Stream) else b""
        cids = _present_cids(ctx, u.font, outlined=True) or set()
        missing = [
            c
            for c in sorted(cids)
            if c != 0 and (c // 8 >= len(bits) or not bits[c // 8] & (0x80 >> (c % 8)))
        ]
        return (
            f"The CIDSet of {_font_name(u.font)} misses {len(missing)} CID(s) of the font program."
            if missing
            else None
        )

    return _each_font(ctx, keep, bad)


def _tt_glyph(font: pikepdf.Dictionary, prog: Program, code: int) -> str | None:
    """The glyph a simple TrueType font shows for a code (ISO 32000-1, 9.6.6.4)."""
    if _symbolic(font):
        for key, value in (((3, 0), 0xF000 + code), ((3, 0), code), ((1, 0), code)):
            table = prog.cmaps.get(key)
            if table and value in table:
                return table[value]
        return None
    name = _differences(font).get(code)
    if name is None:
        base = _base_encoding(font)
        codec = {"WinAnsiEncoding": "cp1252", "MacRomanEncoding": "mac_roman"}.get(base or "")
        if codec is None:
            return None
        char = bytes([code]).decode(codec, errors="ignore")
        unicode = ord(char) if len(char) == 1 else None
    else:
        unicode = AGL2UV.get(name)
    table = prog.cmaps.get((3, 1))
    if table is not None and unicode is not None:
        return table.get(unicode)
    return None


def _dict_width(font: pikepdf.Dictionary, code: int) -> float | None:
    widths = as_list(font.get("/Widths"))
    first = font.get("/FirstChar")
    if not isinstance(first, int) or not 0 <= code - first < len(widths):
        return None
    try:
        return float(widths[code - first])
    except (TypeError, ValueError):
        return None


@pdfua(
    "7.21.5-1",
    "ua.glyph-widths",
    "Glyph widths agree with the font program",
    "Teckenbredder stämmer med typsnittsprogrammet",
    wcag=(),
    matterhorn=("31-029",),
)
def glyph_widths(ctx: Context) -> list[Finding] | None:
    def keep(u: FontUse) -> bool:
        if not u.rendered:
            return False
        subtype = _subtype(u.font)
        if subtype == "Type0":
            d = _descendant(u.font)
            if d is None or name_of(d.get("/Subtype")) != "CIDFontType2":
                return False
            if name_of(u.font.get("/Encoding")) not in ("Identity-H", "Identity-V"):
                return False
        elif subtype not in ("TrueType", "Type1"):
            return False
        prog = program(ctx, u.font)
        return prog is not None and (prog.kind == "truetype" or prog.cff_top is not None)

    def bad(u: FontUse) -> str | None:
        prog = program(ctx, u.font)
        if prog is None:
            return None
        for code_bytes in sorted(u.codes):
            widths = _widths_for(u.font, prog, code_bytes)
            if widths is None:
                continue
            width, program_width = widths
            if abs(program_width - width) > 1:
                code = int.from_bytes(code_bytes, "big")
                return (
                    f"The width of code {code} in {_font_name(u.font)} is {width:g} in the PDF but "
                    f"{program_width:.0f} in the font program."
                )
        return None

    return _each_font(ctx, keep, bad)


def _widths_for(
    font: pikepdf.Dictionary, prog: Program, code_bytes: bytes
) -> tuple[float, float] | None:
    """(width in the PDF, width in the program) for a code, when both can be decided."""
    if _subtype(font) == "Type0":
        cid = int.from_bytes(code_bytes, "big")
        d = _descendant(font)
        gid = _gid_for_cid(d, cid) if d is not None else None
        width = _cid_width(d, cid) if d is not None else None
        if gid is None or width is None or f"g{gid}" not in prog.advance:
            return None
        return width, prog.advance[f"g{gid}"] * 1000 / prog.units
    code = code_bytes[0]
    width = _dict_width(font, code)
    if width is None:
        return None
    if prog.kind == "truetype":
        glyph = _tt_glyph(font, prog, code)
        if glyph is None or glyph not in prog.advance:
            return None
        return width, prog.advance[glyph] * 1000 / prog.units
    name = _cff_glyph_name(font, prog, code)
    program_width = prog.cff_width(name) if name else None
    return (width, program_width) if program_width is not None else None


def _cff_glyph_name(font: pikepdf.Dictionary, prog: Program, code: int) -> str | None:
    name = _differences(font).get(code)
    if name is not None:
        return name
    base = _base_encoding(font)
    codec = {"WinAnsiEncoding": "cp1252", "MacRomanEncoding": "mac_roman"}.get(base or "")
    if codec is not None:
        char = bytes([code]).decode(codec, errors="ignore")
        return UV2AGL.get(ord(char)) if len(char) == 1 else None
    if base == "StandardEncoding" or (base is None and not _symbolic(font)):
        return StandardEncoding[code] if code < len(StandardEncoding) else None
    builtin = getattr(prog.cff_top, "Encoding", None)
    if isinstance(builtin, list) and code < len(builtin):
        return str(builtin[code])
    return None


def _gid_for_cid(d: pikepdf.Dictionary, cid: int) -> int | None:
    gid_map = d.get("/CIDToGIDMap")
    if name_of(gid_map) == "Identity" or gid_map is None:
        return cid
    if isinstance(gid_map, pikepdf.Stream):
        data = bytes(gid_map.read_bytes())
        if 2 * cid + 2 <= len(data):
            return int.from_bytes(data[2 * cid : 2 * cid + 2], "big")
    return None


def _cid_width(d: pikepdf.Dictionary, cid: int) -> float | None:
    """The width the W array (or DW) gives a CID (ISO 32000-1, 9.7.4.3)."""
    w = as_list(d.get("/W"))
    i = 0
    while i < len(w):
        first = w[i]
        if not isinstance(first, int):
            return None
        if i + 1 < len(w) and isinstance(w[i + 1], pikepdf.Array):
            values = list(w[i + 1])
            if first <= cid < first + len(values):
                return float(values[cid - first])
            i += 2
        elif i + 2 < len(w) and isinstance(w[i + 1], int):
            if first <= cid <= w[i + 1]:
                return float(w[i + 2])
            i += 3
        else:
            return None
    dw = d.get("/DW")
    return float(dw) if isinstance(dw, int | float) else 1000.0


@pdfua(
    "7.21.4.1-2",
    "ua.glyphs-present",
    "Embedded fonts define every glyph used",
    "Inbäddade typsnitt innehåller alla tecken som används",
    wcag=("1.1.1",),
    matterhorn=("31-026",),
)
def glyphs_present(ctx: Context) -> list[Finding] | None:
    def keep(u: FontUse) -> bool:
        return (
            u.rendered
            and _subtype(u.font) == "Type0"
            and name_of(u.font.get("/Encoding")) in ("Identity-H", "Identity-V")
            and _present_cids(ctx, u.font) is not None
        )

    def bad(u: FontUse) -> str | None:
        cids = _present_cids(ctx, u.font) or set()
        missing = [c for c in u.codes if len(c) == 2 and int.from_bytes(c, "big") not in cids]
        return (
            f"{len(missing)} glyph(s) shown with {_font_name(u.font)} are not in the font program."
            if missing
            else None
        )

    return _each_font(ctx, keep, bad)


# The cmap rules read the embedded program, so they live here, beside `program` (fonts.py reads
# only the font dictionaries; importing this module from there made a cycle).


def _cmap_tables(ctx: Context, font: pikepdf.Dictionary) -> list[tuple[int, int]] | None:
    prog = program(ctx, font)
    if prog is None or prog.kind != "truetype":
        return None
    try:
        return list(prog.cmaps)
    except Exception:  # an unreadable cmap is not this rule's finding
        return None


@pdfua(
    "7.21.6-1",
    "ua.truetype-nonsymbolic-cmap",
    "Non-symbolic TrueType programs have a cmap",
    "Icke-symboliska TrueType-program har en cmap",
    wcag=("1.1.1",),
    matterhorn=("31-012",),
)
def truetype_nonsymbolic_cmap(ctx: Context) -> list[Finding] | None:
    def bad(u: FontUse) -> str | None:
        tables = _cmap_tables(ctx, u.font)
        if tables is None:
            return None
        ok = len(tables) > 1 if (3, 0) in tables else len(tables) > 0
        return None if ok else f"The font program of {_font_name(u.font)} has no usable cmap."

    return _each_font(
        ctx,
        lambda u: (
            u.rendered
            and _subtype(u.font) == "TrueType"
            and not _symbolic(u.font)
            and _embedded(u.font)
        ),
        bad,
    )


@pdfua(
    "7.21.6-4",
    "ua.truetype-symbolic-cmap",
    "Symbolic TrueType programs have a (3,0) cmap",
    "Symboliska TrueType-program har en (3,0)-cmap",
    wcag=("1.1.1",),
    matterhorn=("31-015",),
)
def truetype_symbolic_cmap(ctx: Context) -> list[Finding] | None:
    def bad(u: FontUse) -> str | None:
        tables = _cmap_tables(ctx, u.font)
        if tables is None:
            return None
        ok = len(tables) == 1 or (3, 0) in tables
        return None if ok else f"The font program of {_font_name(u.font)} lacks a (3,0) cmap."

    return _each_font(
        ctx,
        lambda u: (
            u.rendered
            and _subtype(u.font) == "TrueType"
            and _symbolic(u.font)
            and _embedded(u.font)
        ),
        bad,
    )
