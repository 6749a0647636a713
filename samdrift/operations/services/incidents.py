"""Incident writes: open, widen, priority, transitions, response, waiting, major, parent, problem
link and notes (ADRs 0802, 0804)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.catalogue.selectors import service_get
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed
from samdrift.organisations.selectors import organisation_get

from .. import notices
from ..calendars import widest
from ..choices import (
    INCIDENT_TRANSITIONS,
    EventKind,
    Impact,
    IncidentState,
    Urgency,
    priority_of,
)
from ..models import AffectedAgency, Incident, IncidentEvent, Problem
from ..permissions import (
    MANAGERS,
    OPERATORS,
    incident_abilities,
    may_open_incident,
    problem_abilities,
)
from ..selectors import has_subscription, party_roles, reach
from ._common import (
    BAD_TRANSITION,
    NO_SUBSCRIPTION,
    _event,
    _level,
    _now,
    _text,
)
from .escalation import escalate_if_routed
from .recompute import _concerned, recompute_clocks

MAJOR_REASON = _("Declared a major incident.")


def _locked(actor: Actor, incident_id: int) -> tuple[Incident, dict[str, bool]]:
    """The incident under lock, with the actor's abilities on it; unseen is `NotFound`."""
    incident = (
        Incident.objects.select_for_update().select_related("service").filter(id=incident_id)
    ).first()
    if incident is None:
        raise NotFound("incident")
    affected = frozenset(
        AffectedAgency.objects.filter(incident=incident).values_list("organisation_id", flat=True)
    )
    abilities = incident_abilities(
        actor=actor, incident=incident, affected_org_ids=affected, party_roles=party_roles(incident)
    )
    if not abilities["view"]:
        raise NotFound("incident")
    return incident, abilities


def _require(abilities: dict[str, bool], name: str) -> None:
    if not abilities[name]:
        raise BusinessRuleViolation(
            _("You may not do that to this incident in its present state."), code="not_allowed"
        )


def _bump(incident: Incident, fields: list[str]) -> None:
    incident.version += 1
    incident.save(update_fields=[*fields, "version", "updated_at"])


# --- incidents ---------------------------------------------------------------------------------


def incident_open(
    *,
    actor: Actor,
    service_code: str,
    title: str,
    impact: Any,
    urgency: Any,
    description: str = "",
    organisation_id: int | None = None,
    major: bool = False,
    now: dt.datetime | None = None,
) -> Incident:
    """Open an incident on a service and fan it out to every agency it reaches, each with its
    own clocks. A customer reports for its own agency, only on a service it subscribes to.
    `major`: opened as a major incident (provider managers only), which tells every reached
    agency's contacts at once (ADR 0806)."""
    title = _text(title, "title", required=True, limit=200)
    description = _text(description, "description", required=False, limit=10000)
    impact_level = _level(impact, Impact, "impact")
    urgency_level = _level(urgency, Urgency, "urgency")
    service = service_get(actor=actor, code=(service_code or "").strip().upper())
    moment = _now(now)
    if not may_open_incident(
        actor=actor, provider_id=service.provider_id, organisation_id=organisation_id
    ):
        raise NotFound("service")
    if organisation_id is not None and not (
        organisation_id in actor.member_org_ids or actor.serves(organisation_id)
    ):
        raise NotFound("organisation")
    with transaction.atomic():
        if organisation_id is not None and not has_subscription(
            organisation_id=organisation_id, service_code=service.code
        ):
            agency = organisation_get(actor=SYSTEM, org_id=organisation_id)
            raise BusinessRuleViolation(
                NO_SUBSCRIPTION, code="no_subscription", agency=agency.name, service=service.code
            )
        priority = priority_of(impact_level, urgency_level)
        incident = Incident.objects.create(
            service=service,
            provider_id=service.provider_id,
            reported_by_org_id=organisation_id,
            title=title,
            description=description,
            impact=impact_level,
            urgency=urgency_level,
            priority=priority,
            opened_at=moment,
        )
        _event(incident, EventKind.OPENED, actor=actor, at=moment, priority=priority)
        reached = reach(service.code)
        if organisation_id is not None and not actor.has_provider_role_in(
            service.provider_id, *OPERATORS
        ):
            # A customer's report concerns its own agency until the provider widens it
            # (`incident_widen`): its text is not shown to other agencies (ADR 0802).
            reached = {organisation_id: reached.get(organisation_id, [(service.code, "")])}
        rows = _affect(incident, reached, actor=actor, at=moment)
        if major:
            if not actor.has_provider_role_in(service.provider_id, *MANAGERS):
                raise BusinessRuleViolation(
                    _(
                        "Only the provider's administrators and service managers declare a major "
                        "incident."
                    ),
                    code="not_allowed",
                )
            incident.major = True
            incident.save(update_fields=["major"])
            _event(incident, EventKind.MAJOR, actor=actor, at=moment, major=True)
            notices.major_incident(
                actor=actor, incident=incident, org_ids=[r.organisation_id for r in rows]
            )
        recompute_clocks(incident, now=moment)
        audit_record(
            actor=actor,
            action="operations.incident_open",
            obj=incident,
            organisation_id=organisation_id,
            after={
                **snapshot(incident, ["title", "impact", "urgency", "priority", "state"]),
                "service": service.code,
                "affected": len(rows),
                "major": incident.major,
            },
        )
    return incident


