"""The recovery chart: the accumulated result per year as columns above or below zero.

Drawn by the shared SVG charts (`samdrift.core.charts`) with a title and a description listing every
value; the page always shows the same figures in a table too, so the chart is never the only way
to read them (WCAG 1.1.1, 1.4.1).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from samdrift.core.charts import NEGATIVE, PALETTE, Series, column_chart

from .money import round_presentation

MSEK = 100_000_000  # öre


def _msek(ore: float) -> str:
    return str(round_presentation(int(ore), MSEK))


def recovery_chart(points: Sequence[tuple[int, int]]) -> SafeString:
    """`points`: (year, accumulated öre). Values are shown in MSEK."""
    if not points:
        return SafeString("")
    return column_chart(
        chart_id="recovery-chart",
        title=_("Accumulated surplus or deficit per year (MSEK)"),
        description="; ".join(f"{year}: {_msek(value)}" for year, value in points),
        categories=[str(year) for year, _value in points],
        series=[
            Series(
                _("Accumulated"),
                [value for _year, value in points],
                colour=PALETTE[0],
                negative_colour=NEGATIVE,
            )
        ],
        height=260,
        format_value=_msek,
    )
