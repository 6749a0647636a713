"""API of the onboarding app: demand, connection cases, subscriptions and the demand report.

Thin by design: every read goes through `selectors` with the caller's actor, every write through
`services`; the abilities a page shows come from the same `permissions` functions. A case another
agency owns is a 404 exactly like a missing one, and each write on a case carries the `version`
the caller saw, so two people acting at once cannot both win (the loser gets 409
`concurrent_update` and nothing of theirs is written).
"""

# No `from __future__ import annotations`: ninja reads the real annotations (Query[...]).
import datetime
from typing import Any, Literal

from django.http import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.pagination import paginate

from samdrift.core.actor import Actor
from samdrift.core.api import ApiRequest, Page, errors
from samdrift.core.files.responses import file_response
from samdrift.core.files.uploads import forwarded_uploads

from . import selectors, services
from .choices import AgreementBasis, CaseState, Phase, RequestStatus, Scope
from .models import CaseAttachment, ConnectionCase, ServiceRequest
from .permissions import request_abilities
from .schemas import OrganisationRef, ServiceRef, SubscriptionOut

router = Router(tags=["onboarding"])


def _person(user: Any) -> str | None:
    """How a person is named to other people: full name, else the username."""
    if user is None:
        return None
    return str(user.get_full_name() or user.username)


# --- shared pieces ------------------------------------------------------------------------------


# OrganisationRef, ServiceRef and SubscriptionOut are in `schemas` (other apps' routers use them).


# --- service requests ---------------------------------------------------------------------------


class RequestOut(Schema):
    id: int
    organisation: OrganisationRef
    service: ServiceRef
    requested_on: datetime.date
    status: str = Field(description="requested, withdrawn, declined or connected")
    note: str
    planned_on: datetime.date | None = Field(description="The planned connection date, if any.")
    connected_on: datetime.date | None = Field(description="The day it was connected, if it was.")
    plan_outcome: str | None = Field(
        description="on_time, late, dropped or planned (not yet due); null without a plan "
        "(ADR 0096)"
    )
    abilities: dict[str, bool] = Field(description="view, withdraw, decline, plan")

    @staticmethod
    def resolve_abilities(obj: ServiceRequest, context: dict[str, Any]) -> dict[str, bool]:
        return request_abilities(actor=context["request"].auth, request=obj)

    @staticmethod
    def resolve_plan_outcome(obj: ServiceRequest) -> str | None:
        return selectors.plan_outcome(obj, timezone.localdate())


class RequestFilters(Schema):
    service: str = Field("", description="Only requests for this service code, e.g. EFOS.")
    status: RequestStatus | None = Field(None, description="Only requests in this status.")
    year: int | None = Field(None, ge=1900, le=9999, description="Only requests made this year.")


class RequestIn(Schema):
    organisation_id: int = Field(description="The agency that asks for the service.")
    service_code: str = Field(min_length=1, max_length=32, description="e.g. EFOS")
    note: str = Field("", max_length=2000)
    planned_on: datetime.date | None = Field(None, description="The planned connection date.")


class PlanIn(Schema):
    planned_on: datetime.date | None = Field(
        description="The planned connection date; null clears it."
    )


@router.get(
    "/requests",
    response={200: list[RequestOut], **errors(422)},
    summary="List service requests",
    description="Requests the caller may see (customers: their own agencies and sub-agencies; "
    "provider staff: all), newest first.",
)
@paginate(Page)
def list_requests(request: ApiRequest, filters: Query[RequestFilters]) -> Any:
    return selectors.request_list(
        actor=request.auth,
        service_code=filters.service.strip().upper(),
        status=filters.status or "",
        year=filters.year,
    )


@router.get(
    "/requests/{request_id}",
    response={200: RequestOut, **errors(404)},
    summary="Get one service request",
)
def get_request(request: ApiRequest, request_id: int) -> ServiceRequest:
    return selectors.request_get(actor=request.auth, request_id=request_id)


