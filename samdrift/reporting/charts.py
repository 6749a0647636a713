"""The government report's charts: the shared SVG charts (`samdrift.core.charts`) in the report's
font, the same markup on the page and in the PDF.

Each chart's `<title>` states every number the chart shows: WeasyPrint writes only the title as
the PDF Figure's /Alt (ADR 0504), so these charts carry no separate description. The numbers are
also in a data table next to each chart.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString

from samdrift.core.charts import Series, bar_chart, column_chart

__all__ = ["Series", "grouped_bars", "stacked_columns"]

# Fonts the PDF can embed; an SVG in WeasyPrint does not inherit the document's font.
REPORT_FONT = "Liberation Sans, DejaVu Sans, sans-serif"


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
    return column_chart(
        chart_id=chart_id,
        title=title,
        description="",
        categories=categories,
        series=series,
        stacked=True,
        width=width,
        height=height,
        font_family=REPORT_FONT,
    )


def grouped_bars(
    *,
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    width: int = 640,
) -> SafeString:
    """Horizontal bars per category, one bar per series, each with its value at the end."""
    return bar_chart(
        chart_id=chart_id,
        title=title,
        description="",
        categories=categories,
        series=series,
        width=width,
        font_family=REPORT_FONT,
    )
