"""API of an incident's legal reporting (ADR 0844), under /api/v1/operations/incidents/{id}/legal:
the same reading (`legal`) and services as the pages. Anyone but the provider's operators gets
404, as for an incident they do not see."""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
from typing import Any

from ninja import Router, Schema, Status

from samdrift.core.api import ApiRequest, errors

from . import legal, selectors, services

router = Router(tags=["operations"])


class LegalChecklistItemOut(Schema):
    key: str
    sv: str
    en: str


class LegalReportOut(Schema):
    met_at: datetime.datetime
    reference: str
    content: dict[str, str]
    recorded_by: str


class DeadlineOut(Schema):
    key: str
    regime: str
    code: str
    law: str
    label_sv: str
    label_en: str
    customer_id: int | None
    customer: str
    due_at: datetime.datetime | None
    met_at: datetime.datetime | None
    status: str
    checklist: list[LegalChecklistItemOut]
    report: LegalReportOut | None


class LegalOut(Schema):
    regimes: list[str]
    aware_at: datetime.datetime | None
    deadlines: list[DeadlineOut]


class ClassifyIn(Schema):
    regimes: list[str]
    aware_at: str | None = None


class LegalReportIn(Schema):
    key: str
    content: dict[str, str]
    reference: str = ""
    met_at: str | None = None


def _legal(request: ApiRequest, incident_id: int) -> dict[str, Any]:
    incident = selectors.incident_get(actor=request.auth, incident_id=incident_id)
    rows = legal.legal_rows(actor=request.auth, incident=incident)
    return {
        "regimes": incident.regimes,
        "aware_at": incident.aware_at,
        "deadlines": [
            {
                "key": row.key,
                "regime": row.deadline.regime,
                "code": row.deadline.code,
                "law": row.deadline.law,
                "label_sv": row.deadline.sv,
                "label_en": row.deadline.en,
                "customer_id": row.deadline.customer_id,
                "customer": row.customer_name,
                "due_at": row.deadline.due_at,
                "met_at": row.deadline.met_at,
                "status": row.deadline.status,
                "checklist": [vars(item) for item in row.deadline.checklist],
                "report": row.report,
            }
            for row in rows
        ],
    }


@router.get(
    "/incidents/{incident_id}/legal",
    response={200: LegalOut, **errors(404)},
    summary="An incident's legal reporting deadlines and the reports on record",
    description="The provider's operators only (CERT-SE, NIS2, GDPR art. 33; ADR 0844).",
)
def get_legal(request: ApiRequest, incident_id: int) -> dict[str, Any]:
    return _legal(request, incident_id)


@router.post(
    "/incidents/{incident_id}/legal/classify",
    response={200: LegalOut, **errors(404, 409, 422)},
    summary="Classify an incident as reportable",
    description=(
        "The regimes (cert-se, nis2, gdpr-33) and when the provider became aware (ISO 8601,"
        " Swedish time when no offset; default: when the incident was opened). Newly added"
        " regimes tell the contacts of every agency the incident reaches."
    ),
)
def classify(request: ApiRequest, incident_id: int, payload: ClassifyIn) -> dict[str, Any]:
    selectors.incident_get(actor=request.auth, incident_id=incident_id)
    services.incident_classify(
        actor=request.auth,
        incident_id=incident_id,
        regimes=payload.regimes,
        aware_at=payload.aware_at,
    )
    return _legal(request, incident_id)


@router.post(
    "/incidents/{incident_id}/legal/reports",
    response={201: LegalOut, **errors(404, 409, 422)},
    summary="Record a legal report as made",
    description=(
        "`key` is a deadline's key from GET …/legal; `content` answers every item of its"
        " checklist by key. Once per deadline; never edited."
    ),
)
def record_report(request: ApiRequest, incident_id: int, payload: LegalReportIn) -> Status:
    selectors.incident_get(actor=request.auth, incident_id=incident_id)
    services.legal_report_record(
        actor=request.auth,
        incident_id=incident_id,
        key=payload.key,
        content=payload.content,
        reference=payload.reference,
        met_at=payload.met_at,
    )
    return Status(201, _legal(request, incident_id))
