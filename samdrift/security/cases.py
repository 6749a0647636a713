"""Security cases (issue 17 item 5, ADR 0968): an operations incident marked as a security
incident, with its category, the information it touched and whether personal data is involved.

The incident stays the operations app's: its clocks, parties, notes and legal deadlines. When
personal data is involved the incident is classified under GDPR art. 33 through the operations
app's own service, so its deadlines (72 hours to IMY, the processor's notice to each agency)
come from there, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.operations import legal as operations_legal
from samdrift.operations.selectors import incident_get
from samdrift.operations.services import incident_classify

from .choices import PERSONAL_CLASSES, InformationClass, SecurityCategory
from .models import SecurityCase
from .permissions import keeps_component, soc_provider_ids

GDPR = "gdpr-33"
CATEGORY = _("Choose one of the categories: %(known)s.")
CLASSES = _("Unknown kinds of information: %(unknown)s. Known: %(known)s.")
PERSONAL_WITHOUT = _("Personal data is involved but no class of personal data is chosen.")


def _invalid(field: str, message: Any, **params: Any) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [str(message) % params]}, **params)


def security_case_set(
    *,
    actor: Actor,
    incident_id: int,
    category: str,
    information_classes: list[str],
    personal_data: bool,
) -> SecurityCase:
    """Mark an incident as a security case, or change its security fields. Only the SOC of the
    incident's provider (anyone else: 404, as for a missing incident)."""
    incident = incident_get(actor=actor, incident_id=incident_id)
    if not keeps_component(actor, incident.provider_id) and soc_provider_ids(actor) is not None:
        raise NotFound("incident")
    if category not in SecurityCategory.values:
        raise _invalid("category", CATEGORY, known=", ".join(SecurityCategory.values))
    classes = sorted({str(c).strip() for c in information_classes if str(c).strip()})
    unknown = [c for c in classes if c not in InformationClass.values]
    if unknown:
        raise _invalid(
            "information_classes", CLASSES, unknown=", ".join(unknown),
            known=", ".join(InformationClass.values),
        )  # fmt: skip
    personal = bool(personal_data) or bool(set(classes) & PERSONAL_CLASSES)
    if personal and not set(classes) & PERSONAL_CLASSES:
        raise _invalid("information_classes", PERSONAL_WITHOUT)
    now = timezone.now()
    with transaction.atomic():
        case = SecurityCase.objects.select_for_update().filter(incident_id=incident.pk).first()
        before = _fields(case) if case else None
        if case is None:
            case = SecurityCase(incident_id=incident.pk, opened_at=now)
        case.category, case.information_classes, case.personal_data = category, classes, personal
        case.updated_at, case.updated_by = now, str(actor.label)[:150]
        case.save()
        if personal and GDPR not in incident.regimes:
            incident_classify(
                actor=actor, incident_id=incident.pk, regimes=[*incident.regimes, GDPR]
            )
        audit_record(
            actor=actor, action="security.case_set", obj=case,
            organisation_id=incident.provider_id, before=before, after=_fields(case),
        )  # fmt: skip
    return case


def _fields(case: SecurityCase) -> dict[str, Any]:
    return {
        "incident": case.incident_id,
        "category": case.category,
        "information_classes": list(case.information_classes),
        "personal_data": case.personal_data,
    }


@dataclass(frozen=True)
class CaseRow:
    case: SecurityCase
    incident: Any
    next_deadline: Any  # operations' Deadline still to meet, soonest first; None when none

    @property
    def labels(self) -> list[str]:
        names = dict(InformationClass.choices)
        return [str(names.get(code, code)) for code in self.case.information_classes]


def _due(deadline: Any) -> Any:
    return deadline.due_at


def case_rows(*, actor: Actor, cases: list[SecurityCase]) -> list[CaseRow]:
    """Each case with its incident and its soonest unmet legal deadline (operations app)."""
    rows = []
    for case in cases:
        incident = incident_get(actor=actor, incident_id=case.incident_id)
        due = [
            row.deadline
            for row in operations_legal.legal_rows(actor=actor, incident=incident)
            if row.deadline.status in ("open", "overdue") and row.deadline.due_at is not None
        ]
        rows.append(CaseRow(case, incident, min(due, key=_due) if due else None))
    return rows
