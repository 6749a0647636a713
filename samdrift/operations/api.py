"""API of service operations, mounted under /api/v1/operations (ADR 0808).

The same selectors and services as the CLI (and the pages when they come), so the same rules,
clocks and audit. An incident another agency sees only answers 404, like a missing one.
"""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import HttpBearer

from samdrift.core.api import ApiRequest, Page, errors

from . import selectors, services
from .capacity_api import router as capacity_router
from .legal_api import router as legal_router
from .matrix_api import router as matrix_router
from .models import AffectedAgency, Incident, IncidentEvent
from .permissions import incident_abilities
from .survey_api import router as survey_router
from .work_api import ChangeOut, ProblemOut, change_out, problem_out
from .work_api import router as work_router

router = Router(tags=["operations"])
router.add_router("/surveys", survey_router)
router.add_router("", legal_router)
router.add_router("/matrices", matrix_router)
router.add_router("/capacity", capacity_router)
router.add_router("", work_router)


class IncidentFilters(Schema):
    state: str = ""
    service: str = ""


class IncidentRow(Schema):
    id: int
    service: str
    title: str
    state: str
    priority: int
    major: bool
    opened_at: datetime.datetime

    @staticmethod
    def resolve_service(obj: Any) -> str:
        return obj["service"] if isinstance(obj, dict) else obj.service.code


class StateFilter(Schema):
    state: str = ""


class ChangeRow(Schema):
    id: int
    service: str
    kind: str
    title: str
    state: str
    window_start: datetime.datetime
    window_end: datetime.datetime

    @staticmethod
    def resolve_service(obj: Any) -> str:
        return str(obj.service.code)


class ProblemRow(Schema):
    id: int
    service: str
    title: str
    state: str
    root_cause: str
    workaround: str

    @staticmethod
    def resolve_service(obj: Any) -> str:
        return str(obj.service.code)


class IncidentIn(Schema):
    service: str
    title: str
    impact: int
    urgency: int
    description: str = ""
    organisation_id: int | None = None


class ClockOut(Schema):
    organisation_id: int
    organisation: str
    support_hours: str
    response_status: str
    response_elapsed: int
    response_target: int
    response_due_at: datetime.datetime | None
    resolution_status: str
    resolution_elapsed: int
    resolution_target: int
    resolution_due_at: datetime.datetime | None


class EventOut(Schema):
    at: datetime.datetime
    kind: str
    organisation_id: int | None
    priority: int | None
    state: str
    actor: str


class PartyOut(Schema):
    role: str
    agency: str


class IncidentOut(IncidentRow):
    description: str
    impact: int
    urgency: int
    parent_id: int | None
    problem_id: int | None
    reported_by_org_id: int | None
    abilities: dict[str, bool]
    function: str
    parties: list[PartyOut]
    clocks: list[ClockOut]
    events: list[EventOut]


class IncidentTransitionIn(Schema):
    state: str


class NoteIn(Schema):
    text: str


def _row(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.pk,
        "service": incident.service.code,
        "title": incident.title,
        "state": incident.state,
        "priority": incident.priority,
        "major": incident.major,
        "opened_at": incident.opened_at,
    }


def _clock(row: AffectedAgency) -> dict[str, Any]:
    return {
        "organisation_id": row.organisation_id,
        "organisation": row.organisation.name,
        **{
            name: getattr(row, name)
            for name in ClockOut.model_fields
            if name not in ("organisation_id", "organisation")
        },
    }


def _event(event: IncidentEvent) -> dict[str, Any]:
    return {
        "at": event.at,
        "kind": event.kind,
        "organisation_id": event.organisation_id,
        "priority": event.priority,
        "state": event.state,
        "actor": event.actor_label,
    }


