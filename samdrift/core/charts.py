"""The one inline-SVG chart component: the dashboard, the demand page, billing's recovery chart and
the government report (page and PDF) all draw with it. It lives in core, below every app that
draws (ADR 0006; ADR 0047 moved it down from `ui`); each app keeps its own chart adapters.

Hand-written SVG (no JavaScript, no chart library) so the same markup works in a browser and in
WeasyPrint's tagged PDF (ADR 0504, ADR 0006). Every chart:

- is `role="img"`, named through `aria-labelledby` by its `<title>` and, when given, its `<desc>`.
  WeasyPrint writes only the `<title>` as the PDF Figure's /Alt, so a chart meant for a PDF states
  every number in its title and leaves the description empty;
- prefixes every id with its own `chart_id` (unique by default), so two charts on one page never
  share a `…-title` id;
- prints every value as text at its bar, so nothing is told by colour alone, and refuses series
  colours with less than 3:1 contrast against the white background (WCAG 1.4.11);
- stands next to a data table with the same figures (the templates' job): a chart is never the only
  way to read them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BACKGROUND = "#ffffff"
INK = "#1b1e23"
AXIS = "#6b7280"
# Default series colours, in order; each has more than 6:1 contrast against white.
PALETTE = ("#0b4f8a", "#7a3e00", "#1e6b3a", "#5b2a86")
NEGATIVE = "#a4262c"
MIN_GRAPHIC_CONTRAST = 3.0  # WCAG 1.4.11 non-text contrast
MIN_TEXT_CONTRAST = 4.5  # WCAG 1.4.3, for values printed inside a bar

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_HEX = re.compile(r"#[0-9a-fA-F]{6}\Z")


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG 2 contrast ratio of two `#rrggbb` colours, from 1 to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _luminance(colour: str) -> float:
    if not _HEX.match(colour):
        raise ValueError(f"chart colour {colour!r} is not #rrggbb")
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@dataclass(frozen=True)
class Series:
    """One named series, one value per category. `colour=None` takes the palette colour of the
    series' position; `negative_colour` (optional) paints its values below zero."""

    label: str
    values: Sequence[float]
    colour: str | None = None
    negative_colour: str | None = None

    def __post_init__(self) -> None:
        for colour in (self.colour, self.negative_colour):
            if colour is not None and contrast_ratio(colour, BACKGROUND) < MIN_GRAPHIC_CONTRAST:
                raise ValueError(
                    f"chart colour {colour} has less than {MIN_GRAPHIC_CONTRAST}:1 contrast "
                    f"against {BACKGROUND} (WCAG 1.4.11)"
                )


@dataclass(frozen=True)
class _Painted:
    label: str
    values: Sequence[float]
    colour: str
    negative_colour: str

    def fill(self, value: float) -> str:
        return self.negative_colour if value < 0 else self.colour


@dataclass(frozen=True)
class _Scale:
    """Maps a value onto a pixel position: `low` lands on `start`, `high` on `start + length`."""

    low: float
    high: float
    start: float
    length: float

    def __call__(self, value: float) -> float:
        return self.start + self.length * (value - self.low) / (self.high - self.low)


def _plain(value: float) -> str:
    return str(value)


def _paint(categories: Sequence[str], series: Sequence[Series]) -> list[_Painted]:
    if not series:
        raise ValueError("a chart needs at least one series")
    painted = []
    for index, item in enumerate(series):
        if len(item.values) != len(categories):
            raise ValueError(
                f"series {item.label!r} has {len(item.values)} values for {len(categories)} categories"
            )
        if item.colour is None and index >= len(PALETTE):
            raise ValueError(f"more than {len(PALETTE)} series: give each a colour")
        colour = item.colour or PALETTE[index]
        painted.append(_Painted(item.label, item.values, colour, item.negative_colour or colour))
    return painted


def _extent(values: Iterable[float]) -> tuple[float, float]:
    """The value range a chart shows: always including zero, never empty."""
    listed = list(values)
    low, high = min([0.0, *listed]), max([0.0, *listed])
    return low, (high if high > low else low + 1)


