"""Clock replays: one incident's agencies, or every incident reached through a service after an
agreement change (ADR 0804)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor

from ..calendars import calendar_for, widest
from ..choices import (
    TARGETS,
)
from ..clocks import ClockEvent, replay
from ..models import AffectedAgency, Incident, IncidentEvent
from ..selectors import support_hours_of
from ._common import (
    _now,
)


def recompute_clocks(incident: Incident, *, now: dt.datetime | None = None) -> list[AffectedAgency]:
    """Replay every affected agency's clocks from the incident's events, with the agreed hours
    the catalogue states now (retroactive by construction, ADR 0804). Runs in the caller's
    transaction; two queries and one bulk update whatever the number of agencies."""
    moment = _now(now)
    events = [
        ClockEvent(
            at=e.at,
            kind=e.kind,
            organisation_id=e.organisation_id,
            priority=e.priority,
            state=e.state,
            seq=e.id,
        )
        for e in IncidentEvent.objects.filter(incident=incident).order_by("at", "id")
    ]
    rows = list(AffectedAgency.objects.filter(incident=incident))
    hours = support_hours_of({code for row in rows for code in row.via_services})
    for row in rows:
        level = widest([hours[c] for c in row.via_services if c in hours]) or row.support_hours
        row.support_hours = level
        clocks = replay(
            events,
            organisation_id=row.organisation_id,
            calendar=calendar_for(level),
            targets=TARGETS.get(level, TARGETS["office"]),
            now=moment,
        )
        if clocks is None:
            continue
        row.response_status = clocks.response.status
        row.response_elapsed = clocks.response.elapsed
        row.response_target = clocks.response.target
        row.response_due_at = clocks.response.due_at
        row.resolution_status = clocks.resolution.status
        row.resolution_elapsed = clocks.resolution.elapsed
        row.resolution_target = clocks.resolution.target
        row.resolution_due_at = clocks.resolution.due_at
        row.computed_at = moment
    AffectedAgency.objects.bulk_update(
        rows,
        [
            "support_hours",
            "response_status",
            "response_elapsed",
            "response_target",
            "response_due_at",
            "resolution_status",
            "resolution_elapsed",
            "resolution_target",
            "resolution_due_at",
            "computed_at",
        ],
        batch_size=500,
    )
    return rows


def _concerned(incident: Incident) -> set[int]:
    found = set(
        AffectedAgency.objects.filter(incident=incident).values_list("organisation_id", flat=True)
    )
    if incident.reported_by_org_id:
        found.add(incident.reported_by_org_id)
    return found


def recompute_service(*, actor: Actor, service_code: str, now: dt.datetime | None = None) -> int:
    """After an agreement change (a service's support hours): replay the clocks of every
    incident that reaches an agency through that service. Returns the number of incidents."""
    moment = _now(now)
    count = 0
    ids = list(
        Incident.objects.filter(id__in=AffectedAgency.objects.values("incident_id"))
        .values_list("id", flat=True)
        .order_by("id")
    )
    for incident_id in ids:
        with transaction.atomic():
            incident = Incident.objects.select_for_update().get(id=incident_id)
            rows = AffectedAgency.objects.filter(incident=incident)
            if not any(service_code in row.via_services for row in rows):
                continue
            recompute_clocks(incident, now=moment)
            audit_record(
                actor=actor,
                action="operations.clocks_recomputed",
                obj=incident,
                after={"service": service_code},
            )
            count += 1
    return count


# --- problems ----------------------------------------------------------------------------------