def _detail(request: ApiRequest, incident_id: int) -> dict[str, Any]:
    actor = request.auth
    incident = selectors.incident_get(actor=actor, incident_id=incident_id)
    abilities = incident_abilities(
        actor=actor,
        incident=incident,
        affected_org_ids=selectors.affected_org_ids(incident),
        party_roles=selectors.party_roles(incident),
    )
    return {
        **_row(incident),
        "description": incident.description,
        "impact": incident.impact,
        "urgency": incident.urgency,
        "parent_id": incident.parent_id,
        "problem_id": incident.problem_id,
        "reported_by_org_id": incident.reported_by_org_id,
        "abilities": abilities,
        "function": incident.function,
        "parties": [
            {"role": role, "agency": name} for role, name in selectors.incident_parties(incident)
        ],
        "clocks": [_clock(r) for r in selectors.clocks_for(actor=actor, incident=incident)],
        "events": [_event(e) for e in selectors.events_for(actor=actor, incident=incident)],
    }


@router.get(
    "/incidents",
    response={200: list[IncidentRow], **errors(422)},
    summary="Incidents the caller sees",
    description="Provider staff: their provider's services; an agency: those reaching it.",
)
@paginate(Page)
def list_incidents(request: ApiRequest, filters: Query[IncidentFilters]) -> Any:
    return selectors.incident_list(
        actor=request.auth, state=filters.state.strip(), service_code=filters.service.strip()
    )


@router.get(
    "/changes",
    response={200: list[ChangeRow], **errors(422)},
    summary="Changes the caller sees",
    description=(
        "Provider staff: their provider's changes in every state; an agency: the approved,"
        " implemented or closed changes on the services it uses and what they depend on."
    ),
)
@paginate(Page)
def list_changes(request: ApiRequest, filters: Query[StateFilter]) -> Any:
    return selectors.change_list(actor=request.auth, state=filters.state.strip())


@router.get(
    "/problems",
    response={200: list[ProblemRow], **errors(422)},
    summary="Problems and known errors the caller sees",
    description="Provider staff: their provider's problems; nobody else sees any.",
)
@paginate(Page)
def list_problems(request: ApiRequest, filters: Query[StateFilter]) -> Any:
    return selectors.problem_list(actor=request.auth, state=filters.state.strip())


@router.post(
    "/incidents",
    response={201: IncidentOut, **errors(404, 409, 422)},
    summary="Report or open an incident",
    description="An agency reports for itself, on a service it subscribes to (409 otherwise).",
)
def open_incident(request: ApiRequest, payload: IncidentIn) -> Status:
    incident = services.incident_open(
        actor=request.auth,
        service_code=payload.service,
        title=payload.title,
        impact=payload.impact,
        urgency=payload.urgency,
        description=payload.description,
        organisation_id=payload.organisation_id,
    )
    return Status(201, _detail(request, incident.pk))


@router.get(
    "/incidents/{incident_id}",
    response={200: IncidentOut, **errors(404)},
    summary="One incident with the clocks the caller may see",
)
def get_incident(request: ApiRequest, incident_id: int) -> dict[str, Any]:
    return _detail(request, incident_id)


@router.post(
    "/incidents/{incident_id}/transition",
    response={200: IncidentOut, **errors(404, 409, 422)},
    summary="Move an incident to another state",
)
def transition_incident(
    request: ApiRequest, incident_id: int, payload: IncidentTransitionIn
) -> dict[str, Any]:
    selectors.incident_get(actor=request.auth, incident_id=incident_id)
    services.incident_transition(
        actor=request.auth, incident_id=incident_id, target=payload.state.strip()
    )
    return _detail(request, incident_id)


@router.post(
    "/incidents/{incident_id}/notes",
    response={201: IncidentOut, **errors(404, 409, 422)},
    summary="Add a note",
)
def add_note(request: ApiRequest, incident_id: int, payload: NoteIn) -> Status:
    selectors.incident_get(actor=request.auth, incident_id=incident_id)
    services.incident_note(actor=request.auth, incident_id=incident_id, text=payload.text)
    return Status(201, _detail(request, incident_id))


class ProblemIn(Schema):
    service: str
    title: str


class ChangeIn(Schema):
    service: str
    kind: str
    title: str
    window_start: str
    window_end: str
    description: str = ""
    fallback: str = ""