def _checked_id(chart_id: str | None) -> str:
    if chart_id is None:
        return f"chart-{uuid.uuid4().hex[:8]}"
    if not _ID.match(chart_id):
        raise ValueError(
            f"chart id {chart_id!r} must be a letter followed by letters, digits, - or _"
        )
    return chart_id


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: int = 12,
    anchor: str = "start",
    fill: str = INK,
    bold: bool = False,
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"'
        f"{weight}>{escape(text)}</text>"
    )


def _bar(
    x: float, y: float, width: float, height: float, fill: str, *, outline: bool = False
) -> str:
    # Stacked segments get a white outline so adjacent segments stay apart.
    stroke = f' stroke="{BACKGROUND}" stroke-width="1"' if outline else ""
    return (
        f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'fill="{fill}"{stroke}/>'
    )


def _open(
    chart_id: str, width: int, height: int, title: str, description: str, font_family: str | None
) -> list[str]:
    labelled_by = f"{chart_id}-title" + (f" {chart_id}-desc" if description else "")
    font = f' font-family="{escape(font_family)}"' if font_family else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart_id}" role="img" '
        f'aria-labelledby="{labelled_by}" viewBox="0 0 {width} {height}"{font}>',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    if description:
        parts.append(f'<desc id="{chart_id}-desc">{escape(description)}</desc>')
    return parts


def _legend(series: Sequence[_Painted], x: float, y: float) -> list[str]:
    """Swatch and name per series; a single series is named by the chart's title instead."""
    if len(series) < 2:
        return []
    parts = []
    for item in series:
        parts.append(
            f'<rect class="swatch" x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" '
            f'fill="{item.colour}"/>'
        )
        parts.append(_text(x + 18, y, item.label))
        x += 30 + 7.2 * len(item.label)
    return parts


def _label_width(categories: Sequence[str], width: int) -> float:
    """Room left of the bars for the category names (about 6.6 px a character at 12 px)."""
    longest = max([0, *(len(c) for c in categories)])
    return min(width * 0.4, max(60.0, 6.6 * longest + 16))


def _inside_ink(fill: str) -> str | None:
    """A text colour legible on `fill`, or None when neither white nor ink is."""
    for ink in (BACKGROUND, INK):
        if contrast_ratio(fill, ink) >= MIN_TEXT_CONTRAST:
            return ink
    return None


def _close(parts: list[str]) -> SafeString:
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text and attribute went through escape()


def bar_chart(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    chart_id: str | None = None,
    width: int = 640,
    format_value: Callable[[float], str] = _plain,
    font_family: str | None = None,
) -> SafeString:
    """Horizontal bars: a group per category, a bar per series, each value printed at its bar's
    end. Values below zero extend left of the axis.

    `title` and `description` are the text alternative (see the module docstring); `chart_id`
    prefixes the ids (a unique one when None); `font_family` fixes the font (for the PDF),
    otherwise the text takes the page's font.
    """
    painted = _paint(categories, series)
    chart_id = _checked_id(chart_id)
    bar_h, bar_gap, group_gap, value_room = 12, 2, 10, 44
    top = 34 if len(painted) > 1 else 8
    inner_h = len(painted) * (bar_h + bar_gap) - bar_gap
    group_h = inner_h + group_gap
    height = top + group_h * len(categories) + 4
    label_w = _label_width(categories, width)
    low, high = _extent(v for item in painted for v in item.values)
    left = label_w + (value_room if low < 0 else 0)
    scale = _Scale(low, high, left, width - value_room - left)
    zero = scale(0)
    parts = _open(chart_id, width, height, title, description, font_family)
    parts += _legend(painted, label_w, 18)
    parts.append(
        f'<line x1="{zero:.1f}" y1="{top - 4}" x2="{zero:.1f}" y2="{height - 4}" stroke="{AXIS}"/>'
    )
    for i, category in enumerate(categories):
        y = top + group_h * i
        parts.append(_text(label_w - 8, y + inner_h / 2 + 4, category, anchor="end"))
        for s_index, item in enumerate(painted):
            value = item.values[i]
            end = scale(value)
            bar_y = y + s_index * (bar_h + bar_gap)
            parts.append(_bar(min(zero, end), bar_y, abs(end - zero), bar_h, item.fill(value)))
            label_x, anchor = (end + 4, "start") if value >= 0 else (end - 4, "end")
            parts.append(
                _text(label_x, bar_y + bar_h - 2, format_value(value), size=11, anchor=anchor)
            )
    return _close(parts)


