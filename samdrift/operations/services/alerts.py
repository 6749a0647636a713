"""Alerts before and when an agency's clock runs out (ADR 0849): a schedule replays the clocks
of every open incident and tells the provider's operators once when a clock reaches 75 % of its
target (warning) and once when it passes it (breach), per agency and clock. The status on the
page is the replay; the alert is the push, so nobody has to watch a list."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction

from samdrift.core.actor import SYSTEM
from samdrift.organisations.selectors import members_in_roles, organisations_by_id

from .. import notices
from ..choices import ClockStatus, IncidentState
from ..models import AffectedAgency, Incident
from ..permissions import OPERATORS
from ._common import _now
from .recompute import BATCH, _replay_incidents

LEVEL = {"": 0, ClockStatus.WARNING: 1, ClockStatus.BREACHED: 2}


def alert_clocks(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Replay the open incidents' clocks and alert what newly reached warning or breach.
    Returns how many clocks were alerted per level."""
    moment = _now(now)
    counts = {"warning": 0, "breached": 0}
    open_ids = list(
        Incident.objects.filter(state__in=[IncidentState.NEW, IncidentState.IN_PROGRESS])
        .order_by("id")
        .values_list("id", flat=True)
    )
    for first in range(0, len(open_ids), BATCH):
        batch = open_ids[first : first + BATCH]
        with transaction.atomic():
            rows = list(AffectedAgency.objects.select_for_update().filter(incident_id__in=batch))
            _replay_incidents(rows, batch, moment)
            due: dict[int, list[tuple[AffectedAgency, str, str]]] = defaultdict(list)
            for row in rows:
                for clock in ("response", "resolution"):
                    status = getattr(row, f"{clock}_status")
                    if LEVEL.get(status, 0) > LEVEL.get(getattr(row, f"{clock}_alerted"), 0):
                        due[row.incident_id].append((row, clock, status))
                        setattr(row, f"{clock}_alerted", status)
                        counts[status] += 1
            if due:
                _tell(due)
                AffectedAgency.objects.bulk_update(
                    [row for items in due.values() for row, _c, _s in items],
                    ["response_alerted", "resolution_alerted"],
                )
    return counts


def _tell(due: dict[int, list[tuple[AffectedAgency, str, str]]]) -> None:
    incidents = {i.pk: i for i in Incident.objects.select_related("service").filter(id__in=due)}
    providers = sorted({i.provider_id for i in incidents.values()})
    operators: dict[int, list[int]] = defaultdict(list)
    for org_id, _role, user_id in members_in_roles(providers, OPERATORS):
        operators[org_id].append(user_id)
    agency_ids = {row.organisation_id for items in due.values() for row, _c, _s in items}
    names = dict(organisations_by_id(agency_ids).values_list("id", "name"))
    for incident_id, items in sorted(due.items()):
        incident = incidents[incident_id]
        for level in (ClockStatus.BREACHED, ClockStatus.WARNING):
            clocks = [(names.get(row.organisation_id, ""), clock)
                      for row, clock, status in items if status == level]  # fmt: skip
            if clocks:
                notices.clock_alert(
                    actor=SYSTEM, incident=incident, user_ids=operators[incident.provider_id],
                    level=str(level), clocks=clocks,
                )  # fmt: skip
