"""Outage writes: record one (by hand, from an incident, from monitoring) and end it (ADR 0830).

One transaction and one audit record each; bad input (an unknown service, an end before the
start, a start in the future) is a `ValidationFailed` in the reader's language and stores
nothing. An outage recorded from an incident ends when the incident is resolved (an incident
hook, ADR 0808).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.catalogue.selectors import service_for_change
from samdrift.core import live
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed

from ..choices import EventKind, IncidentState, OutageCause, OutageLevel
from ..models import Incident, Outage
from ..permissions import may_record_outage
from ..selectors import status_followers
from ._common import _local, _moment, _now, _text, register_incident_hook

UNKNOWN_SERVICE = _(
    "There is no service with the code “%(service)s” that you operate. Use the code shown in the "
    "service catalogue."
)
OUTAGE_ORDER = _("The outage must end after it starts (%(start)s – %(end)s).")
FUTURE_START = _("An outage cannot start in the future (%(start)s).")
ALREADY_ENDED = _("This outage has already ended.")
BAD_LEVEL = _("Choose the level “outage” or “degraded”.")
#: How far ahead of the server's clock a start may be (clock skew of a monitoring system).
SKEW = dt.timedelta(minutes=5)

_FIELDS = ["level", "cause", "summary", "started_at", "ended_at", "alert_key"]


def _publish(outage: Outage) -> None:
    """Tell the status pages of every agency using the service (and its provider's) that an
    outage changed; the pages re-fetch themselves after the commit (ADRs 0026, 0832)."""
    for org_id in status_followers(outage.service_id):
        live.publish(f"opsstatus:{org_id}", {"change": "outage"})


def _check_order(start: dt.datetime, end: dt.datetime | None) -> None:
    if end is not None and end <= start:
        raise ValidationFailed(
            OUTAGE_ORDER,
            errors={"ended_at": [str(_("Must be after the start."))]},
            start=_local(start),
            end=_local(end),
        )


def outage_record(
    *,
    actor: Actor,
    service_code: str,
    started_at: Any,
    summary: str,
    ended_at: Any = None,
    level: str = OutageLevel.OUTAGE,
    cause: str = OutageCause.MANUAL,
    incident_id: int | None = None,
    alert_key: str = "",
    now: dt.datetime | None = None,
) -> Outage:
    """Record an outage of a service the actor's provider operates."""
    code = (service_code or "").strip().upper()
    try:
        service = service_for_change(actor=actor, code=code)
    except NotFound:
        raise ValidationFailed(UNKNOWN_SERVICE, errors={"service": [code]}, service=code) from None
    if not may_record_outage(actor=actor, provider_id=service.provider_id):
        raise ValidationFailed(UNKNOWN_SERVICE, errors={"service": [code]}, service=code)
    summary = _text(summary, "summary", required=True, limit=200)
    if level not in OutageLevel.values:
        raise ValidationFailed(BAD_LEVEL, errors={"level": [str(level)]})
    start = _moment(started_at, "started_at")
    if start is None:
        raise ValidationFailed(_("Fill in this field."), errors={"started_at": [""]})
    end = _moment(ended_at, "ended_at")
    _check_order(start, end)
    if start > _now(now) + SKEW:
        raise ValidationFailed(
            FUTURE_START, errors={"started_at": [_local(start)]}, start=_local(start)
        )
    with transaction.atomic():
        incident = None
        if incident_id is not None:
            incident = Incident.objects.filter(id=incident_id, service=service).first()
            if incident is None:
                raise NotFound("incident")
        outage = Outage.objects.create(
            service=service,
            provider_id=service.provider_id,
            level=level,
            cause=cause,
            summary=summary,
            started_at=start,
            ended_at=end,
            incident=incident,
            alert_key=alert_key,
            recorded_by=str(actor.label)[:200],
        )
        audit_record(
            actor=actor,
            action="operations.outage_record",
            obj=outage,
            after={**snapshot(outage, _FIELDS), "service": service.code},
        )
        _publish(outage)
    return outage


def outage_end(
    *, actor: Actor, outage_id: int, ended_at: Any = None, now: dt.datetime | None = None
) -> Outage:
    """End an open outage (now, or at the time given)."""
    with transaction.atomic():
        outage = Outage.objects.select_for_update().filter(id=outage_id).first()
        if outage is None or not may_record_outage(actor=actor, provider_id=outage.provider_id):
            raise NotFound("outage")
        if outage.ended_at is not None:
            raise BusinessRuleViolation(ALREADY_ENDED, code="already_ended")
        end = _moment(ended_at, "ended_at") or _now(now)
        _check_order(outage.started_at, end)
        before = snapshot(outage, _FIELDS)
        outage.ended_at = end
        outage.save(update_fields=["ended_at", "updated_at"])
        audit_record(
            actor=actor,
            action="operations.outage_end",
            obj=outage,
            before=before,
            after=snapshot(outage, _FIELDS),
        )
        _publish(outage)
    return outage


def outage_from_incident(
    *, actor: Actor, incident_id: int, level: str = OutageLevel.OUTAGE
) -> Outage:
    """An outage from the time the incident was opened; it ends when the incident resolves."""
    incident = Incident.objects.select_related("service").filter(id=incident_id).first()
    if incident is None or not may_record_outage(actor=actor, provider_id=incident.provider_id):
        raise NotFound("incident")
    if incident.state not in (IncidentState.NEW, IncidentState.IN_PROGRESS):
        raise BusinessRuleViolation(
            _("Only an open incident can start an outage."), code="incident_not_open"
        )
    return outage_record(
        actor=actor,
        service_code=incident.service.code,
        started_at=incident.opened_at,
        summary=incident.title,
        level=level,
        cause=OutageCause.INCIDENT,
        incident_id=incident.pk,
    )


def _end_with_incident(incident_id: int, kind: str) -> None:
    """Incident hook: a resolved incident ends the open outages recorded from it."""
    if kind != EventKind.STATE:
        return
    incident = Incident.objects.filter(id=incident_id).first()
    if incident is None or incident.state not in (IncidentState.RESOLVED, IncidentState.CLOSED):
        return
    open_ids = Outage.objects.filter(
        incident_id=incident_id, cause=OutageCause.INCIDENT, ended_at__isnull=True
    ).values_list("id", flat=True)
    for outage_id in list(open_ids):
        outage_end(actor=SYSTEM, outage_id=outage_id)


register_incident_hook(_end_with_incident)
