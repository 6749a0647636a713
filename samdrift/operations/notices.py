"""Who is told about an incident (notifications, ADR 0806). Called by `services` inside their
transaction, so a refused or rolled-back change tells nobody."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from samdrift.core.actor import Actor
from samdrift.core.notifications.services import notify_groups
from samdrift.organisations.services import notify_agency_contacts

from . import deadlines
from .models import Change, Incident

MAJOR_INCIDENT = "major_incident"

#: The incident's page (ADR 0806).
INCIDENT_LINK = "/operations/incidents/{id}/"


def _tell_contacts(
    *, actor: Actor, org_ids: Iterable[int], kind: str, context: dict[str, Any], link: str
) -> int:
    """The contacts of each agency, each told of its own agency only (`agency` is added to the
    context). Returns the number of notifications written."""
    return sum(
        _tell_each(actor=actor, org_ids=org_ids, kind=kind, context=context, link=link).values()
    )


def _tell_each(
    *, actor: Actor, org_ids: Iterable[int], kind: str, context: dict[str, Any], link: str
) -> dict[int, int]:
    """As `_tell_contacts`, with the number written per agency."""
    return notify_agency_contacts(
        actor=actor, org_ids=org_ids, kind=kind, context=context, link=link
    )


def major_incident(*, actor: Actor, incident: Incident, org_ids: Iterable[int]) -> int:
    """The contacts of every agency the major incident reaches."""
    context = {
        "title": incident.title,
        "service": incident.service.code,
        "priority": incident.priority,
        "incident_id": incident.pk,
    }
    return _tell_contacts(
        actor=actor,
        org_ids=org_ids,
        kind=MAJOR_INCIDENT,
        context=context,
        link=INCIDENT_LINK.format(id=incident.pk),
    )


CHANGE_PLANNED = "change_planned"
CHANGE_SOON = "change_soon"


def change_window(*, actor: Actor, change: Change, org_ids: Iterable[int], kind: str) -> int:
    """The contacts of every agency an approved change reaches (its service or a service that
    depends on it, ADR 0840): the window, before it starts (ADR 0842)."""
    context = {
        "title": change.title,
        "service": change.service.code,
        "start": timezone.localtime(change.window_start).strftime("%Y-%m-%d %H:%M"),
        "end": timezone.localtime(change.window_end).strftime("%Y-%m-%d %H:%M"),
    }
    return _tell_contacts(
        actor=actor, org_ids=org_ids, kind=kind, context=context, link="/operations/"
    )


INCIDENT_REPORTABLE = "incident_reportable"


def incident_reportable(
    *, actor: Actor, incident: Incident, org_ids: Iterable[int], regimes: Iterable[str]
) -> dict[int, int]:
    """The contacts of every agency the incident reaches: it is being reported under *regimes*
    (ADR 0844). Returns how many were told per agency (the processor notice of GDPR art. 33(2)
    is met for an agency only when someone there was told)."""
    codes = list(regimes)
    context = {
        "title": incident.title,
        "service": incident.service.code,
        "incident_id": incident.pk,
        "regimes_sv": "; ".join(deadlines.regime_label(code, "sv") for code in codes),
        "regimes_en": "; ".join(deadlines.regime_label(code, "en") for code in codes),
        "personal_data": "gdpr-33" in codes,
    }
    return _tell_each(
        actor=actor,
        org_ids=org_ids,
        kind=INCIDENT_REPORTABLE,
        context=context,
        link=INCIDENT_LINK.format(id=incident.pk),
    )


INCIDENT_ASSIGNED = "incident_assigned"
INCIDENT_INFORMED = "incident_informed"
INCIDENT_ESCALATED = "incident_escalated"


def _incident_context(incident: Incident) -> dict[str, Any]:
    return {
        "title": incident.title,
        "service": incident.service.code,
        "priority": incident.priority,
        "incident_id": incident.pk,
        "function": incident.function,
    }


def incident_routed(
    *,
    actor: Actor,
    incident: Incident,
    function: str,
    assigned: Iterable[int],
    informed: Iterable[int],
) -> int:
    """The contacts of the responsible parties (R) of the function, and of those consulted or
    informed (C, I), ADR 0845."""
    link = INCIDENT_LINK.format(id=incident.pk)
    context = _incident_context(incident)
    told = _tell_contacts(
        actor=actor, org_ids=assigned, kind=INCIDENT_ASSIGNED, context=context, link=link
    )
    return told + _tell_contacts(
        actor=actor,
        org_ids=set(informed) - set(assigned),
        kind=INCIDENT_INFORMED,
        context=context,
        link=link,
    )


def incident_escalated(
    *, actor: Actor, incident: Incident, org_ids: Iterable[int], reason: str
) -> int:
    """The contacts of the accountable party (A) of the incident's function."""
    return _tell_contacts(
        actor=actor,
        org_ids=org_ids,
        kind=INCIDENT_ESCALATED,
        context={**_incident_context(incident), "reason": reason},
        link=INCIDENT_LINK.format(id=incident.pk),
    )


def clock_alert(
    *,
    actor: Actor,
    incident: Incident,
    user_ids: Iterable[int],
    level: str,
    clocks: list[tuple[str, str]],
) -> int:
    """The provider's operators: these agencies' clocks reached a warning or were breached
    (ADR 0849). `clocks` is (agency name, "response" or "resolution")."""
    lines_sv = [f"{name}: {'svar' if clock == 'response' else 'åtgärd'}" for name, clock in clocks]
    lines_en = [f"{name}: {clock}" for name, clock in clocks]
    context = {
        **_incident_context(incident),
        "level": level,
        "count": len(clocks),
        "clocks_sv": "\n".join(lines_sv),
        "clocks_en": "\n".join(lines_en),
    }
    kind = CLOCK_BREACHED if level == "breached" else CLOCK_WARNING
    rows = notify_groups([(user_ids, context)], kind, link=INCIDENT_LINK.format(id=incident.pk),
                         actor=actor)  # fmt: skip
    return len(rows[0])


CLOCK_WARNING = "clock_warning"
CLOCK_BREACHED = "clock_breached"
