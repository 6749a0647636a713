"""API of service operations, mounted under /api/v1/operations (ADR 0808).

The same selectors and services as the CLI (and the pages when they come), so the same rules,
clocks and audit. An incident another agency sees only answers 404, like a missing one.
"""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
from typing import Any

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from samdrift.core.api import ApiRequest, Page, errors

from . import selectors, services
from .models import AffectedAgency, Incident, IncidentEvent
from .permissions import incident_abilities

router = Router(tags=["operations"])


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


class IncidentOut(IncidentRow):
    description: str
    impact: int
    urgency: int
    parent_id: int | None
    problem_id: int | None
    reported_by_org_id: int | None
    abilities: dict[str, bool]
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
        actor=actor, incident=incident, affected_org_ids=selectors.affected_org_ids(incident)
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
