"""A legal report of an incident as text and as accessible PDF (ADR 0844), for submission to
CERT-SE, a CSIRT or IMY, or to the controller agency: the facts of the incident, the deadline
and, per item of the law's checklist, the content on record (or the draft while none is)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samdrift.core import pdf
from samdrift.core.actor import Actor

from . import deadlines, selectors
from .legal import LegalRow, prefill
from .models import Incident


def title(row: LegalRow, incident: Incident, language: str) -> str:
    with translation.override(language):
        return _("%(report)s: INC%(id)s %(title)s") % {
            "report": row.deadline.label(language),
            "id": incident.pk,
            "title": incident.title,
        }


def _context(actor: Actor, row: LegalRow, incident: Incident, language: str) -> dict[str, Any]:
    content = row.report.content if row.report else prefill(row, incident, language)
    affected = selectors.clocks_for(actor=actor, incident=incident)
    return {
        "row": row,
        "incident": incident,
        "regime": deadlines.regime_label(row.deadline.regime, language),
        "report_label": row.deadline.label(language),
        "items": [
            (item.text(language), content.get(item.key, "")) for item in row.deadline.checklist
        ],
        "agencies": [a.organisation.name for a in affected],
        "draft": row.report is None,
        "made_at": timezone.now(),
        "title": title(row, incident, language),
    }


def render_text(actor: Actor, row: LegalRow, incident: Incident, language: str) -> str:
    with translation.override(language):
        return render_to_string(
            "operations/legal_report.txt", _context(actor, row, incident, language)
        )


def render_pdf(actor: Actor, row: LegalRow, incident: Incident, language: str) -> bytes:
    report_title = title(row, incident, language)
    return pdf.render(
        "operations/legal_report_document.html",
        _context(actor, row, incident, language),
        kind="operations.legal-report",
        language=language,
        title=report_title,
    )
