"""PDF/UA-1 font rules (7.21): embedding, encodings, CMaps and the Unicode mapping of glyphs.

Only fonts actually used by text-showing operators are judged (veraPDF's Glyph and PDFont
objects exist only for those). Where a mapping cannot be decided without interpreting the font
program's built-in encoding, the rule stays silent rather than guess: a false alarm on a
conforming file costs more trust than a missed finding (ADR 0104).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import pikepdf
from fontTools.agl import AGL2UV
from fontTools.encodings.StandardEncoding import StandardEncoding

from samdrift.accessibility.engine.content import FontUse
from samdrift.accessibility.engine.document import as_list, name_of, text_of
from samdrift.accessibility.engine.results import Finding

from .registry import Context, pdfua

PREDEFINED_CMAPS = frozenset(
    [
        "Identity-H",
        "Identity-V",
        "GB-EUC-H",
        "GB-EUC-V",
        "GBpc-EUC-H",
        "GBpc-EUC-V",
        "GBK-EUC-H",
        "GBK-EUC-V",
        "GBKp-EUC-H",
        "GBKp-EUC-V",
        "GBK2K-H",
        "GBK2K-V",
        "UniGB-UCS2-H",
        "UniGB-UCS2-V",
        "UniGB-UTF16-H",
        "UniGB-UTF16-V",
        "B5pc-H",
        "B5pc-V",
        "HKscs-B5-H",
        "HKscs-B5-V",
        "ETen-B5-H",
        "ETen-B5-V",
        "ETenms-B5-H",
        "ETenms-B5-V",
        "CNS-EUC-H",
        "CNS-EUC-V",
        "UniCNS-UCS2-H",
        "UniCNS-UCS2-V",
        "UniCNS-UTF16-H",
        "UniCNS-UTF16-V",
        "83pv-RKSJ-H",
        "90ms-RKSJ-H",
        "90ms-RKSJ-V",
        "90msp-RKSJ-H",
        "90msp-RKSJ-V",
        "90pv-RKSJ-H",
        "Add-RKSJ-H",
        "Add-RKSJ-V",
        "EUC-H",
        "EUC-V",
        "Ext-RKSJ-H",
        "Ext-RKSJ-V",
        "H",
        "V",
        "UniJIS-UCS2-H",
        "UniJIS-UCS2-V",
        "UniJIS-UCS2-HW-H",
        "UniJIS-UCS2-HW-V",
        "UniJIS-UTF16-H",
        "UniJIS-UTF16-V",
        "KSC-EUC-H",
        "KSC-EUC-V",
        "KSCms-UHC-H",
        "KSCms-UHC-V",
        "KSCms-UHC-HW-H",
        "KSCms-UHC-HW-V",
        "KSCpc-EUC-H",
        "UniKS-UCS2-H",
        "UniKS-UCS2-V",
        "UniKS-UTF16-H",
        "UniKS-UTF16-V",
    ]
)
CJK_ORDERINGS = frozenset({"GB1", "CNS1", "Japan1", "Korea1", "KR"})
MAX_CMAP_BYTES = 2 * 1024 * 1024
SIMPLE = frozenset({"Type1", "MMType1", "TrueType", "Type3"})


# ---- helpers -------------------------------------------------------------------------------


def _subtype(font: pikepdf.Dictionary) -> str | None:
    return name_of(font.get("/Subtype"))


def _descendant(font: pikepdf.Dictionary) -> pikepdf.Dictionary | None:
    kids = as_list(font.get("/DescendantFonts"))
    return kids[0] if kids and isinstance(kids[0], pikepdf.Dictionary) else None


def _descriptor(font: pikepdf.Dictionary) -> pikepdf.Dictionary | None:
    target = _descendant(font) if _subtype(font) == "Type0" else font
    if target is None:
        return None
    fd = target.get("/FontDescriptor")
    return fd if isinstance(fd, pikepdf.Dictionary) else None


def _embedded(font: pikepdf.Dictionary) -> bool:
    fd = _descriptor(font)
    return fd is not None and any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _symbolic(font: pikepdf.Dictionary) -> bool:
    fd = _descriptor(font)
    flags = fd.get("/Flags") if fd is not None else None
    return isinstance(flags, int) and bool(flags & 4)


def _font_name(font: pikepdf.Dictionary) -> str:
    return name_of(font.get("/BaseFont")) or _subtype(font) or "font"


def _used(ctx: Context) -> list[FontUse]:
    return list(ctx.content.fonts.values())


def _each_font(
    ctx: Context, keep: Callable[[FontUse], bool], bad: Callable[[FontUse], str | None]
) -> list[Finding] | None:
    fonts = [u for u in _used(ctx) if keep(u)]
    if not fonts:
        return None
    out = []
    for use in fonts:
        message = bad(use)
        if message:
            page = min(use.pages) + 1 if use.pages else None
            out.append(
                Finding(
                    message, page, f"{use.font.objgen[0]} 0 R" if use.font.is_indirect else None
                )
            )
    return out


_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")


def _hex(token: bytes) -> bytes:
    return bytes.fromhex(
        re.sub(rb"\s", b"", token).decode("ascii")
        + ("0" if len(re.sub(rb"\s", b"", token)) % 2 else "")
    )


@lru_cache(maxsize=256)
def _parse_to_unicode(data: bytes) -> dict[bytes, str]:
    """bfchar and bfrange entries of a ToUnicode CMap (code bytes → text)."""
    mapping: dict[bytes, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        tokens = _HEX.findall(block)
        for src, dst in zip(tokens[::2], tokens[1::2], strict=False):
            mapping[_hex(src)] = _utf16(_hex(dst))
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for match in re.finditer(
            rb"<([0-9A-Fa-f\s]*)>\s*<([0-9A-Fa-f\s]*)>\s*(<[0-9A-Fa-f\s]*>|\[[^\]]*\])", block
        ):
            low, high = _hex(match.group(1)), _hex(match.group(2))
            lo, hi = int.from_bytes(low, "big"), int.from_bytes(high, "big")
            if hi < lo or hi - lo > 65535:
                continue
            target = match.group(3)
            if target.startswith(b"["):
                values = [_hex(t) for t in _HEX.findall(target)]
                for offset, value in enumerate(values[: hi - lo + 1]):
                    mapping[(lo + offset).to_bytes(len(low), "big")] = _utf16(value)
            else:
                start = _hex(target[1:-1])
                base = int.from_bytes(start, "big")
                for offset in range(hi - lo + 1):
                    value = (base + offset).to_bytes(max(len(start), 2), "big")
                    mapping[(lo + offset).to_bytes(len(low), "big")] = _utf16(value)
    return mapping


def _utf16(data: bytes) -> str:
    if len(data) % 2:
        data = b"\x00" + data
    return data.decode("utf-16-be", errors="replace")


def _to_unicode(font: pikepdf.Dictionary) -> dict[bytes, str] | None:
    stream = font.get("/ToUnicode")
    if not isinstance(stream, pikepdf.Stream):
        return None
    try:
        data = stream.read_bytes()
    except pikepdf.PdfError:
        return None
    return _parse_to_unicode(bytes(data[:MAX_CMAP_BYTES]))


def _differences(font: pikepdf.Dictionary) -> dict[int, str]:
    enc = font.get("/Encoding")
    out: dict[int, str] = {}
    if isinstance(enc, pikepdf.Dictionary):
        code = 0
        for item in as_list(enc.get("/Differences")):
            if isinstance(item, int):
                code = item
            elif isinstance(item, pikepdf.Name):
                out[code] = str(item)[1:]
                code += 1
    return out


def _base_encoding(font: pikepdf.Dictionary) -> str | None:
    enc = font.get("/Encoding")
    if isinstance(enc, pikepdf.Name):
        return str(enc)[1:]
    if isinstance(enc, pikepdf.Dictionary):
        return name_of(enc.get("/BaseEncoding"))
    return None


def _glyph_name(font: pikepdf.Dictionary, code: int) -> str | None:
    """The glyph name a simple font's encoding gives a code, when the PDF alone decides it."""
    diffs = _differences(font)
    if code in diffs:
        return diffs[code]
    base = _base_encoding(font)
    if base == "WinAnsiEncoding":
        char = bytes([code]).decode("cp1252", errors="ignore")
        return _uni_name(char)
    if base == "MacRomanEncoding":
        return _uni_name(bytes([code]).decode("mac_roman", errors="ignore"))
    if base == "StandardEncoding" or (
        base is None and not _symbolic(font) and _subtype(font) == "Type1"
    ):
        name = StandardEncoding[code] if code < len(StandardEncoding) else ".notdef"
        return None if name == ".notdef" and base is None else name
    return None


