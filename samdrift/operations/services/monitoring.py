"""Prometheus Alertmanager's webhook: alerts open and resolve outages, and a firing critical alert
opens an incident (issue 16 item 4, ADR 0831).

The caller is a provider's monitoring token (`Authorization: Bearer …`, Alertmanager's
`http_config.authorization`); only its SHA-256 is stored. The whole payload is checked before
anything is written: a missing or unknown `samdrift_*` label, an unknown severity or a service the
token's provider does not run refuses the delivery with a bilingual 422 and changes nothing. An
alert is known by its fingerprint and start (`alert_key`), so Alertmanager's repeated deliveries
of the same alert change nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.catalogue.selectors import service_for_change
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, ValidationFailed

from ..choices import IncidentState, OutageCause, OutageLevel
from ..models import MonitoringToken, Outage
from ..permissions import MANAGERS
from ._common import _text
from .incidents import incident_open, incident_transition
from .outages import outage_end, outage_record

SERVICE_LABEL = "samdrift_service"
#: The labels samdrift reads; any other `samdrift_*` label is a mistake in the rule.
KNOWN_LABELS = frozenset({SERVICE_LABEL})
#: Alertmanager's `severity` label → the outage level and whether a firing alert opens an
#: incident (impact and urgency high: priority 1).
SEVERITIES: dict[str, tuple[str, bool]] = {
    "critical": (OutageLevel.OUTAGE, True),
    "major": (OutageLevel.OUTAGE, False),
    "warning": (OutageLevel.DEGRADED, False),
}
BAD_ALERT = _(
    "Alert %(number)s cannot be used: %(reason)s Nothing in this delivery was recorded; correct "
    "the alerting rule's labels."
)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def monitoring_token_create(*, actor: Actor, provider_id: int, name: str) -> tuple[Any, str]:
    """A new bearer token for the provider's Alertmanager; the secret is shown once."""
    if not actor.has_provider_role_in(provider_id, *MANAGERS):
        raise NotFound("organisation")
    name = _text(name, "name", required=True, limit=100)
    secret = "sdm_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = MonitoringToken.objects.create(
            provider_id=provider_id, name=name, token_hash=token_hash(secret)
        )
        audit_record(
            actor=actor,
            action="operations.monitoring_token_create",
            obj=token,
            organisation_id=provider_id,
            after={"name": name},
        )
    return token, secret


def monitoring_actor(secret: str) -> Actor | None:
    """The actor a valid, unrevoked token stands for: its provider's monitoring, with the
    operator rights outages and incidents need; None for anything else."""
    if not secret:
        return None
    token = (
        MonitoringToken.objects.filter(token_hash=token_hash(secret), revoked_at__isnull=True)
        .values("provider_id", "name")
        .first()
    )
    if token is None:
        return None
    return Actor(
        user_id=None,
        label=f"Alertmanager ({token['name']})",
        provider_roles_by_org={token["provider_id"]: frozenset({"service_manager"})},
    )


@dataclass(frozen=True)
class _Alert:
    status: str
    service_code: str
    level: str
    opens_incident: bool
    key: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    title: str


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value or value.startswith("0001-"):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


def _refuse(number: int, reason: Any, **params: Any) -> ValidationFailed:
    """The refusal of a delivery; `reason` stays lazy so the message renders in each language."""
    why = lazy(lambda: str(reason) % params if params else str(reason), str)()
    return ValidationFailed(
        BAD_ALERT, errors={f"alerts.{number}": [str(why)]}, number=number, reason=why
    )