@router.post(
    "/requests",
    response={201: RequestOut, **errors(403, 404, 409, 422)},
    summary="Ask for a service",
    description="An agency's contact or orderer asks for a service for their agency; account "
    "managers may register a request on an agency's behalf. An unknown service code is a 422 "
    "with the code named in Swedish and English.",
)
def create_request(request: ApiRequest, payload: RequestIn) -> Status:
    created = services.request_create(
        actor=request.auth,
        organisation_id=payload.organisation_id,
        service_code=payload.service_code,
        note=payload.note,
        planned_on=payload.planned_on,
    )
    return Status(201, selectors.request_get(actor=request.auth, request_id=created.id))


@router.put(
    "/requests/{request_id}/plan",
    response={200: RequestOut, **errors(403, 404, 422)},
    summary="Plan a pending request's connection date (provider account managers)",
    description="Sets, moves or (with null) clears the planned connection date; audited.",
)
def plan_request(request: ApiRequest, request_id: int, payload: PlanIn) -> ServiceRequest:
    services.request_plan_set(
        actor=request.auth, request_id=request_id, planned_on=payload.planned_on
    )
    return selectors.request_get(actor=request.auth, request_id=request_id)


def _set_request_status(request: ApiRequest, request_id: int, status: str) -> ServiceRequest:
    actor = request.auth
    service_request = selectors.request_get(actor=actor, request_id=request_id)
    services.request_set_status(actor=actor, request=service_request, status=status)
    return selectors.request_get(actor=actor, request_id=request_id)


@router.post(
    "/requests/{request_id}/withdraw",
    response={200: RequestOut, **errors(403, 404, 409)},
    summary="Withdraw a pending request (the asking agency)",
)
def withdraw_request(request: ApiRequest, request_id: int) -> ServiceRequest:
    return _set_request_status(request, request_id, RequestStatus.WITHDRAWN)


@router.post(
    "/requests/{request_id}/decline",
    response={200: RequestOut, **errors(403, 404, 409)},
    summary="Decline a pending request (provider account managers)",
)
def decline_request(request: ApiRequest, request_id: int) -> ServiceRequest:
    return _set_request_status(request, request_id, RequestStatus.DECLINED)


# --- connection cases ---------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    organisation: OrganisationRef
    scope: str = Field(description="single (named services) or total (the total commitment)")
    services: list[ServiceRef] = Field(description="The named services of a single-service case.")
    phase: str = Field(description="initiate, plan, package or run (Initiera … Köra)")
    state: str = Field(description="open, completed or cancelled")
    agreement_basis: str = Field(description="assignment, separate or own_use")
    opened_on: datetime.date
    closed_on: datetime.date | None
    reconstructed: bool = Field(
        description="The phase was inferred, not stated, in the source report (demo data)."
    )
    version: int = Field(description="Send it back with every write on the case.")


class ChecklistItemOut(Schema):
    id: int
    position: int
    text_sv: str
    text_en: str
    done: bool
    done_at: datetime.datetime | None
    done_by: str | None

    @staticmethod
    def resolve_done(obj: Any) -> bool:
        return obj.done_at is not None

    @staticmethod
    def resolve_done_by(obj: Any) -> str | None:
        return _person(obj.done_by)


class SignOffOut(Schema):
    phase: str
    signed_by: str | None
    signed_at: datetime.datetime
    comment: str

    @staticmethod
    def resolve_signed_by(obj: Any) -> str | None:
        return _person(obj.signed_by)


class CaseEventOut(Schema):
    kind: str = Field(description="opened, checked, unchecked, signed_off, advanced, completed…")
    phase: str
    to_phase: str
    actor: str | None
    at: datetime.datetime
    detail: str

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return _person(obj.actor)


class LeadTimeOut(Schema):
    phase: str
    entered_at: datetime.datetime
    left_at: datetime.datetime | None
    days: int | None = Field(description="Whole days in the phase; null while the case is in it.")


class CaseDetailOut(CaseOut):
    checklist: list[ChecklistItemOut] = Field(description="The checklist of the current phase.")
    signoffs: list[SignOffOut] = Field(description="Security's sign-offs, one per phase.")
    events: list[CaseEventOut] = Field(description="The history: who moved what, when.")
    lead_times: list[LeadTimeOut]
    forecast_completion: datetime.date | None = Field(
        description="When an open case is expected to complete, from the median measured lead "
        "time of each phase left (ADR 0096); its closing day once completed; null when cancelled "
        "or a phase has fewer than three measurements."
    )
    abilities: dict[str, bool] = Field(description="view, check, sign_off, advance, cancel")