def _uni_name(char: str) -> str | None:
    return f"uni{ord(char):04X}" if len(char) == 1 else None


def _name_has_unicode(name: str) -> bool:
    if name in AGL2UV:
        return True
    base = name.split(".")[0].split("_")[0]
    if base in AGL2UV:
        return True
    return bool(re.fullmatch(r"uni([0-9A-F]{4})+|u[0-9A-F]{4,6}", base))


def _cid_info(obj: Any) -> tuple[str, str, int] | None:
    if not isinstance(obj, pikepdf.Dictionary):
        return None
    reg, order, supp = (
        text_of(obj.get("/Registry")),
        text_of(obj.get("/Ordering")),
        obj.get("/Supplement"),
    )
    if reg is None or order is None or not isinstance(supp, int):
        return None
    return reg, order, supp


def _codes(use: FontUse) -> Iterator[bytes]:
    return iter(sorted(use.codes))


# ---- rules -----------------------------------------------------------------------------------


@pdfua(
    "7.21.4.1-1",
    "ua.fonts-embedded",
    "Fonts are embedded",
    "Typsnitt är inbäddade",
    wcag=("1.1.1",),
    matterhorn=("31-009",),
)
def fonts_embedded(ctx: Context) -> list[Finding] | None:
    return _each_font(
        ctx,
        lambda u: u.rendered and _subtype(u.font) != "Type3",
        lambda u: None if _embedded(u.font) else f"The font {_font_name(u.font)} is not embedded.",
    )


