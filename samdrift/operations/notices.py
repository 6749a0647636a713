"""Who is told about an incident (notifications, ADR 0806). Called by `services` inside their
transaction, so a refused or rolled-back change tells nobody."""

from __future__ import annotations

from collections.abc import Iterable

from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.notifications.services import notify
from samdrift.organisations.selectors import member_list, organisation_get

from .models import Incident

MAJOR_INCIDENT = "major_incident"

#: Hook point (ADR 0806): where an incident page will be; the pages are not built yet.
INCIDENT_LINK = "/operations/incidents/{id}/"


def major_incident(*, actor: Actor, incident: Incident, org_ids: Iterable[int]) -> int:
    """The contacts of every agency the major incident reaches, each told of its own agency only.
    Returns the number of notifications written."""
    written = 0
    for org_id in sorted(set(org_ids)):
        organisation = organisation_get(actor=SYSTEM, org_id=org_id)
        contacts = member_list(actor=SYSTEM, organisation=organisation).filter(role="contact")
        written += len(
            notify(
                contacts.values_list("user_id", flat=True),
                MAJOR_INCIDENT,
                {
                    "title": incident.title,
                    "service": incident.service.code,
                    "agency": organisation.name,
                    "priority": incident.priority,
                    "incident_id": incident.pk,
                },
                link=INCIDENT_LINK.format(id=incident.pk),
                actor=actor,
            )
        )
    return written
