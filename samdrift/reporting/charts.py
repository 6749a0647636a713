"""The report's charts as inline SVG, the same markup on the page and in the PDF.

Each chart is `role="img"` with a `<title>` that states every number the chart shows: screen
readers read it on the page, and WeasyPrint writes it as the PDF Figure's /Alt (ADR 0504). The
numbers are also in a data table next to the chart, and every bar carries its value as text, so
nothing is told by colour alone. Colours have at least 3:1 contrast against white.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SERIES_COLOURS = ("#0b4f8a", "#7a3e00")
INK = "#1b1e23"
GRID = "#6b7280"
FONT = 'font-family="Liberation Sans, DejaVu Sans, sans-serif"'


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: int = 12,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f'font-weight="{weight}" {FONT}>{escape(text)}</text>'
    )


def _open(chart_id: str, width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{chart_id}-title" '
        f'id="{chart_id}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
    )


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    parts = []
    for index, item in enumerate(series):
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{SERIES_COLOURS[index]}"/>'
        )
        parts.append(_text(x + 18, y, item.label))
        x += 30 + 7.2 * len(item.label)
    return parts


def stacked_columns(
    *,
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    width: int = 640,
    height: int = 300,
) -> SafeString:
    """Columns per category, stacked by series, each segment labelled with its value."""
    left, right, top, bottom = 40, 10, 40, 40
    plot_h = height - top - bottom
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    peak = max([1, *totals])
    slot = (width - left - right) / max(1, len(categories))
    bar_w = min(80.0, slot * 0.6)
    parts = [_open(chart_id, width, height, title)]
    parts += _legend(series, left, 18)
    baseline = top + plot_h
    parts.append(
        f'<line x1="{left}" y1="{baseline}" x2="{width - right}" y2="{baseline}" stroke="{GRID}"/>'
    )
    for i, category in enumerate(categories):
        x = left + slot * i + (slot - bar_w) / 2
        y = float(baseline)
        for s_index, item in enumerate(series):
            value = item.values[i]
            if not value:
                continue
            h = plot_h * value / peak
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{SERIES_COLOURS[s_index]}" stroke="#ffffff" stroke-width="1"/>'
            )
            if h >= 16:
                parts.append(
                    _text(
                        x + bar_w / 2,
                        y + h / 2 + 4,
                        str(value),
                        anchor="middle",
                        fill="#ffffff",
                        weight="bold",
                    )
                )
        parts.append(_text(x + bar_w / 2, y - 6, str(totals[i]), anchor="middle", weight="bold"))
        parts.append(_text(x + bar_w / 2, baseline + 18, category, anchor="middle"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it went through escape()


def grouped_bars(
    *,
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    width: int = 640,
) -> SafeString:
    """Horizontal bars per category, one bar per series, each with its value at the end."""
    label_w, right, top, bar_h, gap = 190, 40, 34, 11, 9
    group_h = bar_h * len(series) + gap
    height = top + group_h * len(categories) + 10
    peak = max([1, *(v for s in series for v in s.values)])
    plot_w = width - label_w - right
    parts = [_open(chart_id, width, height, title)]
    parts += _legend(series, label_w, 16)
    parts.append(
        f'<line x1="{label_w}" y1="{top - 4}" x2="{label_w}" y2="{height - 8}" stroke="{GRID}"/>'
    )
    for i, category in enumerate(categories):
        y = top + group_h * i
        parts.append(_text(label_w - 8, y + bar_h * len(series) / 2 + 4, category, anchor="end"))
        for s_index, item in enumerate(series):
            value = item.values[i]
            w = plot_w * value / peak
            by = y + bar_h * s_index
            if value:
                parts.append(
                    f'<rect x="{label_w}" y="{by:.1f}" width="{w:.1f}" height="{bar_h - 1}" '
                    f'fill="{SERIES_COLOURS[s_index]}"/>'
                )
            parts.append(_text(label_w + w + 4, by + bar_h - 2, str(value), size=10))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it went through escape()