@pdfua(
    "7.21.3.2-1",
    "ua.cidtogidmap",
    "Embedded TrueType CID fonts have CIDToGIDMap",
    "Inbäddade TrueType-CID-typsnitt har CIDToGIDMap",
    wcag=(),
    matterhorn=("31-002",),
)
def cid_to_gid(ctx: Context) -> list[Finding] | None:
    def keep(u: FontUse) -> bool:
        d = _descendant(u.font) if _subtype(u.font) == "Type0" else None
        return d is not None and name_of(d.get("/Subtype")) == "CIDFontType2" and _embedded(u.font)

    def bad(u: FontUse) -> str | None:
        d = _descendant(u.font)
        value = d.get("/CIDToGIDMap") if d is not None else None
        if isinstance(value, pikepdf.Stream) or name_of(value) == "Identity":
            return None
        return f"The font {_font_name(u.font)} has no valid CIDToGIDMap (a stream or Identity)."

    return _each_font(ctx, keep, bad)


def _cmap(u: FontUse) -> Any:
    return u.font.get("/Encoding") if _subtype(u.font) == "Type0" else None


@pdfua(
    "7.21.3.1-1",
    "ua.cid-system-info",
    "CIDSystemInfo of CMap and CIDFont agree",
    "CIDSystemInfo i CMap och CIDFont stämmer",
    wcag=(),
    matterhorn=("31-001",),
)
def cid_system_info(ctx: Context) -> list[Finding] | None:
    def keep(u: FontUse) -> bool:
        cmap = _cmap(u)
        return _subtype(u.font) == "Type0" and name_of(cmap) not in ("Identity-H", "Identity-V")

    def bad(u: FontUse) -> str | None:
        cmap = _cmap(u)
        d = _descendant(u.font)
        font_info = _cid_info(d.get("/CIDSystemInfo")) if d is not None else None
        if not isinstance(cmap, pikepdf.Stream):
            return None  # predefined CMaps: their CIDSystemInfo is not in the file
        cmap_info = _cid_info(cmap.get("/CIDSystemInfo"))
        if font_info is None or cmap_info is None:
            return f"The font {_font_name(u.font)} lacks a CIDSystemInfo."
        if font_info[:2] != cmap_info[:2] or font_info[2] > cmap_info[2]:
            return f"The CIDSystemInfo of {_font_name(u.font)} and its CMap disagree."
        return None

    return _each_font(ctx, keep, bad)