def _parse(actor: Actor, number: int, alert: Any) -> _Alert:
    if not isinstance(alert, dict):
        raise _refuse(number, _("it is not an object."))
    labels = alert.get("labels") or {}
    if not isinstance(labels, dict):
        raise _refuse(number, _("its labels are not an object."))
    unknown = sorted(k for k in labels if k.startswith("samdrift_") and k not in KNOWN_LABELS)
    if unknown:
        raise _refuse(number, _("unknown label %(labels)s."), labels=", ".join(unknown))
    code = str(labels.get(SERVICE_LABEL) or "").strip().upper()
    if not code:
        raise _refuse(number, _("the label samdrift_service (the service code) is missing."))
    try:
        service_for_change(actor=actor, code=code)
    except NotFound:
        raise _refuse(
            number,
            _("no service with the code “%(code)s” is run by this token's provider."),
            code=code,
        ) from None
    severity = str(labels.get("severity") or "").strip().lower()
    if severity not in SEVERITIES:
        raise _refuse(
            number,
            _("the label severity is “%(severity)s”; use critical, major or warning."),
            severity=severity,
        )
    status = alert.get("status")
    fingerprint = str(alert.get("fingerprint") or "")
    starts_at = _time(alert.get("startsAt"))
    if status not in ("firing", "resolved") or not fingerprint or starts_at is None:
        raise _refuse(number, _("status, fingerprint or startsAt is missing or malformed."))
    ends_at = _time(alert.get("endsAt")) if status == "resolved" else None
    annotations = alert.get("annotations")
    if not isinstance(annotations, dict):
        annotations = {}
    title = str(annotations.get("summary") or labels.get("alertname") or code)[:200]
    level, opens_incident = SEVERITIES[severity]
    return _Alert(
        status=status,
        service_code=code,
        level=level,
        opens_incident=opens_incident,
        key=f"{fingerprint}@{starts_at.isoformat()}"[:200],
        starts_at=starts_at,
        ends_at=max(ends_at, starts_at + dt.timedelta(seconds=1)) if ends_at else None,
        title=title,
    )


def alertmanager_receive(*, actor: Actor, payload: Any) -> dict[str, int]:
    """Apply one webhook delivery; returns how many outages were opened, resolved and left as
    they were (a repeated delivery)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("alerts"), list):
        raise ValidationFailed(
            _("This is not an Alertmanager webhook message (version 4): “alerts” is missing."),
            errors={"alerts": ["missing"]},
        )
    alerts = [_parse(actor, n, alert) for n, alert in enumerate(payload["alerts"], start=1)]
    provider_id = next(iter(actor.provider_org_ids))
    counts = {"opened": 0, "resolved": 0, "unchanged": 0}
    with transaction.atomic():
        for alert in alerts:
            outage = (
                Outage.objects.select_for_update()
                .filter(provider_id=provider_id, alert_key=alert.key)
                .first()
            )
            if alert.status == "firing":
                if outage is not None:
                    counts["unchanged"] += 1
                    continue
                _open(actor, alert)
                counts["opened"] += 1
            elif outage is None:
                outage_record(
                    actor=actor,
                    service_code=alert.service_code,
                    started_at=alert.starts_at,
                    ended_at=alert.ends_at or timezone.now(),
                    summary=alert.title,
                    level=alert.level,
                    cause=OutageCause.MONITORING,
                    alert_key=alert.key,
                )
                counts["resolved"] += 1
            elif outage.ended_at is None:
                _resolve(actor, outage, alert)
                counts["resolved"] += 1
            else:
                counts["unchanged"] += 1
    return counts


def _open(actor: Actor, alert: _Alert) -> None:
    incident_id = None
    if alert.opens_incident:
        incident = incident_open(
            actor=actor,
            service_code=alert.service_code,
            title=alert.title,
            description=str(_("Opened by monitoring (Prometheus Alertmanager).")),
            impact=1,
            urgency=1,
            now=alert.starts_at,
        )
        incident_id = incident.pk
    outage_record(
        actor=actor,
        service_code=alert.service_code,
        started_at=alert.starts_at,
        summary=alert.title,
        level=alert.level,
        cause=OutageCause.MONITORING,
        incident_id=incident_id,
        alert_key=alert.key,
    )


def _resolve(actor: Actor, outage: Outage, alert: _Alert) -> None:
    outage_end(actor=actor, outage_id=outage.pk, ended_at=alert.ends_at or timezone.now())
    if outage.incident_id is None:
        return
    state = Outage.objects.filter(pk=outage.pk).values_list("incident__state", flat=True).first()
    if state in (IncidentState.NEW, IncidentState.IN_PROGRESS):
        incident_transition(actor=actor, incident_id=outage.incident_id, target="resolved")
