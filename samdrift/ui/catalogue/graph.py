"""The dependency graph as a picture: a small layered layout drawn as SVG on the server.

No script, no library: each service sits in the column of its longest chain of dependencies
(a service that needs nothing in the first column, SAFOS right of EFOS), rows by catalogue order
within a column, and each dependency is an arrow from the service to what it needs. The picture
is `role="img"` with a title and a description; the page shows the same edges as a table beside
it (the text alternative, WCAG 1.1.1). The graph has no cycles (`catalogue.services` refuses
them), so the layering ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BOX_W, BOX_H = 132, 34
COL_GAP, ROW_GAP = 64, 18
PAD = 12
INK = "#1b1b1b"  # 16.7:1 on white
LINE = "#41546b"  # 7.6:1 on white
FILL = "#ffffff"
DRAFT_FILL = "#fff4d6"  # drafts and retiring services: text stays #1b1b1b (≥ 14:1)


@dataclass(frozen=True)
class Node:
    code: str
    label: str
    muted: bool = False  # a draft or a retiring service, drawn on a tinted box


def layers(nodes: Sequence[Node], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Column of each node: 0 for one that depends on nothing, else one right of the furthest
    of its dependencies. Assumes no cycle."""
    needs: dict[str, list[str]] = {node.code: [] for node in nodes}
    for source, target in edges:
        needs.setdefault(source, []).append(target)
        needs.setdefault(target, [])
    column: dict[str, int] = {}

    def place(code: str, seen: frozenset[str]) -> int:
        if code in column:
            return column[code]
        if code in seen:  # a cycle would be a bug upstream; draw it flat rather than loop
            return 0
        deps = needs.get(code, [])
        column[code] = 1 + max((place(d, seen | {code}) for d in deps), default=-1)
        return column[code]

    for code in needs:
        place(code, frozenset())
    return column


def dependency_svg(
    nodes: Sequence[Node], edges: Sequence[tuple[str, str]], *, title: str, description: str
) -> SafeString:
    """The SVG markup (safe: every text is escaped here)."""
    column = layers(nodes, edges)
    known = {node.code: node for node in nodes}
    rows: dict[int, list[str]] = {}
    for node in nodes:
        rows.setdefault(column[node.code], []).append(node.code)
    position: dict[str, tuple[float, float]] = {}
    for col, codes in rows.items():
        for row, code in enumerate(codes):
            position[code] = (PAD + col * (BOX_W + COL_GAP), PAD + row * (BOX_H + ROW_GAP))
    width = PAD * 2 + (max(rows, default=0) + 1) * (BOX_W + COL_GAP) - COL_GAP
    height = PAD * 2 + max((len(c) for c in rows.values()), default=1) * (BOX_H + ROW_GAP)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dependency-graph" role="img" '
        f'aria-labelledby="graph-title graph-desc" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">',
        f'<title id="graph-title">{escape(title)}</title>',
        f'<desc id="graph-desc">{escape(description)}</desc>',
        '<defs><marker id="graph-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{LINE}"/></marker></defs>',
    ]
    for source, target in edges:
        if source not in position or target not in position:
            continue
        sx, sy = position[source]
        tx, ty = position[target]
        # From the left edge of the service to the right edge of what it needs.
        parts.append(
            f'<line x1="{sx:g}" y1="{sy + BOX_H / 2:g}" x2="{tx + BOX_W:g}" '
            f'y2="{ty + BOX_H / 2:g}" stroke="{LINE}" stroke-width="1.5" '
            'marker-end="url(#graph-arrow)"/>'
        )
    for code, (x, y) in position.items():
        node = known.get(code, Node(code, code))
        fill = DRAFT_FILL if node.muted else FILL
        parts.append(
            f'<g><rect x="{x:g}" y="{y:g}" width="{BOX_W}" height="{BOX_H}" rx="4" '
            f'fill="{fill}" stroke="{INK}"/>'
            f'<text x="{x + BOX_W / 2:g}" y="{y + BOX_H / 2 + 5:g}" text-anchor="middle" '
            f'font-size="14" fill="{INK}">{escape(node.code)}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