@pdfua(
    "7.21.3.3-1",
    "ua.cmap-embedded",
    "Non-standard CMaps are embedded",
    "Icke-standardiserade CMaps är inbäddade",
    wcag=(),
    matterhorn=("31-003",),
)
def cmap_embedded(ctx: Context) -> list[Finding] | None:
    return _each_font(
        ctx,
        lambda u: _subtype(u.font) == "Type0" and isinstance(_cmap(u), pikepdf.Name),
        lambda u: (
            None
            if name_of(_cmap(u)) in PREDEFINED_CMAPS
            else f"The CMap {name_of(_cmap(u))} is neither predefined nor embedded."
        ),
    )


def _cmap_text(cmap: pikepdf.Stream) -> bytes:
    try:
        return bytes(cmap.read_bytes()[:MAX_CMAP_BYTES])
    except pikepdf.PdfError:
        return b""


@pdfua(
    "7.21.3.3-2",
    "ua.cmap-wmode",
    "Embedded CMaps agree on WMode",
    "Inbäddade CMaps har samma WMode",
    wcag=(),
    matterhorn=("31-004",),
)
def cmap_wmode(ctx: Context) -> list[Finding] | None:
    def bad(u: FontUse) -> str | None:
        cmap = _cmap(u)
        match = re.search(rb"/WMode\s+(\d+)\s+def", _cmap_text(cmap))
        stream_value = int(match.group(1)) if match else 0
        dict_value = cmap.get("/WMode")
        dict_value = dict_value if isinstance(dict_value, int) else 0
        return (
            None
            if stream_value == dict_value
            else "The CMap's WMode differs between dictionary and stream."
        )

    return _each_font(ctx, lambda u: isinstance(_cmap(u), pikepdf.Stream), bad)


@pdfua(
    "7.21.3.3-3",
    "ua.cmap-usecmap",
    "CMaps reference only predefined CMaps",
    "CMaps refererar bara till fördefinierade CMaps",
    wcag=(),
    matterhorn=("31-005",),
)
def cmap_usecmap(ctx: Context) -> list[Finding] | None:
    def bad(u: FontUse) -> str | None:
        cmap = _cmap(u)
        used = cmap.get("/UseCMap")
        names = [name_of(used)] if isinstance(used, pikepdf.Name) else []
        if isinstance(used, pikepdf.Stream):
            return "The CMap uses another embedded CMap."
        names += [
            m.decode("latin-1")
            for m in re.findall(rb"/([^\s/\[\]<>()]+)\s+usecmap", _cmap_text(cmap))
        ]
        wrong = [n for n in names if n not in PREDEFINED_CMAPS]
        return f"The CMap uses the non-standard CMap {wrong[0]}." if wrong else None

    return _each_font(ctx, lambda u: isinstance(_cmap(u), pikepdf.Stream), bad)


@pdfua(
    "7.21.6-2",
    "ua.truetype-nonsymbolic-encoding",
    "Non-symbolic TrueType encodings",
    "Kodning för icke-symboliska TrueType-typsnitt",
    wcag=("1.1.1",),
    matterhorn=("31-013",),
)
def truetype_nonsymbolic(ctx: Context) -> list[Finding] | None:
    def bad(u: FontUse) -> str | None:
        if _base_encoding(u.font) not in ("MacRomanEncoding", "WinAnsiEncoding"):
            return f"The non-symbolic TrueType font {_font_name(u.font)} has neither MacRoman nor WinAnsi encoding."
        wrong = [
            n for n in _differences(u.font).values() if not _name_has_unicode(n) and n != ".notdef"
        ]
        return (
            f"The encoding of {_font_name(u.font)} uses non-standard glyph names ({wrong[0]})."
            if wrong
            else None
        )

    return _each_font(ctx, lambda u: _subtype(u.font) == "TrueType" and not _symbolic(u.font), bad)


@pdfua(
    "7.21.6-3",
    "ua.truetype-symbolic-encoding",
    "Symbolic TrueType fonts have no Encoding",
    "Symboliska TrueType-typsnitt saknar Encoding",
    wcag=("1.1.1",),
    matterhorn=("31-016",),
)
def truetype_symbolic(ctx: Context) -> list[Finding] | None:
    return _each_font(
        ctx,
        lambda u: _subtype(u.font) == "TrueType" and _symbolic(u.font),
        lambda u: (
            f"The symbolic TrueType font {_font_name(u.font)} has an Encoding."
            if "/Encoding" in u.font
            else None
        ),
    )


