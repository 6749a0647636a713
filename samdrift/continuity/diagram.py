"""A map-free diagram of the sites and the placements on them (ADR 0914): one column per civil
area, one box per site, one line per service instance (filled for a primary, outlined for a
secondary). Server-rendered SVG with a title and a description; the page's table of the same
placements is its full text alternative, so nothing is said only by the picture.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .choices import Region

if TYPE_CHECKING:
    from .models import Site
    from .selectors import PlacementRow

COLUMN, GAP, ROW, HEAD, PAD = 210, 16, 22, 40, 10
INK, LINE, FILL = "#1b1b1b", "#1f4e79", "#dce8f5"  # contrast ≥ 7:1 against white and FILL


def site_diagram(sites: Sequence[Site], placements: Sequence[PlacementRow]) -> SafeString:
    """The SVG for these sites and the actor's placements on them ("" without sites)."""
    if not sites:
        return mark_safe("")
    by_site: dict[int, list[PlacementRow]] = defaultdict(list)
    for placement in placements:
        by_site[placement.site_id].append(placement)
    columns = [
        (value, label) for value, label in Region.choices if any(s.region == value for s in sites)
    ]
    parts: list[str] = []
    tallest = 0
    for index, (region, label) in enumerate(columns):
        x = PAD + index * (COLUMN + GAP)
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-weight="bold" fill="{}">{}</text>', x, 24, INK, label
            )
        )
        y = HEAD
        for site in (s for s in sites if s.region == region):
            rows = by_site.get(site.id, [])
            height = ROW * (2 + len(rows)) + PAD
            parts.append(
                format_html(
                    '<g><rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="#ffffff" '
                    'stroke="{}" stroke-width="2"/><text x="{}" y="{}" font-weight="bold" '
                    'fill="{}">{}</text><text x="{}" y="{}" fill="{}">{}</text>',
                    x,
                    y,
                    COLUMN,
                    height,
                    LINE,
                    x + PAD,
                    y + ROW,
                    INK,
                    site.code,
                    x + PAD,
                    y + 2 * ROW - 4,
                    INK,
                    _("class %(n)d, %(used)d of %(capacity)d")
                    % {
                        "n": site.security_class,
                        "used": getattr(site, "used", len(rows)),
                        "capacity": site.capacity,
                    },
                )
            )
            for line, placement in enumerate(rows, start=2):
                top = y + line * ROW + 4
                primary = placement.role == "primary"
                parts.append(
                    format_html(
                        '<rect x="{}" y="{}" width="12" height="12" fill="{}" stroke="{}" '
                        'stroke-width="2"/><text x="{}" y="{}" fill="{}">{} ({})</text>',
                        x + PAD,
                        top,
                        LINE if primary else FILL,
                        LINE,
                        x + PAD + 18,
                        top + 11,
                        INK,
                        placement.service_code,
                        placement.role_label,
                    )
                )
            parts.append("</g>")
            y += height + GAP
        tallest = max(tallest, y)
    width = PAD * 2 + len(columns) * (COLUMN + GAP)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="sites-svg-title '
        'sites-svg-desc" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-size="14" '
        'font-family="sans-serif"><title id="sites-svg-title">{title}</title>'
        '<desc id="sites-svg-desc">{desc}</desc>{body}</svg>',
        w=width, h=tallest + PAD, title=_("Sites and placements by civil area"),
        desc=_("%(sites)d sites in %(regions)d civil areas; %(placements)d service instances. "
               "The table below lists the same placements.")
        % {"sites": len(sites), "regions": len(columns), "placements": len(placements)},
        body=format_html_join("", "{}", ((mark_safe(part),) for part in parts)),  # noqa: S308
    )  # fmt: skip
