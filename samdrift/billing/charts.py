"""The recovery chart: the accumulated result per year as bars above or below zero.

Inline SVG with a title and a description listing every value; the page always shows the same
figures in a table too, so the chart is never the only way to read them (WCAG 1.1.1, 1.4.1).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .money import round_presentation

POSITIVE, NEGATIVE = "#0b4f8a", "#a4262c"  # both ≥ 3:1 against white (WCAG 1.4.11)


def recovery_chart(points: Sequence[tuple[int, int]]) -> SafeString:
    """`points`: (year, accumulated öre). Values are shown in MSEK."""
    if not points:
        return mark_safe("")
    width, height, left, top, bottom = 640, 260, 70, 30, 40
    values = [value for _year, value in points]
    peak = max(1, *(abs(v) for v in values))
    zero = top + (height - top - bottom) / 2
    scale = (height - top - bottom) / 2 / peak
    step = (width - left - 20) / len(points)
    title = _("Accumulated surplus or deficit per year (MSEK)")
    desc = "; ".join(f"{year}: {round_presentation(value, 100_000_000)}" for year, value in points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="recovery-title recovery-desc" class="chart">',
        f'<title id="recovery-title">{escape(title)}</title><desc id="recovery-desc">{escape(desc)}</desc>',
        f'<line x1="{left}" y1="{zero}" x2="{width - 10}" y2="{zero}" stroke="#1b1e23"/>',
        f'<text x="{left - 6}" y="{zero + 4}" font-size="12" text-anchor="end" fill="#1b1e23">0</text>',
    ]
    for index, (year, value) in enumerate(points):
        x = left + index * step + step * 0.2
        bar = abs(value) * scale
        y = zero - bar if value >= 0 else zero
        colour = POSITIVE if value >= 0 else NEGATIVE
        label_y = y - 4 if value >= 0 else y + bar + 14
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.6:.1f}" height="{bar:.1f}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{x + step * 0.3:.1f}" y="{label_y:.1f}" font-size="12" text-anchor="middle" '
            f'fill="#1b1e23">{round_presentation(value, 100_000_000)}</text>'
        )
        parts.append(
            f'<text x="{x + step * 0.3:.1f}" y="{height - 10}" font-size="12" text-anchor="middle" '
            f'fill="#1b1e23">{year}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text part is escaped or a number
