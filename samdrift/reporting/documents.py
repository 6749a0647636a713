"""Turning a `GovernmentReport` into HTML (page or standalone document) and tagged PDF.

One template body serves the web page, the `--format html` file and the PDF, so the three can
never drift apart. The PDF is WeasyPrint's PDF/UA-1 variant (ADR 0502): document language from
`<html lang>`, title from `<title>` shown in the window title, bookmarks from the headings,
charts as inline SVG whose `<title>` becomes the Figure's alternative text.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from samdrift.core import pdf
from samdrift.onboarding.choices import Phase, Scope

from .charts import Series, grouped_bars, stacked_columns
from .selectors import GovernmentReport

MAX_NAMES_PER_CELL = 30
PHASE_NAMES: dict[str, str] = {
    str(Phase.INITIATE): "Initiera",
    str(Phase.PLAN): "Planera",
    str(Phase.PACKAGE): "Paketera",
    str(Phase.RUN): "Köra",
}


def report_title(report: GovernmentReport) -> str:
    with translation.override(report.language):
        return _(
            "Coordinated and secure state IT operations – report on the government assignment %(year)d"
        ) % {"year": report.year}


def _phase_label(phase: str) -> str:
    # The phases keep their Swedish names in both languages: they are the model's own words.
    return PHASE_NAMES[phase]


def _connections_chart(report: GovernmentReport) -> Any:
    conn = report.connections
    labels = [_phase_label(p) for p in report.phases]
    single = [conn.count(p, Scope.SINGLE) for p in report.phases]
    total = [conn.count(p, Scope.TOTAL) for p in report.phases]
    parts = [
        _("%(phase)s %(n)d (single service %(single)d, total commitment %(total)d)")
        % {"phase": label, "n": s + t, "single": s, "total": t}
        for label, s, t in zip(labels, single, total, strict=True)
    ]
    title = _("Column chart: connection cases per phase, %(n)d in all. %(parts)s.") % {
        "n": conn.total,
        "parts": "; ".join(parts),
    }
    return stacked_columns(
        chart_id="chart-connections",
        title=title,
        categories=labels,
        series=[
            Series(str(_("Single service")), single),
            Series(str(_("Total commitment")), total),
        ],
    )


def _services_chart(report: GovernmentReport) -> Any:
    rows = report.services.rows
    names = [
        row.service.name_en if report.language == "en" else row.service.name_sv for row in rows
    ]
    parts = [
        _("%(service)s %(requested)d requested, %(connected)d connected")
        % {"service": name, "requested": row.requested, "connected": row.connected}
        for name, row in zip(names, rows, strict=True)
    ]
    title = _(
        "Bar chart: agencies that requested and agencies connected, per service. %(parts)s."
    ) % {"parts": "; ".join(parts)}
    return grouped_bars(
        chart_id="chart-services",
        title=title,
        categories=names,
        series=[
            Series(str(_("Requested")), [row.requested for row in rows]),
            Series(str(_("Connected")), [row.connected for row in rows]),
        ],
    )


def _names_once(names: list[str]) -> dict[str, Any]:
    """Each agency once, with its number of cases when it has several in the same cell (the
    source report names Länsstyrelserna twice only because its two cases are in different
    phases). At most MAX_NAMES_PER_CELL names, then "and N more": a cell must fit on a page, or
    WeasyPrint leaves the caption alone at the foot of a page as a Table without headers."""
    counts = Counter(names)
    named = [
        f"{name} ({n})" if n > 1 else name
        for name, n in sorted(counts.items(), key=lambda i: i[0].casefold())
    ]
    return {"names": named[:MAX_NAMES_PER_CELL], "more": max(0, len(named) - MAX_NAMES_PER_CELL)}


def _phase_rows(report: GovernmentReport) -> list[dict[str, Any]]:
    conn = report.connections
    rows = []
    for phase in report.phases:
        entries = conn.entries.get(phase, [])
        rows.append(
            {
                "label": _phase_label(phase),
                "single": conn.count(phase, Scope.SINGLE),
                "total": conn.count(phase, Scope.TOTAL),
                "all": conn.phase_total(phase),
                "cells": [
                    _names_once([e.agency for e in entries if e.scope == scope])
                    for scope in (Scope.SINGLE, Scope.TOTAL)
                ],
            }
        )
    return rows


def report_context(report: GovernmentReport) -> dict[str, Any]:
    with translation.override(report.language):
        return {
            "report": report,
            "title": report_title(report),
            "phase_rows": _phase_rows(report),
            "connections_chart": _connections_chart(report),
            "services_chart": _services_chart(report),
        }


def render_document_html(report: GovernmentReport) -> str:
    """The standalone document (for `--format html` and as the PDF's source)."""
    with translation.override(report.language):
        return render_to_string("reporting/report_document.html", report_context(report))


def render_pdf(report: GovernmentReport) -> bytes:
    """Tagged PDF/UA-1 of the report, through core's one renderer (ADR 0502, ADR 0090)."""
    return pdf.render_html(
        render_document_html(report),
        kind="reporting.government-report",
        language=report.language,
        title=report_title(report),
    )
