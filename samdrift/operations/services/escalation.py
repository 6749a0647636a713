"""Escalation to the accountable party (A) of the function an incident was routed to (ADR 0845):
by hand (`raci.incident_escalate`) or when a routed incident is declared major. Called inside
the caller's transaction."""

from __future__ import annotations

import datetime as dt

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor

from .. import notices
from ..choices import EventKind
from ..models import Incident, IncidentParty
from ._common import _event


def escalate(actor: Actor, incident: Incident, reason: str, *, at: dt.datetime) -> None:
    accountable = list(
        IncidentParty.objects.filter(incident=incident, role="A").values_list(
            "organisation_id", flat=True
        )
    )
    _event(
        incident, EventKind.ESCALATED, actor=actor, at=at, reason=reason, accountable=accountable
    )
    notices.incident_escalated(actor=actor, incident=incident, org_ids=accountable, reason=reason)
    audit_record(
        actor=actor,
        action="operations.incident_escalate",
        obj=incident,
        after={"reason": reason, "accountable": accountable},
    )


def escalate_if_routed(actor: Actor, incident: Incident, reason: str, at: dt.datetime) -> None:
    """A major incident on a routed function goes to its accountable party at once."""
    if incident.function:
        escalate(actor, incident, reason, at=at)