class CaseFilters(Schema):
    phase: Phase | None = None
    scope: Scope | None = None
    state: CaseState | None = None
    organisation: int | None = Field(
        None, ge=1, le=2**63 - 1, description="Only cases of this agency (id)."
    )


class CaseOpenIn(Schema):
    organisation_id: int
    scope: Scope
    service_codes: list[str] = Field(
        default_factory=list, description="Required for scope single; ignored for total."
    )
    agreement_basis: AgreementBasis = AgreementBasis.ASSIGNMENT
    opened_on: datetime.date | None = Field(None, description="Defaults to today.")


class VersionIn(Schema):
    version: int = Field(ge=1, description="The case's `version` as the caller last saw it.")


class ChecklistIn(VersionIn):
    done: bool


class SignOffIn(VersionIn):
    comment: str = Field("", max_length=2000)


# One line with at least one character that is not a space: the rule `case_cancel` enforces
# (`reason.strip()`), stated in the schema so a blank reason is refused as malformed input.
REASON_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"


class CancelIn(VersionIn):
    reason: str = Field(
        max_length=300,
        pattern=REASON_PATTERN,
        description="Why the case stops, on one line; kept in its history.",
    )


def _case_detail(actor: Actor, case_id: int) -> dict[str, Any]:
    case = selectors.case_get(actor=actor, case_id=case_id)
    return {
        **{name: getattr(case, name) for name in CaseOut.model_fields if name != "services"},
        "services": list(case.services.all()),
        "checklist": [item for item in case.checklist_items.all() if item.phase == case.phase],
        "signoffs": list(case.signoffs.all()),
        "events": list(case.events.all()),
        "lead_times": selectors.lead_times(case),
        "forecast_completion": selectors.case_forecast(
            case, selectors.phase_medians(), timezone.now()
        ),
        "abilities": services.case_abilities_for(actor=actor, case=case),
    }


@router.get(
    "/cases",
    response={200: list[CaseOut], **errors(422)},
    summary="List connection cases",
    description="Cases the caller may see, newest first; filter by phase, scope, state and agency.",
)
@paginate(Page)
def list_cases(request: ApiRequest, filters: Query[CaseFilters]) -> Any:
    return selectors.case_list(
        actor=request.auth,
        phase=filters.phase or "",
        scope=filters.scope or "",
        state=filters.state or "",
        organisation_id=filters.organisation,
    )


@router.get(
    "/cases/{case_id}",
    response={200: CaseDetailOut, **errors(404)},
    summary="Get one connection case",
    description="With the current phase's checklist, security sign-offs, history, lead time per "
    "phase, the caller's abilities and the `version` to send back with a write.",
)
def get_case(request: ApiRequest, case_id: int) -> dict[str, Any]:
    return _case_detail(request.auth, case_id)


@router.post(
    "/cases",
    response={201: CaseDetailOut, **errors(403, 404, 409, 422)},
    summary="Open a connection case (account managers)",
)
def open_case(request: ApiRequest, payload: CaseOpenIn) -> Status:
    actor = request.auth
    case = services.case_open(
        actor=actor,
        organisation_id=payload.organisation_id,
        scope=payload.scope,
        service_codes=payload.service_codes,
        agreement_basis=payload.agreement_basis,
        opened_on=payload.opened_on,
    )
    return Status(201, _case_detail(actor, case.id))


def _visible_case(actor: Actor, case_id: int) -> ConnectionCase:
    return selectors.case_get(actor=actor, case_id=case_id)


@router.post(
    "/cases/{case_id}/checklist/{item_id}",
    response={200: CaseDetailOut, **errors(403, 404, 409, 422)},
    summary="Tick or untick an item of the current phase's checklist",
)
def set_checklist_item(
    request: ApiRequest, case_id: int, item_id: int, payload: ChecklistIn
) -> dict[str, Any]:
    actor = request.auth
    services.checklist_set(
        actor=actor,
        case=_visible_case(actor, case_id),
        item_id=item_id,
        done=payload.done,
        expected_version=payload.version,
    )
    return _case_detail(actor, case_id)