def _affect(
    incident: Incident, reached: dict[int, list[tuple[str, str]]], *, actor: Actor, at: dt.datetime
) -> list[AffectedAgency]:
    """Record the agencies newly reached, one `affected` event and one clock row each."""
    known = set(
        AffectedAgency.objects.filter(incident=incident).values_list("organisation_id", flat=True)
    )
    rows = []
    for org_id, via in sorted(reached.items()):
        if org_id in known:
            continue
        _event(
            incident,
            EventKind.AFFECTED,
            actor=actor,
            at=at,
            organisation_id=org_id,
            via=[code for code, _hours in via],
        )
        rows.append(
            AffectedAgency(
                incident=incident,
                organisation_id=org_id,
                via_services=[code for code, _hours in via],
                support_hours=widest([hours for _code, hours in via if hours]),
                response_status="running",
                resolution_status="running",
                computed_at=at,
            )
        )
    AffectedAgency.objects.bulk_create(rows, batch_size=500)
    return rows


def incident_widen(*, actor: Actor, incident_id: int, now: dt.datetime | None = None) -> int:
    """Reach every agency the incident's service reaches (subscriptions and dependants), e.g.
    when a customer's report turns out to be the whole service. Returns how many were added."""
    moment = _now(now)
    with transaction.atomic():
        incident, abilities = _locked(actor, incident_id)
        _require(abilities, "work")
        rows = _affect(incident, reach(incident.service.code), actor=actor, at=moment)
        recompute_clocks(incident, now=moment)
        _record(actor, incident, "incident_widen", {}, {"added": [r.organisation_id for r in rows]})
    return len(rows)


def _record(
    actor: Actor, incident: Incident, action: str, before: dict[str, Any], after: dict[str, Any]
) -> None:
    audit_record(
        actor=actor,
        action=f"operations.{action}",
        obj=incident,
        organisation_id=incident.reported_by_org_id,
        before=before,
        after=after,
    )


def incident_set_priority(
    *, actor: Actor, incident_id: int, impact: Any, urgency: Any, now: dt.datetime | None = None
) -> Incident:
    """A new impact × urgency: the priority is looked up again, and every clock is replayed
    against the new priority's targets from the opening (retroactive, ADR 0804)."""
    impact_level = _level(impact, Impact, "impact")
    urgency_level = _level(urgency, Urgency, "urgency")
    moment = _now(now)
    with transaction.atomic():
        incident, abilities = _locked(actor, incident_id)
        _require(abilities, "work")
        before = snapshot(incident, ["impact", "urgency", "priority"])
        incident.impact, incident.urgency = impact_level, urgency_level
        incident.priority = priority_of(impact_level, urgency_level)
        _bump(incident, ["impact", "urgency", "priority"])
        _event(
            incident,
            EventKind.PRIORITY,
            actor=actor,
            at=moment,
            priority=incident.priority,
            impact=impact_level,
            urgency=urgency_level,
        )
        recompute_clocks(incident, now=moment)
        _record(actor, incident, "incident_priority", before, snapshot(incident, list(before)))
    return incident


