"""Clock replays: one incident's agencies, or every incident reached through a service after an
agreement change (ADR 0804).

Both go through `_replay_incidents`: the events and affected rows of a batch of incidents are
read in two queries, the catalogue's hours once, every agency replayed, and the rows written in
one bulk update. An agreement change works in batches of `BATCH` incidents, one transaction each
(the incidents locked), with one audit record per incident, appended to the chain together
(`audit_records`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, cast

from django.db import connection, models, transaction

from samdrift.audit.services import AuditEntry, audit_records
from samdrift.core.actor import Actor

from ..calendars import calendar_for, widest
from ..choices import TARGETS
from ..clocks import ClockEvent, replay
from ..models import AffectedAgency, Incident, IncidentEvent
from ..selectors import support_hours_of
from ._common import _now

BATCH = 500

CLOCK_FIELDS = [
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
]


def _replay_incidents(
    rows: list[AffectedAgency], incident_ids: list[int], moment: dt.datetime
) -> list[AffectedAgency]:
    events: dict[int, list[ClockEvent]] = defaultdict(list)
    for incident_id, at, kind, org, priority, state, seq in (
        IncidentEvent.objects.filter(incident_id__in=incident_ids)
        .order_by("incident_id", "at", "id")
        .values_list("incident_id", "at", "kind", "organisation_id", "priority", "state", "id")
    ):
        events[incident_id].append(
            ClockEvent(
                at=at, kind=kind, organisation_id=org, priority=priority, state=state, seq=seq
            )
        )
    hours = support_hours_of({code for row in rows for code in row.via_services})
    for row in rows:
        level = widest([hours[c] for c in row.via_services if c in hours]) or row.support_hours
        row.support_hours = level
        clocks = replay(
            events[row.incident_id],
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
    _write(rows)
    return rows


def _write(rows: list[AffectedAgency]) -> None:
    """One `UPDATE … WHERE id = %s` executed for all rows: Django's `bulk_update` builds a
    CASE expression per field and row, which cost two thirds of a recompute (bench-operations)."""
    if not rows:
        return
    meta = AffectedAgency._meta
    fields = [cast("models.Field[Any, Any]", meta.get_field(name)) for name in CLOCK_FIELDS]
    ops = connection.ops
    sets = ", ".join(f"{ops.quote_name(str(field.column))} = %s" for field in fields)
    # Only the model's own quoted table and column names go into the text; values are parameters.
    sql = f"UPDATE {ops.quote_name(meta.db_table)} SET {sets} WHERE {ops.quote_name('id')} = %s"  # noqa: S608
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def recompute_clocks(incident: Incident, *, now: dt.datetime | None = None) -> list[AffectedAgency]:
    """Replay every affected agency's clocks from the incident's events, with the agreed hours
    the catalogue states now (retroactive by construction, ADR 0804). Runs in the caller's
    transaction; two queries and one bulk update whatever the number of agencies."""
    rows = list(AffectedAgency.objects.filter(incident=incident))
    return _replay_incidents(rows, [incident.pk], _now(now))


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
    for first in range(0, len(ids), BATCH):
        with transaction.atomic():
            incidents = list(
                Incident.objects.select_for_update()
                .filter(id__in=ids[first : first + BATCH])
                .order_by("id")
            )
            by_incident: dict[int, list[AffectedAgency]] = defaultdict(list)
            for row in AffectedAgency.objects.filter(incident__in=incidents):
                by_incident[row.incident_id].append(row)
            reached = [
                incident
                for incident in incidents
                if any(service_code in row.via_services for row in by_incident[incident.pk])
            ]
            if not reached:
                continue
            _replay_incidents(
                [row for incident in reached for row in by_incident[incident.pk]],
                [incident.pk for incident in reached],
                moment,
            )
            audit_records(
                actor=actor,
                entries=[
                    AuditEntry(
                        "operations.clocks_recomputed",
                        obj=incident,
                        after={"service": service_code},
                    )
                    for incident in reached
                ],
            )
            count += len(reached)
    return count