def _unmapped(u: FontUse) -> list[bytes]:
    """Codes shown with the font whose Unicode value the PDF does not define."""
    font = u.font
    to_unicode = _to_unicode(font) or {}
    subtype = _subtype(font)
    missing: list[bytes] = []
    if subtype == "Type0":
        d = _descendant(font)
        info = _cid_info(d.get("/CIDSystemInfo")) if d is not None else None
        if info is not None and info[0] == "Adobe" and info[1] in CJK_ORDERINGS:
            return []
        if not isinstance(_cmap(u), pikepdf.Name) or name_of(_cmap(u)) not in (
            "Identity-H",
            "Identity-V",
        ):
            return []  # codes were not split (see content.split_codes): nothing to judge
        return [c for c in _codes(u) if c not in to_unicode]
    if subtype not in SIMPLE:
        return []
    for code in _codes(u):
        if code in to_unicode:
            continue
        name = _glyph_name(font, code[0])
        if name is None:
            if font.get("/ToUnicode") is None and subtype == "Type3":
                missing.append(code)
            continue  # decided by the font program's built-in encoding: not judged
        if not _name_has_unicode(name):
            missing.append(code)
    return missing


@pdfua(
    "7.21.7-1",
    "ua.glyph-unicode",
    "Every glyph maps to Unicode",
    "Varje tecken har en Unicode-mappning",
    wcag=("1.1.1", "1.3.1"),
    matterhorn=("31-006",),
)
def glyph_unicode(ctx: Context) -> list[Finding] | None:
    def bad(u: FontUse) -> str | None:
        missing = _unmapped(u)
        return (
            f"{len(missing)} character code(s) of {_font_name(u.font)} have no Unicode value."
            if missing
            else None
        )

    return _each_font(ctx, lambda u: bool(u.codes), bad)


@pdfua(
    "7.21.7-2",
    "ua.glyph-unicode-valid",
    "Unicode values are valid",
    "Unicode-värden är giltiga",
    wcag=("1.1.1",),
    matterhorn=("31-007",),
)
def glyph_unicode_valid(ctx: Context) -> list[Finding] | None:
    def bad(u: FontUse) -> str | None:
        mapping = _to_unicode(u.font)
        if mapping is None:
            return None
        wrong = [
            c
            for c in u.codes
            if c in mapping and any(ch in mapping[c] for ch in ("\x00", "\ufeff", "\ufffe"))
        ]
        return (
            f"The ToUnicode map of {_font_name(u.font)} maps used codes to U+0000, U+FEFF or U+FFFE."
            if wrong
            else None
        )

    return _each_font(
        ctx, lambda u: bool(u.codes) and isinstance(u.font.get("/ToUnicode"), pikepdf.Stream), bad
    )


@pdfua(
    "7.21.8-1",
    "ua.no-notdef",
    "No .notdef glyphs are used",
    "Inga .notdef-tecken används",
    wcag=("1.1.1",),
    matterhorn=("31-030",),
)
def no_notdef(ctx: Context) -> list[Finding] | None:
    def bad(u: FontUse) -> str | None:
        diffs = _differences(u.font)
        hits = [c for c in u.codes if len(c) == 1 and diffs.get(c[0]) == ".notdef"]
        if _subtype(u.font) == "Type0" and name_of(_cmap(u)) in ("Identity-H", "Identity-V"):
            # With an Identity CMap the code is the CID, and CID 0 is always .notdef.
            hits += [c for c in u.codes if c == b"\x00\x00" and _cid_zero_is_notdef(u.font)]
        return f"Text uses the .notdef glyph of {_font_name(u.font)}." if hits else None

    return _each_font(ctx, lambda u: bool(u.codes) and _subtype(u.font) in SIMPLE | {"Type0"}, bad)


def _cid_zero_is_notdef(font: pikepdf.Dictionary) -> bool:
    d = _descendant(font)
    if d is None:
        return False
    gid_map = d.get("/CIDToGIDMap")
    if name_of(d.get("/Subtype")) == "CIDFontType2" and isinstance(gid_map, pikepdf.Stream):
        try:
            head = bytes(gid_map.read_bytes()[:2])
        except pikepdf.PdfError:
            return False
        return head == b"\x00\x00"
    return True