def incident_transition(
    *, actor: Actor, incident_id: int, target: str, now: dt.datetime | None = None
) -> Incident:
    """new → in progress → resolved → closed, and resolved → in progress (reopened)."""
    moment = _now(now)
    with transaction.atomic():
        incident, abilities = _locked(actor, incident_id)
        current = incident.state
        if target not in INCIDENT_TRANSITIONS:
            raise ValidationFailed(
                BAD_TRANSITION, errors={"state": [target]}, current=current, target=target
            )
        if target not in INCIDENT_TRANSITIONS[current]:
            raise BusinessRuleViolation(
                BAD_TRANSITION,
                code="bad_transition",
                current=IncidentState(current).label,
                target=IncidentState(target).label,
            )
        needed = {
            IncidentState.IN_PROGRESS: "reopen" if current == IncidentState.RESOLVED else "work",
            IncidentState.RESOLVED: "resolve",
            IncidentState.CLOSED: "close",
        }[IncidentState(target)]
        _require(abilities, needed)
        incident.state = target
        _bump(incident, ["state"])
        _event(incident, EventKind.STATE, actor=actor, at=moment, state=target, previous=current)
        recompute_clocks(incident, now=moment)
        _record(actor, incident, "incident_transition", {"state": current}, {"state": target})
    return incident


def incident_respond(
    *, actor: Actor, incident_id: int, message: str = "", now: dt.datetime | None = None
) -> Incident:
    """The provider's first answer: stops every agency's response clock."""
    text = _text(message, "message", required=False, limit=4000)
    moment = _now(now)
    with transaction.atomic():
        incident, abilities = _locked(actor, incident_id)
        _require(abilities, "work")
        _event(incident, EventKind.RESPONDED, actor=actor, at=moment, message=text)
        recompute_clocks(incident, now=moment)
        _record(actor, incident, "incident_respond", {}, {"message": text})
    return incident


def _waiting_for(incident: Incident, organisation_id: int) -> bool:
    last = (
        IncidentEvent.objects.filter(
            incident=incident,
            organisation_id=organisation_id,
            kind__in=[EventKind.WAITING, EventKind.RESUMED],
        )
        .order_by("-at", "-id")
        .values_list("kind", flat=True)
        .first()
    )
    return last == EventKind.WAITING