def column_chart(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    chart_id: str | None = None,
    stacked: bool = False,
    width: int = 640,
    height: int = 300,
    format_value: Callable[[float], str] = _plain,
    font_family: str | None = None,
) -> SafeString:
    """Vertical columns over categories such as years: values above zero rise from the zero line,
    values below it hang beneath (the line is then marked "0"). Several series stand side by side,
    each value above or below its column; `stacked` piles them instead, each segment's value
    inside it where it fits and the column's total at its end.

    The other arguments are as for `bar_chart`.
    """
    painted = _paint(categories, series)
    chart_id = _checked_id(chart_id)
    stacked = stacked and len(painted) > 1
    if stacked:
        # A stack reaches from its negative values' sum to its positive values' sum.
        ends: list[float] = []
        for i in range(len(categories)):
            column = [item.values[i] for item in painted]
            ends += [sum(v for v in column if v < 0), sum(v for v in column if v > 0)]
        low, high = _extent(ends)
    else:
        low, high = _extent(v for item in painted for v in item.values)
    left, right = 40, 10
    top = 18 + (26 if len(painted) > 1 else 0)  # room for values above the highest column
    bottom = 26 + (16 if low < 0 else 0)  # category names, and values below the lowest
    scale = _Scale(low, high, height - bottom, -(height - top - bottom))
    zero = scale(0)
    slot = (width - left - right) / max(1, len(categories))
    group_w = min(80.0, slot * 0.6)
    bar_w = group_w if stacked else group_w / len(painted)
    parts = _open(chart_id, width, height, title, description, font_family)
    parts += _legend(painted, left, 18)
    parts.append(
        f'<line x1="{left}" y1="{zero:.1f}" x2="{width - right}" y2="{zero:.1f}" stroke="{AXIS}"/>'
    )
    if low < 0:
        parts.append(_text(left - 6, zero + 4, "0", anchor="end"))
    for i, category in enumerate(categories):
        x = left + slot * i + (slot - group_w) / 2
        if stacked:
            parts += _stack(painted, i, x, bar_w, scale, format_value)
        else:
            for s_index, item in enumerate(painted):
                value = item.values[i]
                end = scale(value)
                bar_x = x + bar_w * s_index
                parts.append(_bar(bar_x, min(zero, end), bar_w, abs(end - zero), item.fill(value)))
                label_y = end - 6 if value >= 0 else end + 14
                parts.append(
                    _text(bar_x + bar_w / 2, label_y, format_value(value), anchor="middle")
                )
        parts.append(_text(x + group_w / 2, height - 8, category, anchor="middle"))
    return _close(parts)


def _stack(
    painted: Sequence[_Painted],
    i: int,
    x: float,
    bar_w: float,
    scale: _Scale,
    format_value: Callable[[float], str],
) -> list[str]:
    """One stacked column: positive values piled up from zero, negative ones down from it."""
    parts = []
    up = down = 0.0
    for item in painted:
        value = item.values[i]
        if value >= 0:
            top, bottom = scale(up + value), scale(up)
            up += value
        else:
            top, bottom = scale(down), scale(down + value)
            down += value
        fill = item.fill(value)
        parts.append(_bar(x, top, bar_w, bottom - top, fill, outline=True))
        ink = _inside_ink(fill)
        if bottom - top >= 16 and ink:
            parts.append(
                _text(
                    x + bar_w / 2,
                    (top + bottom) / 2 + 4,
                    format_value(value),
                    anchor="middle",
                    fill=ink,
                    bold=True,
                )
            )
    total = sum(item.values[i] for item in painted)
    label_y = scale(up) - 6 if total >= 0 else scale(down) + 14
    parts.append(_text(x + bar_w / 2, label_y, format_value(total), anchor="middle", bold=True))
    return parts
