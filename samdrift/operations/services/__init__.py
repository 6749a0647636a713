"""Writes of incidents, problems and changes: one transaction, one event and one audit record
each (ADRs 0802, 0804).

Every service re-reads its row under a lock and asks the abilities there. Every change of an
incident is an `IncidentEvent`; after it the agencies' clocks are replayed from all events
(`recompute_clocks`), so nothing about a clock is ever accumulated outside the history.

Hook points for what is built beside this (issue 16 items 3–7, ADR 0808):
`register_incident_hook(fn)` — `fn(incident id, event kind)` runs after the commit of every
incident event (availability outages, status pages, legal deadlines, RACI routing).
"""

from ._common import (
    BAD_TRANSITION,
    NO_SUBSCRIPTION,
    WINDOW_ORDER,
    IncidentHook,
    register_incident_hook,
)
from .alerts import alert_clocks
from .capacity import capacity_import, capacity_metric_set, capacity_scrape
from .changes import (
    announce,
    change_create,
    change_reschedule,
    change_transition,
    remind_due_changes,
)
from .incidents import (
    incident_link_problem,
    incident_note,
    incident_open,
    incident_respond,
    incident_set_major,
    incident_set_parent,
    incident_set_priority,
    incident_transition,
    incident_wait,
    incident_widen,
)
from .legal import incident_classify, legal_report_record
from .monitoring import alertmanager_receive, monitoring_actor, monitoring_token_create
from .outages import (
    ALREADY_ENDED,
    OUTAGE_ORDER,
    UNKNOWN_SERVICE,
    outage_end,
    outage_from_incident,
    outage_record,
)
from .problems import problem_known_error, problem_open, problem_transition
from .raci import incident_escalate, incident_route, matrix_draft, matrix_publish
from .recompute import recompute_clocks, recompute_service
from .surveys import survey_answer, survey_create

__all__ = [
    "ALREADY_ENDED",
    "BAD_TRANSITION",
    "NO_SUBSCRIPTION",
    "OUTAGE_ORDER",
    "UNKNOWN_SERVICE",
    "WINDOW_ORDER",
    "IncidentHook",
    "alert_clocks",
    "alertmanager_receive",
    "announce",
    "capacity_import",
    "capacity_metric_set",
    "capacity_scrape",
    "change_create",
    "change_reschedule",
    "change_transition",
    "incident_classify",
    "incident_escalate",
    "incident_link_problem",
    "incident_note",
    "incident_open",
    "incident_respond",
    "incident_route",
    "incident_set_major",
    "incident_set_parent",
    "incident_set_priority",
    "incident_transition",
    "incident_wait",
    "incident_widen",
    "legal_report_record",
    "matrix_draft",
    "matrix_publish",
    "monitoring_actor",
    "monitoring_token_create",
    "outage_end",
    "outage_from_incident",
    "outage_record",
    "problem_known_error",
    "problem_open",
    "problem_transition",
    "recompute_clocks",
    "recompute_service",
    "register_incident_hook",
    "remind_due_changes",
    "survey_answer",
    "survey_create",
]