@router.post(
    "/problems",
    response={201: ProblemOut, **errors(404, 422)},
    summary="Open a problem on one of the provider's services",
)
def open_problem(request: ApiRequest, payload: ProblemIn) -> Status:
    problem = services.problem_open(
        actor=request.auth, service_code=payload.service, title=payload.title
    )
    return Status(201, problem_out(request.auth, problem.pk))


@router.post(
    "/changes",
    response={201: ChangeOut, **errors(404, 422)},
    summary="Record a change (standard: approved at once; normal and emergency: a draft)",
)
def create_change(request: ApiRequest, payload: ChangeIn) -> Status:
    change = services.change_create(
        actor=request.auth, service_code=payload.service, kind=payload.kind, title=payload.title,
        window_start=payload.window_start, window_end=payload.window_end,
        description=payload.description, fallback=payload.fallback,
    )  # fmt: skip
    return Status(201, change_out(request.auth, change.pk))


class RespondIn(Schema):
    # Required (may be ""): a body of only optional fields let an array through (schemathesis).
    message: str


class PriorityIn(Schema):
    impact: int
    urgency: int


class WaitIn(Schema):
    organisation_id: int
    waiting: bool
    reason: str = ""


class MajorIn(Schema):
    major: bool


class ParentIn(Schema):
    parent_id: int | None


class LinkProblemIn(Schema):
    problem_id: int | None


def _incident_action(request: ApiRequest, incident_id: int, call: Any) -> dict[str, Any]:
    selectors.incident_get(actor=request.auth, incident_id=incident_id)
    call()
    return _detail(request, incident_id)


@router.post(
    "/incidents/{incident_id}/respond",
    response={200: IncidentOut, **errors(404, 409, 422)},
    summary="The provider's first answer: stops every agency's response clock",
)
def respond(request: ApiRequest, incident_id: int, payload: RespondIn) -> dict[str, Any]:
    return _incident_action(request, incident_id, lambda: services.incident_respond(
        actor=request.auth, incident_id=incident_id, message=payload.message))  # fmt: skip


@router.post(
    "/incidents/{incident_id}/priority",
    response={200: IncidentOut, **errors(404, 409, 422)},
    summary="A new impact × urgency; every clock is counted again from the opening",
)
def set_priority(request: ApiRequest, incident_id: int, payload: PriorityIn) -> dict[str, Any]:
    return _incident_action(request, incident_id, lambda: services.incident_set_priority(
        actor=request.auth, incident_id=incident_id, impact=payload.impact,
        urgency=payload.urgency))  # fmt: skip


@router.post(
    "/incidents/{incident_id}/wait",
    response={200: IncidentOut, **errors(404, 409, 422)},
    summary="Pause (waiting: true, with a reason) or resume one agency's clocks",
)
def wait(request: ApiRequest, incident_id: int, payload: WaitIn) -> dict[str, Any]:
    return _incident_action(request, incident_id, lambda: services.incident_wait(
        actor=request.auth, incident_id=incident_id, organisation_id=payload.organisation_id,
        waiting=payload.waiting, reason=payload.reason))  # fmt: skip


@router.post(
    "/incidents/{incident_id}/major",
    response={200: IncidentOut, **errors(404, 409, 422)},
    summary="Declare or withdraw a major incident",
)
def set_major(request: ApiRequest, incident_id: int, payload: MajorIn) -> dict[str, Any]:
    return _incident_action(request, incident_id, lambda: services.incident_set_major(
        actor=request.auth, incident_id=incident_id, major=payload.major))  # fmt: skip


@router.post(
    "/incidents/{incident_id}/parent",
    response={200: IncidentOut, **errors(404, 409, 422)},
    summary="Make the incident a child of another (null: none)",
)
def set_parent(request: ApiRequest, incident_id: int, payload: ParentIn) -> dict[str, Any]:
    return _incident_action(request, incident_id, lambda: services.incident_set_parent(
        actor=request.auth, incident_id=incident_id, parent_id=payload.parent_id))  # fmt: skip