@router.post(
    "/cases/{case_id}/sign-off",
    response={200: CaseDetailOut, **errors(403, 404, 409, 422)},
    summary="Security signs off the current phase",
)
def sign_off(request: ApiRequest, case_id: int, payload: SignOffIn) -> dict[str, Any]:
    actor = request.auth
    services.phase_sign_off(
        actor=actor,
        case=_visible_case(actor, case_id),
        comment=payload.comment,
        expected_version=payload.version,
    )
    return _case_detail(actor, case_id)


@router.post(
    "/cases/{case_id}/advance",
    response={200: CaseDetailOut, **errors(403, 404, 409, 422)},
    summary="Advance the case to the next phase (or complete it from Köra)",
    description="Only when the phase's checklist is done (else 409 `checklist_incomplete`) and "
    "security has signed it off (else 409 `signoff_missing`). `version` is required: of two "
    "callers with the same version exactly one wins; the other gets 409 `concurrent_update`.",
)
def advance(request: ApiRequest, case_id: int, payload: VersionIn) -> dict[str, Any]:
    actor = request.auth
    services.case_advance(
        actor=actor, case=_visible_case(actor, case_id), expected_version=payload.version
    )
    return _case_detail(actor, case_id)


@router.post(
    "/cases/{case_id}/cancel",
    response={200: CaseDetailOut, **errors(403, 404, 409, 422)},
    summary="Cancel an open case (account managers)",
    description="A reason is required (422 without one). Connections already made stay.",
)
def cancel(request: ApiRequest, case_id: int, payload: CancelIn) -> dict[str, Any]:
    actor = request.auth
    services.case_cancel(
        actor=actor,
        case=_visible_case(actor, case_id),
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _case_detail(actor, case_id)


# --- documents on a case ------------------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    name: str = Field(description="The safe name the document is kept and downloaded under.")
    content_type: str
    size: int = Field(description="Bytes.")
    sha256: str = Field(description="Hex SHA-256 of the content; the download's ETag too.")
    added_at: datetime.datetime
    added_by: str | None
    download: str = Field(description="Where to GET the content.")


def _attachment_out(attachment: CaseAttachment) -> dict[str, Any]:
    stored = attachment.file
    return {
        "id": attachment.id,
        "name": stored.name,
        "content_type": stored.content_type,
        "size": stored.size,
        "sha256": stored.sha256,
        "added_at": attachment.added_at,
        "added_by": _person(attachment.added_by),
        "download": reverse(
            "api:case_attachment_download",
            kwargs={"case_id": attachment.case_id, "attachment_id": attachment.id},
        ),
    }


@router.get(
    "/cases/{case_id}/attachments",
    response={200: list[AttachmentOut], **errors(404)},
    summary="List a case's documents",
    description="Newest first. Whoever sees the case sees its documents.",
)
def list_attachments(request: ApiRequest, case_id: int) -> list[dict[str, Any]]:
    return [
        _attachment_out(a) for a in selectors.attachment_list(actor=request.auth, case_id=case_id)
    ]


@router.post(
    "/cases/{case_id}/attachments",
    response={201: AttachmentOut, **errors(403, 404, 413, 422, 503)},
    summary="Add a document to a case",
    description="multipart/form-data with one part `file`. The name is made safe (kept as sent "
    "where possible); an empty file, an unusable name (422) or one over the size limit (413) "
    "is refused and nothing is stored.",
)
@decorate_view(forwarded_uploads)  # only stored: no temporary file (ADR 0690)
def add_attachment(
    request: ApiRequest,
    case_id: int,
    file: UploadedFile = File(...),  # noqa: B008 (django-ninja's way to declare a part)
) -> Status:
    attachment = services.attachment_add(
        actor=request.auth,
        case_id=case_id,
        upload=file,
        name=file.name or "",
        content_type=file.content_type,
    )
    return Status(201, _attachment_out(attachment))


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}/download",
    url_name="case_attachment_download",
    response={200: None, 304: None, **errors(404)},
    summary="Download a case's document",
    description="Streamed, with Content-Length, `ETag` (the SHA-256; If-None-Match answers 304) "
    "and Content-Disposition `attachment`. Each download is audited.",
    openapi_extra={
        "responses": {
            200: {"content": {"application/octet-stream": {"schema": {"type": "string"}}}}
        }
    },
)
def download_attachment(request: ApiRequest, case_id: int, attachment_id: int) -> HttpResponseBase:
    stored = services.attachment_download(
        actor=request.auth, case_id=case_id, attachment_id=attachment_id
    )
    return file_response(stored, request)


