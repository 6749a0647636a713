"""Inline SVG charts: real text, a title and description for assistive technology, and always a
data table next to them on the page (the chart is never the only way to read the figures)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from samdrift.onboarding.selectors import DemandReport

BAR_COLOURS = ("#0b4f8a", "#7a3e00")  # both ≥ 3:1 against white (WCAG 1.4.11)


def demand_chart(report: DemandReport) -> SafeString:
    """Horizontal paired bars: agencies that asked, agencies connected, per service."""
    rows = report.rows
    label_w, bar_max, row_h, top = 230, 420, 34, 46
    peak = max([1, *(max(r.requested, r.connected) for r in rows)])
    height = top + row_h * len(rows) + 10
    title = _("Demand and connections per service, %(year)s") % {"year": report.year}
    summary = "; ".join(
        _("%(service)s: %(requested)s asked, %(connected)s connected")
        % {"service": r.service.name, "requested": r.requested, "connected": r.connected}
        for r in rows
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_w + bar_max + 60} {height}" '
        f'role="img" aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(summary)}</desc>',
    ]
    for index, (name, colour) in enumerate(
        zip((_("Asked"), _("Connected")), BAR_COLOURS, strict=True)
    ):
        x = label_w + index * 140
        parts.append(f'<rect x="{x}" y="8" width="14" height="14" fill="{colour}"/>')
        parts.append(
            f'<text x="{x + 20}" y="20" font-size="13" fill="#1b1e23">{escape(name)}</text>'
        )
    for index, row in enumerate(rows):
        y = top + index * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 17}" font-size="13" text-anchor="end" fill="#1b1e23">'
            f"{escape(row.service.name)}</text>"
        )
        for offset, (value, colour) in enumerate(
            zip((row.requested, row.connected), BAR_COLOURS, strict=True)
        ):
            width = round(bar_max * value / peak)
            bar_y = y + offset * 14
            parts.append(
                f'<rect x="{label_w}" y="{bar_y}" width="{width}" height="12" fill="{colour}"/>'
            )
            parts.append(
                f'<text x="{label_w + width + 4}" y="{bar_y + 11}" font-size="11" fill="#1b1e23">{value}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
