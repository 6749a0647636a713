"""The operations vocabulary (ITIL, Swedish first in the interface) and its data tables.

Priority is looked up, never computed: `PRIORITY[impact][urgency]` (ADR 0801). The targets of
the clocks per support-hours level and priority are data too (`TARGETS`, ADR 0803).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Impact(models.IntegerChoices):
    HIGH = 1, _("High: a whole service or many agencies")
    MEDIUM = 2, _("Medium: a part of a service or one agency")
    LOW = 3, _("Low: a few users")


class Urgency(models.IntegerChoices):
    HIGH = 1, _("High: work has stopped")
    MEDIUM = 2, _("Medium: work is hindered")
    LOW = 3, _("Low: can wait")


class Priority(models.IntegerChoices):
    CRITICAL = 1, _("1 Critical")
    HIGH = 2, _("2 High")
    MODERATE = 3, _("3 Moderate")
    LOW = 4, _("4 Low")
    PLANNING = 5, _("5 Planning")


#: impact × urgency → priority (ServiceNow's 3×3 lookup, ADR 0801).
PRIORITY: dict[int, dict[int, int]] = {
    Impact.HIGH: {Urgency.HIGH: 1, Urgency.MEDIUM: 2, Urgency.LOW: 3},
    Impact.MEDIUM: {Urgency.HIGH: 2, Urgency.MEDIUM: 3, Urgency.LOW: 4},
    Impact.LOW: {Urgency.HIGH: 3, Urgency.MEDIUM: 4, Urgency.LOW: 5},
}


def priority_of(impact: int, urgency: int) -> int:
    return PRIORITY[impact][urgency]


class IncidentState(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


#: The incident as a state machine: from each state, where it may go (ADR 0802).
INCIDENT_TRANSITIONS: dict[str, frozenset[str]] = {
    IncidentState.NEW: frozenset({IncidentState.IN_PROGRESS, IncidentState.RESOLVED}),
    IncidentState.IN_PROGRESS: frozenset({IncidentState.RESOLVED}),
    IncidentState.RESOLVED: frozenset({IncidentState.IN_PROGRESS, IncidentState.CLOSED}),
    IncidentState.CLOSED: frozenset(),
}


class EventKind(models.TextChoices):
    """Every change of an incident is one event; the clocks are a replay of them (ADR 0804)."""

    OPENED = "opened", _("Opened")
    AFFECTED = "affected", _("Agency affected")
    PRIORITY = "priority", _("Priority changed")
    RESPONDED = "responded", _("Responded")
    STATE = "state", _("State changed")
    WAITING = "waiting", _("Waiting for the agency")
    RESUMED = "resumed", _("No longer waiting for the agency")
    MAJOR = "major", _("Major incident flag changed")
    PARENT = "parent", _("Parent incident changed")
    PROBLEM = "problem", _("Linked to a problem")
    NOTE = "note", _("Note")
    RECOMPUTED = "recomputed", _("Clocks recomputed")
    CLASSIFIED = "classified", _("Classified as reportable")
    REPORTED = "reported", _("Legal report made")
    ROUTED = "routed", _("Routed by the responsibility matrix")
    ESCALATED = "escalated", _("Escalated to the accountable party")


class ProblemState(models.TextChoices):
    OPEN = "open", _("Under investigation")
    KNOWN_ERROR = "known_error", _("Known error")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


PROBLEM_TRANSITIONS: dict[str, frozenset[str]] = {
    ProblemState.OPEN: frozenset({ProblemState.KNOWN_ERROR, ProblemState.RESOLVED}),
    ProblemState.KNOWN_ERROR: frozenset({ProblemState.RESOLVED}),
    ProblemState.RESOLVED: frozenset({ProblemState.OPEN, ProblemState.CLOSED}),
    ProblemState.CLOSED: frozenset(),
}


class ChangeKind(models.TextChoices):
    STANDARD = "standard", _("Standard change (pre-approved)")
    NORMAL = "normal", _("Normal change")
    EMERGENCY = "emergency", _("Emergency change")


class ChangeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    IMPLEMENTED = "implemented", _("Implemented")
    CLOSED = "closed", _("Closed")


CHANGE_TRANSITIONS: dict[str, frozenset[str]] = {
    ChangeState.DRAFT: frozenset({ChangeState.AWAITING_APPROVAL, ChangeState.APPROVED}),
    ChangeState.AWAITING_APPROVAL: frozenset({ChangeState.APPROVED, ChangeState.REJECTED}),
    ChangeState.APPROVED: frozenset({ChangeState.IMPLEMENTED}),
    ChangeState.REJECTED: frozenset({ChangeState.DRAFT}),
    ChangeState.IMPLEMENTED: frozenset({ChangeState.CLOSED}),
    ChangeState.CLOSED: frozenset(),
}


class ClockStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    WARNING = "warning", _("Warning (three quarters used)")
    BREACHED = "breached", _("Breached")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")


#: Share of the target at which a running clock warns, and at which it is breached.
WARNING_AT = 0.75
BREACH_AT = 1.0

HOUR = 3600

#: Clock targets in business seconds: support hours level → priority → (response, resolution).
#: The levels are the catalogue's `SupportHours` values (ADR 0803).
TARGETS: dict[str, dict[int, tuple[int, int]]] = {
    "office": {
        1: (1 * HOUR, 4 * HOUR),
        2: (2 * HOUR, 9 * HOUR),
        3: (4 * HOUR, 27 * HOUR),
        4: (9 * HOUR, 45 * HOUR),
        5: (18 * HOUR, 90 * HOUR),
    },
    "extended": {
        1: (1 * HOUR, 4 * HOUR),
        2: (2 * HOUR, 8 * HOUR),
        3: (4 * HOUR, 24 * HOUR),
        4: (8 * HOUR, 48 * HOUR),
        5: (16 * HOUR, 96 * HOUR),
    },
    "24x7": {
        1: (HOUR // 2, 4 * HOUR),
        2: (1 * HOUR, 8 * HOUR),
        3: (4 * HOUR, 24 * HOUR),
        4: (8 * HOUR, 72 * HOUR),
        5: (24 * HOUR, 168 * HOUR),
    },
}


class OutageCause(models.TextChoices):
    """Where an outage record came from (issue 16 items 3 and 4, ADR 0830)."""

    MANUAL = "manual", _("Recorded by hand")
    INCIDENT = "incident", _("From an incident")
    MONITORING = "monitoring", _("From monitoring")


class OutageLevel(models.TextChoices):
    """Only an outage of the main function is downtime in the availability figure; a degraded
    service is shown on the status page but counts as available (Statskontoret's indicator 6)."""

    OUTAGE = "outage", _("Outage: the main function is unavailable")
    DEGRADED = "degraded", _("Degraded: the main function works, with disturbances")


class ServiceStatus(models.TextChoices):
    """The status page's word for a service now (Statuspage's vocabulary, ADR 0832)."""

    OPERATIONAL = "operational", _("Operational")
    DEGRADED = "degraded", _("Degraded")
    OUTAGE = "outage", _("Outage")


class CapacityKind(models.TextChoices):
    """What a capacity figure counts (issue 16 item 4, ADR 0846): the figures the report asks
    for when demand surges, as in the pandemic."""

    USERS = "users", _("Active users")
    LICENCES = "licences", _("Licences in use")
    BANDWIDTH = "bandwidth", _("Bandwidth (Mbit/s)")
    VISITS = "visits", _("Visits per day")
