"""The accessible PDF report of a DSAM evaluation (ADR 0964), through samdrift's one PDF
renderer (`samdrift.core.pdf`, ADR 0090): the first screening, the ranking by weighted score,
the failed skall requirements of each solution that is out, and every verdict with its evidence
per area."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samdrift.core import pdf

from .selectors import Comparison


def report_title(table: Comparison, language: str) -> str:
    with translation.override(language):
        return _("DSAM evaluation %(code)s: %(title)s") % {
            "code": table.evaluation.code, "title": table.evaluation.title,
        }  # fmt: skip


def render_report(table: Comparison, language: str) -> bytes:
    title = report_title(table, language)
    areas = [
        (area, [(r, cells) for r, cells in table.rows if r.area == area]) for area in table.areas()
    ]
    context = {"table": table, "areas": areas, "title": title, "generated_at": timezone.now()}
    return pdf.render(
        "cooperation/report_document.html",
        context,
        kind="cooperation.evaluation-report",
        language=language,
        title=title,
    )