@router.post(
    "/incidents/{incident_id}/problem",
    response={200: IncidentOut, **errors(404, 409, 422)},
    summary="Link the incident to a problem (null: unlink)",
)
def link_problem(request: ApiRequest, incident_id: int, payload: LinkProblemIn) -> dict[str, Any]:
    return _incident_action(request, incident_id, lambda: services.incident_link_problem(
        actor=request.auth, incident_id=incident_id, problem_id=payload.problem_id))  # fmt: skip


class RouteIn(Schema):
    function: str


class EscalateIn(Schema):
    reason: str


@router.post(
    "/incidents/{incident_id}/route",
    response={200: IncidentOut, **errors(404, 409, 422)},
    summary="Route an incident to a function of its service's responsibility matrix",
    description="R is assigned and told, C and I are told; every party may then see it.",
)
def route_incident(request: ApiRequest, incident_id: int, payload: RouteIn) -> dict[str, Any]:
    selectors.incident_get(actor=request.auth, incident_id=incident_id)
    services.incident_route(actor=request.auth, incident_id=incident_id, function=payload.function)
    return _detail(request, incident_id)


@router.post(
    "/incidents/{incident_id}/escalate",
    response={200: IncidentOut, **errors(404, 409, 422)},
    summary="Escalate a routed incident to the accountable party (A)",
)
def escalate_incident(request: ApiRequest, incident_id: int, payload: EscalateIn) -> dict[str, Any]:
    selectors.incident_get(actor=request.auth, incident_id=incident_id)
    services.incident_escalate(actor=request.auth, incident_id=incident_id, reason=payload.reason)
    return _detail(request, incident_id)


# --- outages and availability (issue 16 item 3, ADR 0830) -------------------------------------


class OutageOut(Schema):
    id: int
    service: str
    level: str
    cause: str
    summary: str
    started_at: datetime.datetime
    ended_at: datetime.datetime | None
    incident_id: int | None


class OutageIn(Schema):
    service: str
    summary: str
    started_at: str
    ended_at: str | None = None
    level: str = "outage"
    incident_id: int | None = None


class OutageEndIn(Schema):
    ended_at: str | None = None


class OutageFilters(Schema):
    service: str = ""
    open: bool = False


class YearQuery(Schema):
    year: int | None = None


class AvailabilityOut(Schema):
    service: str
    name: str
    support_hours: str
    start: datetime.datetime
    end: datetime.datetime
    agreed_seconds: int
    maintenance_seconds: int
    down_seconds: int
    percent: float | None
    target: float
    meets_target: bool | None


class ServiceAvailabilityOut(AvailabilityOut):
    per_agency: list[AvailabilityOut]


class AgencyAvailabilityOut(Schema):
    agency_id: int
    agency: str
    services: list[AvailabilityOut]


def _outage(outage: Any) -> dict[str, Any]:
    return {
        "id": outage.pk,
        "service": outage.service.code,
        "level": outage.level,
        "cause": outage.cause,
        "summary": outage.summary,
        "started_at": outage.started_at,
        "ended_at": outage.ended_at,
        "incident_id": outage.incident_id,
    }


def _availability(row: selectors.ServiceAvailability, name: str | None = None) -> dict[str, Any]:
    return {
        "service": row.code,
        "name": name if name is not None else row.name,
        "support_hours": row.support_hours,
        "start": row.start,
        "end": row.end,
        "agreed_seconds": row.result.agreed_seconds,
        "maintenance_seconds": row.result.maintenance_seconds,
        "down_seconds": row.result.down_seconds,
        "percent": row.percent,
        "target": row.target,
        "meets_target": row.meets,
    }


def _year(query: YearQuery) -> int:
    return selectors.check_year(query.year or timezone.localdate().year)


@router.get(
    "/outages",
    response={200: list[OutageOut], **errors(422)},
    summary="Outages of the services the caller sees",
    description="Provider staff: their provider's services; an agency: the services it has.",
)
@paginate(Page)
def list_outages(request: ApiRequest, filters: Query[OutageFilters]) -> Any:
    rows = selectors.outage_list(
        actor=request.auth, service_code=filters.service.strip().upper(), open_only=filters.open
    )
    return [_outage(o) for o in rows]