# --- subscriptions ------------------------------------------------------------------------------


class SubscriptionFilters(Schema):
    service: str = Field("", description="Only subscriptions to this service code.")
    basis: AgreementBasis | None = None
    organisation: int | None = Field(
        None, ge=1, le=2**63 - 1, description="Only this agency's subscriptions (id)."
    )
    active_only: bool = Field(True, description="Leave out ended subscriptions.")


@router.get(
    "/subscriptions",
    response={200: list[SubscriptionOut], **errors(422)},
    summary="List subscriptions (who is connected to what)",
)
@paginate(Page)
def list_subscriptions(request: ApiRequest, filters: Query[SubscriptionFilters]) -> Any:
    return selectors.subscription_list(
        actor=request.auth,
        service_code=filters.service.strip().upper(),
        basis=filters.basis or "",
        organisation_id=filters.organisation,
        active_only=filters.active_only,
    )


@router.get(
    "/subscriptions/{subscription_id}",
    response={200: SubscriptionOut, **errors(404)},
    summary="Get one subscription",
)
def get_subscription(request: ApiRequest, subscription_id: int) -> Any:
    return selectors.subscription_get(actor=request.auth, subscription_id=subscription_id)


# --- the demand report --------------------------------------------------------------------------


class DemandRowOut(Schema):
    provider: str = Field(description="The provider agency that runs the service.")
    service_code: str
    name_sv: str
    name_en: str
    requested: int = Field(description="Agencies that asked, counted as the report counts.")
    connected: int = Field(description="Agencies connected at year end, as the report counts.")
    requested_legal: int = Field(description="Agencies that asked, as legal agencies.")
    connected_legal: int = Field(description="Agencies connected, as legal agencies.")
    coverage_pct: float = Field(description="connected_legal in % of legal_agency_total.")


class DemandOut(Schema):
    year: int
    basis: str | None = Field(description="The agreement basis counted; null for all bases.")
    legal_agency_total: int
    across_providers: bool = Field(description="Every provider's services (SITSSAM).")
    rows: list[DemandRowOut]


class DemandFilters(Schema):
    year: int = Field(ge=1900, le=9999, description="The report year, e.g. 2021.")
    basis: Literal["assignment", "separate", "own_use", "all"] = Field(
        "assignment",
        description="The agreement basis to count: assignment (as the report's table), "
        "separate, own_use, or all (every basis).",
    )
    providers: Literal["own", "all"] = Field(
        "own",
        description="own: the services the caller's provider runs (a customer: every service, "
        "its own agencies counted); all: every provider agency's services counted over every "
        "agency (SITSSAM), for the staff of a provider agency only (else 404).",
    )


@router.get(
    "/reports/demand",
    response={200: DemandOut, **errors(404, 422)},
    summary="The demand report per service and year",
    description="Per service: agencies that had asked by the end of the year and agencies "
    "connected at its end, counted both as the report counts (an umbrella agency once) and as "
    "legal agencies (Domstolsverket = 80 courts), with coverage of all agencies in %. "
    "With providers=all, every provider agency's services side by side (SITSSAM).",
)
def demand(request: ApiRequest, filters: Query[DemandFilters]) -> dict[str, Any]:
    basis = None if filters.basis == "all" else filters.basis
    report = selectors.demand_report(
        actor=request.auth,
        year=filters.year,
        basis=basis,
        across_providers=filters.providers == "all",
    )
    return {
        "year": report.year,
        "basis": report.basis,
        "legal_agency_total": report.legal_agency_total,
        "across_providers": report.across_providers,
        "rows": [
            {
                "provider": row.service.provider.name,
                "service_code": row.service.code,
                "name_sv": row.service.name_sv,
                "name_en": row.service.name_en,
                "requested": row.requested,
                "connected": row.connected,
                "requested_legal": row.requested_legal,
                "connected_legal": row.connected_legal,
                "coverage_pct": float(row.coverage_pct),
            }
            for row in report.rows
        ],
    }
