"""PDF/UA-1 rules over the structure tree: role map, parent–child, alt texts, headings, tables."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cached_property

import pikepdf

from samdrift.accessibility.engine.document import (
    HEADINGS_N,
    STANDARD_TYPES,
    Document,
    Element,
    as_list,
    text_of,
)
from samdrift.accessibility.engine.results import Finding

from .registry import Context, element_finding, pdfua

MAX_GRID_SLOTS = 250_000  # a real table is far smaller; beyond this a table is not laid out
LANG_RE = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")


def _each(
    ctx: Context, types: Iterable[str], bad: Callable[[Element], str | None]
) -> list[Finding] | None:
    wanted = set(types)
    out: list[Finding] = []
    seen = False
    for element in ctx.doc.elements:
        if element.std in wanted:
            seen = True
            message = bad(element)
            if message:
                out.append(element_finding(ctx.doc, element, message))
    return out if seen else None


def _types_check(
    types: list[str], bad: Callable[[Element], str | None]
) -> Callable[[Context], list[Finding] | None]:
    return lambda ctx: _each(ctx, types, bad)


def _parent_in(allowed: set[str], what: str) -> Callable[[Element], str | None]:
    def bad(e: Element) -> str | None:
        if e.parent_std in allowed:
            return None
        where = e.parent_std or (e.parent.raw if e.parent else "the structure root")
        return f"{e.std} ({e.raw}) is inside {where}, not {what}."

    return bad


def _kids_only(allowed: set[str], what: str) -> Callable[[Element], str | None]:
    def bad(e: Element) -> str | None:
        wrong = [t for t in e.kid_types() if t not in allowed]
        return (
            f"{e.std} contains {', '.join(sorted(set(wrong)))}; only {what} are allowed."
            if wrong
            else None
        )

    return bad


def _count_kids(kind: str, limit: int) -> Callable[[Element], str | None]:
    def bad(e: Element) -> str | None:
        n = e.kid_types().count(kind)
        return f"{e.std} has {n} {kind} children (at most {limit})." if n > limit else None

    return bad


# ---- role map (7.1-5, 7.1-6, 7.1-7) -------------------------------------------------------


@pdfua(
    "7.1-5",
    "ua.role-map-standard",
    "Non-standard types map to standard types",
    "Egna taggtyper mappas till standardtyper",
    matterhorn=("02-001",),
)
def role_map_standard(ctx: Context) -> list[Finding] | None:
    if not ctx.doc.elements:
        return None
    return [
        element_finding(ctx.doc, e, f"The type {e.raw} is not mapped to a standard type.")
        for e in ctx.doc.elements
        if e.std is None and not ctx.doc.resolve(e.raw)[1]
    ]


@pdfua(
    "7.1-6",
    "ua.role-map-cycle",
    "No circular role mapping",
    "Ingen cirkulär rollmappning",
    matterhorn=("02-003",),
)
def role_map_cycle(ctx: Context) -> list[Finding] | None:
    if not ctx.doc.elements:
        return None
    return [
        element_finding(ctx.doc, e, f"The type {e.raw} is mapped in a circle.")
        for e in ctx.doc.elements
        if ctx.doc.resolve(e.raw)[1]
    ]


@pdfua(
    "7.1-7",
    "ua.role-map-no-standard",
    "Standard types are not remapped",
    "Standardtyper mappas inte om",
    matterhorn=("02-004",),
)
def role_map_remapped(ctx: Context) -> list[Finding] | None:
    if not ctx.doc.elements:
        return None
    used = {e.raw for e in ctx.doc.elements}
    return [
        Finding(f"The standard type {raw} is remapped to {ctx.doc.role_map[raw]}.")
        for raw in sorted(used)
        if raw in STANDARD_TYPES and raw in ctx.doc.role_map
    ]


@pdfua("7.1-12", "ua.struct-parent-key", "Structure elements have P", "Strukturelement har P")
def parent_key(ctx: Context) -> list[Finding] | None:
    if not ctx.doc.elements:
        return None
    return [
        element_finding(ctx.doc, e, f"The {e.raw} element has no P (parent) entry.")
        for e in ctx.doc.elements
        if "/P" not in e.obj
    ]


# ---- tables (7.2-3 … 7.2-14, 7.2-36 … 7.2-43) ---------------------------------------------

TABLE_PARTS = {"TR", "THead", "TBody", "TFoot", "Caption"}
_TABLE_PARENT = {"Table", "THead", "TBody", "TFoot"}

pdfua(
    "7.2-3",
    "ua.table-kids",
    "Table contains only TR, THead, TBody, TFoot, Caption",
    "Table innehåller bara TR, THead, TBody, TFoot, Caption",
    matterhorn=("09-004",),
)(lambda ctx: _each(ctx, ["Table"], _kids_only(TABLE_PARTS, "TR, THead, TBody, TFoot, Caption")))
pdfua(
    "7.2-4",
    "ua.tr-parent",
    "TR is inside Table, THead, TBody or TFoot",
    "TR ligger i Table, THead, TBody eller TFoot",
    matterhorn=("09-004",),
)(lambda ctx: _each(ctx, ["TR"], _parent_in(_TABLE_PARENT, "Table, THead, TBody or TFoot")))
for _vid, _t in (("7.2-5", "THead"), ("7.2-6", "TBody"), ("7.2-7", "TFoot")):
    pdfua(
        _vid,
        f"ua.{_t.lower()}-parent",
        f"{_t} is inside Table",
        f"{_t} ligger i Table",
        matterhorn=("09-004",),
    )(_types_check([_t], _parent_in({"Table"}, "Table")))
pdfua("7.2-8", "ua.th-parent", "TH is inside TR", "TH ligger i TR", matterhorn=("09-004",))(
    lambda ctx: _each(ctx, ["TH"], _parent_in({"TR"}, "TR"))
)
pdfua("7.2-9", "ua.td-parent", "TD is inside TR", "TD ligger i TR", matterhorn=("09-004",))(
    lambda ctx: _each(ctx, ["TD"], _parent_in({"TR"}, "TR"))
)
pdfua(
    "7.2-10",
    "ua.tr-kids",
    "TR contains only TH and TD",
    "TR innehåller bara TH och TD",
    matterhorn=("09-004",),
)(lambda ctx: _each(ctx, ["TR"], _kids_only({"TH", "TD"}, "TH, TD")))
pdfua(
    "7.2-11", "ua.table-one-thead", "At most one THead", "Högst en THead", matterhorn=("09-004",)
)(lambda ctx: _each(ctx, ["Table"], _count_kids("THead", 1)))
pdfua(
    "7.2-12", "ua.table-one-tfoot", "At most one TFoot", "Högst en TFoot", matterhorn=("09-004",)
)(lambda ctx: _each(ctx, ["Table"], _count_kids("TFoot", 1)))


def _needs_tbody(part: str) -> Callable[[Element], str | None]:
    def bad(e: Element) -> str | None:
        kinds = e.kid_types()
        if part in kinds and "TBody" not in kinds:
            return f"The table has a {part} but no TBody."
        return None

    return bad


pdfua(
    "7.2-13",
    "ua.tfoot-needs-tbody",
    "A TFoot needs a TBody",
    "TFoot kräver TBody",
    matterhorn=("09-004",),
)(lambda ctx: _each(ctx, ["Table"], _needs_tbody("TFoot")))
pdfua(
    "7.2-14",
    "ua.thead-needs-tbody",
    "A THead needs a TBody",
    "THead kräver TBody",
    matterhorn=("09-004",),
)(lambda ctx: _each(ctx, ["Table"], _needs_tbody("THead")))
for _vid, _t in (("7.2-36", "THead"), ("7.2-37", "TBody"), ("7.2-38", "TFoot")):
    pdfua(
        _vid,
        f"ua.{_t.lower()}-kids",
        f"{_t} contains only TR",
        f"{_t} innehåller bara TR",
        matterhorn=("09-004",),
    )(_types_check([_t], _kids_only({"TR"}, "TR")))


def _caption_position(e: Element) -> str | None:
    kinds = e.kid_types()
    if "Caption" in kinds[1:-1]:
        return f"The {e.std}'s Caption is neither its first nor its last child."
    return None


pdfua(
    "7.2-16",
    "ua.table-caption-position",
    "Table Caption is first or last",
    "Tabellens Caption är först eller sist",
    matterhorn=("09-004",),
)(lambda ctx: _each(ctx, ["Table"], _caption_position))
pdfua(
    "7.2-39",
    "ua.table-one-caption",
    "At most one Caption in a Table",
    "Högst en Caption i en tabell",
    matterhorn=("09-004",),
)(lambda ctx: _each(ctx, ["Table"], _count_kids("Caption", 1)))


def _caption_first(e: Element) -> str | None:
    if "Caption" in e.kid_types()[1:]:
        return f"The {e.std}'s Caption is not its first child."
    return None


# ---- lists and TOC (7.2-17 … 7.2-20, 7.2-26 … 7.2-28, 7.2-40) ----------------------------

pdfua("7.2-17", "ua.li-parent", "LI is inside L", "LI ligger i L", matterhorn=("09-005",))(
    lambda ctx: _each(ctx, ["LI"], _parent_in({"L"}, "L"))
)
pdfua(
    "7.2-18", "ua.lbody-parent", "LBody is inside LI", "LBody ligger i LI", matterhorn=("09-005",)
)(lambda ctx: _each(ctx, ["LBody"], _parent_in({"LI"}, "LI")))
pdfua(
    "7.2-19",
    "ua.l-kids",
    "L contains only L, LI and Caption",
    "L innehåller bara L, LI och Caption",
    matterhorn=("09-005",),
)(lambda ctx: _each(ctx, ["L"], _kids_only({"L", "LI", "Caption"}, "L, LI, Caption")))
pdfua(
    "7.2-20",
    "ua.li-kids",
    "LI contains only Lbl and LBody",
    "LI innehåller bara Lbl och LBody",
    matterhorn=("09-005",),
)(lambda ctx: _each(ctx, ["LI"], _kids_only({"Lbl", "LBody"}, "Lbl, LBody")))
pdfua(
    "7.2-40",
    "ua.l-caption-first",
    "List Caption only first",
    "Listans Caption bara först",
    matterhorn=("09-005",),
)(lambda ctx: _each(ctx, ["L"], _caption_first))
pdfua(
    "7.2-26", "ua.toci-parent", "TOCI is inside TOC", "TOCI ligger i TOC", matterhorn=("09-006",)
)(lambda ctx: _each(ctx, ["TOCI"], _parent_in({"TOC"}, "TOC")))
pdfua(
    "7.2-27",
    "ua.toc-kids",
    "TOC contains only TOC, TOCI and Caption",
    "TOC innehåller bara TOC, TOCI och Caption",
    matterhorn=("09-007",),
)(lambda ctx: _each(ctx, ["TOC"], _kids_only({"TOC", "TOCI", "Caption"}, "TOC, TOCI, Caption")))
pdfua(
    "7.2-28",
    "ua.toc-caption-first",
    "TOC Caption only first",
    "Innehållsförteckningens Caption bara först",
    matterhorn=("09-007",),
)(lambda ctx: _each(ctx, ["TOC"], _caption_first))


# ---- text alternatives (7.3-1, 7.7-1) and notes (7.9) ------------------------------------


def _alternative(e: Element) -> str | None:
    alt = e.get_text("Alt")
    if alt or e.has("ActualText"):
        return None
    return f"The {e.raw} has no alternative text (Alt or ActualText)."


pdfua(
    "7.3-1",
    "ua.figure-alt",
    "Figures have alternative text",
    "Figurer har alternativ text",
    wcag=("1.1.1",),
    matterhorn=("13-004",),
)(lambda ctx: _each(ctx, ["Figure"], _alternative))
pdfua(
    "7.7-1",
    "ua.formula-alt",
    "Formulas have alternative text",
    "Formler har alternativ text",
    wcag=("1.1.1",),
    matterhorn=("17-002",),
)(lambda ctx: _each(ctx, ["Formula"], _alternative))


def _note_id(e: Element) -> str | None:
    return None if e.get_text("ID") else "The Note has no ID."


pdfua("7.9-1", "ua.note-id", "Notes have an ID", "Fotnoter har ID", matterhorn=("19-003",))(
    lambda ctx: _each(ctx, ["Note"], _note_id)
)


@pdfua(
    "7.9-2",
    "ua.note-id-unique",
    "Note IDs are unique",
    "Fotnoters ID är unika",
    matterhorn=("19-004",),
)
def note_id_unique(ctx: Context) -> list[Finding] | None:
    notes = list(ctx.doc.of_type("Note"))
    if not notes:
        return None
    seen: dict[str, int] = {}
    for note in notes:
        value = note.get_text("ID")
        if value:
            seen[value] = seen.get(value, 0) + 1
    return [
        element_finding(ctx.doc, n, f"The Note ID {n.get_text('ID')!r} is used more than once.")
        for n in notes
        if seen.get(n.get_text("ID") or "", 0) > 1
    ]


# ---- headings (7.4.2-1, 7.4.4-1 … 3) -----------------------------------------------------


@pdfua(
    "7.4.2-1",
    "ua.heading-nesting",
    "Headings are nested correctly",
    "Rubriker är korrekt kapslade",
    wcag=("1.3.1", "2.4.6"),
    matterhorn=("14-002", "14-003"),
)
def heading_nesting(ctx: Context) -> list[Finding] | None:
    headings = [e for e in ctx.doc.elements if e.std in HEADINGS_N]
    if not headings:
        return None
    out: list[Finding] = []
    previous = 0
    for heading in headings:
        level = int(heading.std[1])  # type: ignore[index]
        if level > previous + 1:
            expected = "H1" if previous == 0 else f"H{previous + 1} or lower"
            out.append(
                element_finding(
                    ctx.doc,
                    heading,
                    f"{heading.std} follows H{previous or '–'}; expected {expected}.",
                )
            )
        previous = level
    return out


pdfua(
    "7.4.4-1",
    "ua.one-h-per-node",
    "At most one H per node",
    "Högst en H per nod",
    matterhorn=("14-006",),
)(
    lambda ctx: (
        [
            element_finding(ctx.doc, e, f"The {e.raw} has more than one H child.")
            for e in ctx.doc.elements
            if e.kid_types().count("H") > 1
        ]
        if ctx.doc.elements
        else None
    )
)


def _mixed(
    own: set[str], other: set[str], message: str
) -> Callable[[Context], list[Finding] | None]:
    def check(ctx: Context) -> list[Finding] | None:
        mine = [e for e in ctx.doc.elements if e.std in own]
        if not mine:
            return None
        if not any(e.std in other for e in ctx.doc.elements):
            return []
        return [element_finding(ctx.doc, e, message) for e in mine]

    return check


pdfua(
    "7.4.4-2",
    "ua.h-not-with-hn",
    "H is not mixed with H1–H6",
    "H blandas inte med H1–H6",
    matterhorn=("14-007",),
)(_mixed({"H"}, set(HEADINGS_N), "H is used in a document that also uses H1–H6."))
pdfua(
    "7.4.4-3",
    "ua.hn-not-with-h",
    "H1–H6 are not mixed with H",
    "H1–H6 blandas inte med H",
    matterhorn=("14-007",),
)(_mixed(set(HEADINGS_N), {"H"}, "H1–H6 is used in a document that also uses H."))


# ---- natural language (7.2-21 … 7.2-23, 7.2-29) ------------------------------------------


def _lang_for(key: str) -> Callable[[Context], list[Finding] | None]:
    def check(ctx: Context) -> list[Finding] | None:
        owners = [e for e in ctx.doc.elements if e.has(key)]
        if not owners:
            return None
        if ctx.doc.has_catalog_lang:
            return []
        return [
            element_finding(ctx.doc, e, f"The language of the {key} text of {e.raw} is not set.")
            for e in owners
            if not e.inherited_lang()
        ]

    return check


pdfua(
    "7.2-21",
    "ua.lang-actualtext",
    "Language of ActualText",
    "Språk för ActualText",
    wcag=("3.1.1", "3.1.2"),
    matterhorn=("11-004",),
)(_lang_for("ActualText"))
pdfua(
    "7.2-22",
    "ua.lang-alt",
    "Language of Alt",
    "Språk för Alt",
    wcag=("3.1.1", "3.1.2"),
    matterhorn=("11-005",),
)(_lang_for("Alt"))
pdfua(
    "7.2-23",
    "ua.lang-e",
    "Language of expansions (E)",
    "Språk för expansioner (E)",
    wcag=("3.1.1", "3.1.2"),
    matterhorn=("11-006",),
)(_lang_for("E"))


def lang_values(doc: Document) -> list[tuple[str, Finding]]:
    """Every Lang value in the catalog and the structure elements, with where it is."""
    values: list[tuple[str, Finding]] = []
    lang = doc.root.get("/Lang")
    if lang is not None:
        values.append((text_of(lang) or "", Finding("in the catalog")))
    values.extend(
        (text_of(e.obj.get("/Lang")) or "", element_finding(doc, e, f"on {e.raw}"))
        for e in doc.elements
        if "/Lang" in e.obj
    )
    return values


@pdfua(
    "7.2-29",
    "ua.lang-valid",
    "Language tags are valid",
    "Språkkoder är giltiga",
    wcag=("3.1.1", "3.1.2"),
    matterhorn=("11-006",),
)
def lang_valid(ctx: Context) -> list[Finding] | None:
    values = lang_values(ctx.doc)
    values += [(v, Finding("in marked content", p + 1)) for p, v in ctx.content.property_langs]
    if not values:
        return None
    return [
        Finding(f"The language tag {value!r} {where.message} is not valid.", where.page, where.obj)
        for value, where in values
        if not LANG_RE.match(value)
    ]


# ---- table headers (7.5-1, 7.5-2) and regularity (7.2-41 … 7.2-43) -----------------------


class TableGrid:
    """The cells of one Table laid on a grid, spans respected (ISO 32000-1, 14.8.4.3.4)."""

    def __init__(self, table: Element) -> None:
        self.rows: list[Element] = []
        for kid in table.kids:
            if kid.std == "TR":
                self.rows.append(kid)
            elif kid.std in ("THead", "TBody", "TFoot"):
                self.rows.extend(k for k in kid.kids if k.std == "TR")
        self.cells: list[tuple[Element, int, int, int, int]] = []  # cell, row, col, rows, cols
        self.taken: dict[tuple[int, int], Element] = {}
        self.overflow_rows = False
        self.intersections: list[Element] = []
        self.too_large = False
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row.kids:
                if cell.std not in ("TH", "TD"):
                    continue
                while (r, c) in self.taken:
                    c += 1
                rs, cs = _span(cell, "RowSpan"), _span(cell, "ColSpan")
                if r + rs > len(self.rows):
                    self.overflow_rows = True
                # Lay out only the rows that exist: a hostile RowSpan must not fill memory.
                rs = min(rs, len(self.rows) - r)
                self.cells.append((cell, r, c, rs, cs))
                if len(self.taken) + rs * cs > MAX_GRID_SLOTS:
                    self.too_large = True  # hostile spans: the layout rules skip this table
                    self.cells, self.taken, self.intersections = [], {}, []
                    return
                for dr in range(rs):
                    for dc in range(cs):
                        if (r + dr, c + dc) in self.taken and cell not in self.intersections:
                            self.intersections.append(cell)
                        self.taken[(r + dr, c + dc)] = cell
                c += cs

    @cached_property
    def widths(self) -> list[int]:
        widths = [0] * len(self.rows)
        for r, c in self.taken:
            if r < len(widths):
                widths[r] = max(widths[r], c + 1)
        return widths

    def has_gaps(self) -> bool:
        widths = self.widths
        width = max(widths, default=0)
        return any((r, c) not in self.taken for r in range(len(self.rows)) for c in range(width))


def _span(cell: Element, key: str) -> int:
    value = cell.attribute("Table", key)
    return value if isinstance(value, int) and 0 < value < 1000 else 1


def _tables(ctx: Context) -> list[tuple[Element, TableGrid]]:
    if "tables" not in ctx.cache:
        ctx.cache["tables"] = [(t, TableGrid(t)) for t in ctx.doc.of_type("Table")]
    tables: list[tuple[Element, TableGrid]] = ctx.cache["tables"]
    return tables


@pdfua(
    "7.2-15",
    "ua.table-cells-disjoint",
    "Table cells do not overlap",
    "Tabellceller överlappar inte",
    matterhorn=("15-005",),
)
def table_cells_disjoint(ctx: Context) -> list[Finding] | None:
    tables = _tables(ctx)
    if not tables:
        return None
    return [
        element_finding(ctx.doc, cell, "The cell overlaps another cell (row and column spans).")
        for _table, grid in tables
        for cell in grid.intersections
    ]


@pdfua(
    "7.2-41",
    "ua.table-column-rows",
    "Columns have the same number of rows",
    "Kolumner har lika många rader",
    matterhorn=("15-005",),
)
def table_column_rows(ctx: Context) -> list[Finding] | None:
    tables = _tables(ctx)
    if not tables:
        return None
    return [
        element_finding(ctx.doc, t, "A row span reaches past the last row of the table.")
        for t, grid in tables
        if grid.overflow_rows
    ]


def _row_width_problems(grid: TableGrid) -> tuple[bool, bool]:
    """(rows differ without any column span, rows differ with a column span involved)."""
    widths = grid.widths
    if len(set(widths)) <= 1:
        return False, False
    spans = any(cs > 1 for _, _, _, _, cs in grid.cells)
    return (not spans, spans)


@pdfua(
    "7.2-42",
    "ua.table-row-columns",
    "Rows have the same number of columns",
    "Rader har lika många kolumner",
    matterhorn=("15-005",),
)
def table_row_columns(ctx: Context) -> list[Finding] | None:
    tables = _tables(ctx)
    if not tables:
        return None
    return [
        element_finding(ctx.doc, t, "The rows of the table have different numbers of columns.")
        for t, grid in tables
        if _row_width_problems(grid)[0]
    ]


@pdfua(
    "7.2-43",
    "ua.table-column-spans",
    "Column spans add up",
    "Kolumnspann går ihop",
    matterhorn=("15-005",),
)
def table_column_spans(ctx: Context) -> list[Finding] | None:
    tables = _tables(ctx)
    if not tables:
        return None
    return [
        element_finding(ctx.doc, t, "A ColSpan makes the table's rows unequally wide.")
        for t, grid in tables
        if _row_width_problems(grid)[1]
    ]


def _ids(e: Element) -> list[str]:
    value = e.attribute("Table", "Headers")
    return [text_of(v) or "" for v in as_list(value)] if value is not None else []


def _header_problems(ctx: Context) -> tuple[list[Finding], list[Finding], bool]:
    """TD cells without any header: (no connection at all, connection to unknown IDs)."""
    plain: list[Finding] = []
    unknown: list[Finding] = []
    applicable = False
    for _table, grid in _tables(ctx):
        headers = [(cell, r, c, rs, cs) for cell, r, c, rs, cs in grid.cells if cell.std == "TH"]
        if not headers:
            continue  # Acrobat's "Headers" rule reports tables without any TH
        ids = {cell.get_text("ID") for cell, *_ in headers if cell.get_text("ID")}
        unscoped = any(th.attribute("Table", "Scope") is None for th, *_ in headers)
        for cell, r, c, rs, cs in grid.cells:
            if cell.std != "TD" or (not cell.kids and not cell.mcids):
                continue  # empty cells (a table's top-left corner) need no header
            applicable = True
            refs = [i for i in _ids(cell) if i]
            if refs:
                if any(i in ids for i in refs):
                    continue
                missing = [i for i in refs if i not in ids]
                unknown.append(
                    element_finding(
                        ctx.doc, cell, f"The cell's Headers name unknown IDs: {', '.join(missing)}."
                    )
                )
                continue
            if not unscoped or _scoped_header(headers, r, c, rs, cs):
                continue  # every TH has a Scope: the structure is determinable
            plain.append(
                element_finding(
                    ctx.doc,
                    cell,
                    "The cell has no header: TH lacks Scope and the cell lacks Headers.",
                )
            )
    return plain, unknown, applicable


def _scoped_header(
    headers: list[tuple[Element, int, int, int, int]], r: int, c: int, rs: int, cs: int
) -> bool:
    for th, hr, hc, hrs, hcs in headers:
        scope = th.attribute("Table", "Scope")
        scope_name = str(scope)[1:] if isinstance(scope, pikepdf.Name) else None
        same_column = hc < c + cs and c < hc + hcs and hr < r
        same_row = hr < r + rs and r < hr + hrs and hc < c
        if scope_name in ("Column", "Both") and same_column:
            return True
        if scope_name in ("Row", "Both") and same_row:
            return True
    return False


@pdfua(
    "7.5-1",
    "ua.table-headers-scope",
    "Table headers determinable (Scope)",
    "Tabellrubriker kan fastställas (Scope)",
    matterhorn=("15-003",),
)
def table_headers_scope(ctx: Context) -> list[Finding] | None:
    plain, _, applicable = _header_problems(ctx)
    return plain if applicable else None


@pdfua(
    "7.5-2",
    "ua.table-headers-ids",
    "Table headers determinable (Headers/IDs)",
    "Tabellrubriker kan fastställas (Headers/ID)",
    matterhorn=("15-003",),
)
def table_headers_ids(ctx: Context) -> list[Finding] | None:
    _, unknown, applicable = _header_problems(ctx)
    return unknown if applicable else None