@router.post(
    "/outages",
    response={201: OutageOut, **errors(404, 409, 422)},
    summary="Record an outage (provider operators)",
    description="An unknown service or an end before the start is a 422; nothing is stored.",
)
def record_outage(request: ApiRequest, payload: OutageIn) -> Status:
    outage = services.outage_record(
        actor=request.auth,
        service_code=payload.service,
        summary=payload.summary,
        started_at=payload.started_at,
        ended_at=payload.ended_at,
        level=payload.level,
        incident_id=payload.incident_id,
    )
    return Status(201, _outage(outage))


@router.post(
    "/outages/{outage_id}/end",
    response={200: OutageOut, **errors(404, 409, 422)},
    summary="End an open outage",
)
def end_outage(request: ApiRequest, outage_id: int, payload: OutageEndIn) -> dict[str, Any]:
    selectors.outage_get(actor=request.auth, outage_id=outage_id)
    outage = services.outage_end(actor=request.auth, outage_id=outage_id, ended_at=payload.ended_at)
    return _outage(outage)


@router.get(
    "/availability",
    response={200: list[AvailabilityOut], **errors(422)},
    summary="Availability of every service the caller sees, over a year (so far)",
)
@paginate(Page)
def list_availability(request: ApiRequest, query: Query[YearQuery]) -> list[dict[str, Any]]:
    rows = selectors.availability_overview(
        actor=request.auth, year=_year(query), language=get_language() or "sv"
    )
    return [_availability(r) for r in rows]


@router.get(
    "/availability/services/{code}",
    response={200: ServiceAvailabilityOut, **errors(404, 422)},
    summary="One service's availability; per agency for its provider's staff",
)
def service_availability(request: ApiRequest, code: str, query: Query[YearQuery]) -> Any:
    overall, per_agency = selectors.availability_service(
        actor=request.auth, code=code.upper(), year=_year(query), language=get_language() or "sv"
    )
    return {**_availability(overall), "per_agency": [_availability(r) for r in per_agency]}


@router.get(
    "/availability/agencies/{agency_id}",
    response={200: AgencyAvailabilityOut, **errors(404, 422)},
    summary="One agency's availability per service it is connected to",
)
def agency_availability(request: ApiRequest, agency_id: int, query: Query[YearQuery]) -> Any:
    agency, rows = selectors.availability_agency(
        actor=request.auth,
        agency_id=agency_id,
        year=_year(query),
        language=get_language() or "sv",
    )
    return {
        "agency_id": agency.pk,
        "agency": agency.name,
        "services": [_availability(r) for r in rows],
    }


# --- monitoring (issue 16 item 4, ADR 0831) ----------------------------------------------------


class MonitoringBearer(HttpBearer):
    """A provider's monitoring token (Alertmanager `http_config.authorization`); a personal API
    token or a session is not one."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return services.monitoring_actor(token)


class AlertIn(Schema):
    status: str = ""
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    startsAt: str = ""  # noqa: N815 - Alertmanager's field names
    endsAt: str = ""  # noqa: N815
    fingerprint: str = ""


class AlertmanagerIn(Schema):
    version: str = "4"
    status: str = ""
    alerts: list[AlertIn]


class AlertmanagerOut(Schema):
    opened: int
    resolved: int
    unchanged: int


@router.post(
    "/alertmanager",
    auth=MonitoringBearer(),
    response={200: AlertmanagerOut, **errors(422)},
    summary="Prometheus Alertmanager webhook (a provider's monitoring token)",
    description="Labels: samdrift_service (service code), severity (critical opens an incident "
    "too, major an outage, warning a degraded service). Idempotent on the alert's fingerprint "
    "and start; an unknown label or service refuses the whole delivery (422), changing nothing.",
)
def alertmanager(request: ApiRequest, payload: AlertmanagerIn) -> dict[str, int]:
    return services.alertmanager_receive(actor=request.auth, payload=payload.dict())