def incident_wait(
    *,
    actor: Actor,
    incident_id: int,
    organisation_id: int,
    waiting: bool,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Incident:
    """Pause (or resume) one agency's clocks while the provider waits for that agency."""
    text = _text(reason, "reason", required=waiting, limit=1000)
    moment = _now(now)
    with transaction.atomic():
        incident, abilities = _locked(actor, incident_id)
        _require(abilities, "work")
        if not AffectedAgency.objects.filter(
            incident=incident, organisation_id=organisation_id
        ).exists():
            raise NotFound("organisation")
        if _waiting_for(incident, organisation_id) == waiting:
            raise BusinessRuleViolation(
                _("The clocks of that agency are already paused.")
                if waiting
                else _("The clocks of that agency are not paused."),
                code="no_change",
            )
        kind = EventKind.WAITING if waiting else EventKind.RESUMED
        _event(incident, kind, actor=actor, at=moment, organisation_id=organisation_id, reason=text)
        recompute_clocks(incident, now=moment)
        audit_record(
            actor=actor,
            action="operations.incident_wait" if waiting else "operations.incident_resume",
            obj=incident,
            organisation_id=organisation_id,
            after={"reason": text},
        )
    return incident


def incident_set_major(
    *, actor: Actor, incident_id: int, major: bool, now: dt.datetime | None = None
) -> Incident:
    """Declare (or withdraw) a major incident; declaring tells every reached agency's contacts."""
    moment = _now(now)
    with transaction.atomic():
        incident, abilities = _locked(actor, incident_id)
        _require(abilities, "declare_major")
        if incident.major == major:
            return incident
        incident.major = major
        _bump(incident, ["major"])
        _event(incident, EventKind.MAJOR, actor=actor, at=moment, major=major)
        _record(actor, incident, "incident_major", {"major": not major}, {"major": major})
        if major:
            org_ids = AffectedAgency.objects.filter(incident=incident).values_list(
                "organisation_id", flat=True
            )
            notices.major_incident(actor=actor, incident=incident, org_ids=list(org_ids))
            escalate_if_routed(actor, incident, str(MAJOR_REASON), at=moment)
    return incident


def incident_set_parent(
    *, actor: Actor, incident_id: int, parent_id: int | None, now: dt.datetime | None = None
) -> Incident:
    """Make the incident a child of another on the same provider (one level: a parent has no
    parent, a child has no children)."""
    moment = _now(now)
    with transaction.atomic():
        incident, abilities = _locked(actor, incident_id)
        _require(abilities, "link")
        before = {"parent": incident.parent_id}
        if parent_id is not None:
            if parent_id == incident.pk:
                raise BusinessRuleViolation(
                    _("An incident cannot be its own parent."), code="own_parent"
                )
            parent, parent_abilities = _locked(actor, parent_id)
            _require(parent_abilities, "link")
            if parent.provider_id != incident.provider_id:
                raise NotFound("incident")
            if parent.parent_id is not None or incident.children.exists():
                raise BusinessRuleViolation(
                    _(
                        "Parent and child incidents are one level deep: the parent may not be a "
                        "child itself, and a parent cannot become a child."
                    ),
                    code="nested_parent",
                )
        incident.parent_id = parent_id
        _bump(incident, ["parent"])
        _event(incident, EventKind.PARENT, actor=actor, at=moment, parent=parent_id)
        _record(actor, incident, "incident_parent", before, {"parent": parent_id})
    return incident


def incident_link_problem(
    *, actor: Actor, incident_id: int, problem_id: int | None, now: dt.datetime | None = None
) -> Incident:
    moment = _now(now)
    with transaction.atomic():
        incident, abilities = _locked(actor, incident_id)
        _require(abilities, "link")
        if problem_id is not None:
            problem = Problem.objects.filter(id=problem_id).first()
            if problem is None or not problem_abilities(actor=actor, problem=problem)["work"]:
                raise NotFound("problem")
            if problem.provider_id != incident.provider_id:
                raise NotFound("problem")
        before = {"problem": incident.problem_id}
        incident.problem_id = problem_id
        _bump(incident, ["problem"])
        _event(incident, EventKind.PROBLEM, actor=actor, at=moment, problem=problem_id)
        _record(actor, incident, "incident_problem", before, {"problem": problem_id})
    return incident


def incident_note(
    *, actor: Actor, incident_id: int, text: str, now: dt.datetime | None = None
) -> IncidentEvent:
    """A note from the provider or an affected agency. An agency's note is about its own
    agency (only it and the provider see it)."""
    body = _text(text, "text", required=True, limit=4000)
    moment = _now(now)
    with transaction.atomic():
        incident, abilities = _locked(actor, incident_id)
        _require(abilities, "note")
        operator = abilities["work"] or abilities["link"]
        org_id = None
        if not operator:
            org_id = min(actor.member_org_ids & (_concerned(incident) | set(party_roles(incident))))
        event = _event(
            incident, EventKind.NOTE, actor=actor, at=moment, organisation_id=org_id, text=body
        )
        audit_record(
            actor=actor,
            action="operations.incident_note",
            obj=incident,
            organisation_id=org_id,
            after={"text": body},
        )
    return event
