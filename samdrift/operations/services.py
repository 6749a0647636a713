"""Writes of incidents, problems and changes: one transaction, one event and one audit record
each (ADRs 0802, 0804).

Every service re-reads its row under a lock and asks the abilities there. Every change of an
incident is an `IncidentEvent`; after it the agencies' clocks are replayed from all events
(`recompute_clocks`), so nothing about a clock is ever accumulated outside the history.

Hook points for what is built beside this (issue 16 items 3–7, ADR 0808):
`register_incident_hook(fn)` — `fn(incident id, event kind)` runs after the commit of every
incident event (availability outages, status pages, legal deadlines, RACI routing).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.catalogue.selectors import service_get
from samdrift.core.actor import SYSTEM, Actor
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed
from samdrift.organisations.selectors import organisation_get

from . import notices
from .calendars import calendar_for, widest
from .choices import (
    CHANGE_TRANSITIONS,
    INCIDENT_TRANSITIONS,
    PROBLEM_TRANSITIONS,
    TARGETS,
    ChangeKind,
    ChangeState,
    EventKind,
    Impact,
    IncidentState,
    ProblemState,
    Urgency,
    priority_of,
)
from .clocks import ClockEvent, replay
from .models import AffectedAgency, Change, Incident, IncidentEvent, Problem
from .permissions import (
    MANAGERS,
    OPERATORS,
    change_abilities,
    incident_abilities,
    may_open_incident,
    problem_abilities,
)
from .selectors import has_subscription, reach, support_hours_of

log = logging.getLogger(__name__)

IncidentHook = Callable[[int, str], None]
_hooks: list[IncidentHook] = []


def register_incident_hook(hook: IncidentHook) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


def _after_commit(incident_id: int, kind: str) -> None:
    def run() -> None:
        for hook in _hooks:
            try:
                hook(incident_id, kind)
            except Exception:  # a hook's failure must not undo an incident
                log.exception("operations incident hook %r failed", hook)

    transaction.on_commit(run)


NO_SUBSCRIPTION = _(
    "%(agency)s has no active subscription to %(service)s. An incident can only be reported "
    "for a service the agency uses; choose one of its services, or ask its contact to connect "
    "it."
)
BAD_TRANSITION = _("An incident in the state “%(current)s” cannot become “%(target)s”.")
WINDOW_ORDER = _("The maintenance window must end after it starts (%(start)s – %(end)s).")


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _text(value: str, field: str, *, required: bool, limit: int) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise ValidationFailed(_("Fill in this field."), errors={field: [str(_("Required."))]})
    if len(cleaned) > limit:
        raise ValidationFailed(
            _("At most %(limit)s characters."), errors={field: [f"max {limit}"]}, limit=limit
        )
    return cleaned


def _level(value: Any, choices: type[Impact] | type[Urgency], field: str) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in choices.values:
        raise ValidationFailed(
            _("Choose one of the levels 1 (high), 2 (medium) or 3 (low)."),
            errors={field: [str(value)]},
        )
    return level


def _event(
    incident: Incident,
    kind: str,
    *,
    actor: Actor,
    at: dt.datetime,
    organisation_id: int | None = None,
    priority: int | None = None,
    state: str = "",
    **detail: Any,
) -> IncidentEvent:
    event = IncidentEvent.objects.create(
        incident=incident,
        at=at,
        kind=kind,
        organisation_id=organisation_id,
        priority=priority,
        state=state,
        actor_label=str(actor.label)[:200],
        detail=detail,
    )
    _after_commit(incident.pk, kind)
    return event


def recompute_clocks(incident: Incident, *, now: dt.datetime | None = None) -> list[AffectedAgency]:
    """Replay every affected agency's clocks from the incident's events, with the agreed hours
    the catalogue states now (retroactive by construction, ADR 0804). Runs in the caller's
    transaction; two queries and one bulk update whatever the number of agencies."""
    moment = _now(now)
    events = [
        ClockEvent(
            at=e.at,
            kind=e.kind,
            organisation_id=e.organisation_id,
            priority=e.priority,
            state=e.state,
            seq=e.id,
        )
        for e in IncidentEvent.objects.filter(incident=incident).order_by("at", "id")
    ]
    rows = list(AffectedAgency.objects.filter(incident=incident))
    hours = support_hours_of({code for row in rows for code in row.via_services})
    for row in rows:
        level = widest([hours[c] for c in row.via_services if c in hours]) or row.support_hours
        row.support_hours = level
        clocks = replay(
            events,
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
    AffectedAgency.objects.bulk_update(
        rows,
        [
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
        ],
        batch_size=500,
    )
    return rows


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
    abilities = incident_abilities(actor=actor, incident=incident, affected_org_ids=affected)
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
            org_id = min(actor.member_org_ids & _concerned(incident))
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
    for incident_id in ids:
        with transaction.atomic():
            incident = Incident.objects.select_for_update().get(id=incident_id)
            rows = AffectedAgency.objects.filter(incident=incident)
            if not any(service_code in row.via_services for row in rows):
                continue
            recompute_clocks(incident, now=moment)
            audit_record(
                actor=actor,
                action="operations.clocks_recomputed",
                obj=incident,
                after={"service": service_code},
            )
            count += 1
    return count


# --- problems ----------------------------------------------------------------------------------


def problem_open(*, actor: Actor, service_code: str, title: str) -> Problem:
    title = _text(title, "title", required=True, limit=200)
    service = service_get(actor=actor, code=(service_code or "").strip().upper())
    probe = Problem(provider_id=service.provider_id, state=ProblemState.OPEN)
    if not problem_abilities(actor=actor, problem=probe)["work"]:
        raise NotFound("service")
    with transaction.atomic():
        problem = Problem.objects.create(
            provider_id=service.provider_id, service=service, title=title
        )
        audit_record(
            actor=actor,
            action="operations.problem_open",
            obj=problem,
            after={"title": title, "service": service.code},
        )
    return problem


def _problem_locked(actor: Actor, problem_id: int) -> tuple[Problem, dict[str, bool]]:
    problem = Problem.objects.select_for_update().filter(id=problem_id).first()
    if problem is None:
        raise NotFound("problem")
    abilities = problem_abilities(actor=actor, problem=problem)
    if not abilities["view"]:
        raise NotFound("problem")
    if not abilities["work"]:
        raise BusinessRuleViolation(_("This problem is closed."), code="not_allowed")
    return problem, abilities


def problem_known_error(
    *, actor: Actor, problem_id: int, root_cause: str, workaround: str
) -> Problem:
    """Record root cause and workaround: the problem becomes a known error."""
    cause = _text(root_cause, "root_cause", required=True, limit=10000)
    work = _text(workaround, "workaround", required=True, limit=10000)
    with transaction.atomic():
        problem, _abilities = _problem_locked(actor, problem_id)
        if problem.state not in (ProblemState.OPEN, ProblemState.KNOWN_ERROR):
            raise BusinessRuleViolation(
                _("Only a problem under investigation can become a known error."),
                code="bad_transition",
            )
        before = snapshot(problem, ["state", "root_cause", "workaround"])
        problem.root_cause, problem.workaround = cause, work
        problem.state = ProblemState.KNOWN_ERROR
        problem.save(update_fields=["root_cause", "workaround", "state", "updated_at"])
        audit_record(
            actor=actor,
            action="operations.problem_known_error",
            obj=problem,
            before=before,
            after=snapshot(problem, list(before)),
        )
    return problem


def problem_transition(*, actor: Actor, problem_id: int, target: str) -> Problem:
    with transaction.atomic():
        problem, _abilities = _problem_locked(actor, problem_id)
        if target == ProblemState.KNOWN_ERROR or target not in PROBLEM_TRANSITIONS.get(
            problem.state, frozenset()
        ):
            raise BusinessRuleViolation(
                _("A problem in the state “%(current)s” cannot become “%(target)s”."),
                code="bad_transition",
                current=problem.state,
                target=target,
            )
        before = problem.state
        problem.state = target
        problem.save(update_fields=["state", "updated_at"])
        audit_record(
            actor=actor,
            action="operations.problem_transition",
            obj=problem,
            before={"state": before},
            after={"state": target},
        )
    return problem


# --- changes -----------------------------------------------------------------------------------


def _window(start: Any, end: Any) -> tuple[dt.datetime, dt.datetime]:
    def parse(value: Any, field: str) -> dt.datetime:
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value.strip())
            except ValueError:
                value = None
        if not isinstance(value, dt.datetime):
            raise ValidationFailed(
                _("Give a date and time, e.g. 2026-12-05 18:00."), errors={field: [str(value)]}
            )
        return value if timezone.is_aware(value) else timezone.make_aware(value)

    first, last = parse(start, "window_start"), parse(end, "window_end")
    if last <= first:
        raise ValidationFailed(
            WINDOW_ORDER,
            errors={"window_end": [str(_("Must be after the start."))]},
            start=first.isoformat(timespec="minutes"),
            end=last.isoformat(timespec="minutes"),
        )
    return first, last


def change_create(
    *,
    actor: Actor,
    service_code: str,
    kind: str,
    title: str,
    window_start: Any,
    window_end: Any,
    description: str = "",
    fallback: str = "",
) -> Change:
    """A standard change is pre-approved; a normal or emergency change starts as a draft."""
    title = _text(title, "title", required=True, limit=200)
    description = _text(description, "description", required=False, limit=10000)
    fallback = _text(fallback, "fallback", required=False, limit=10000)
    if kind not in ChangeKind.values:
        raise ValidationFailed(
            _("Choose standard, normal or emergency."), errors={"kind": [str(kind)]}
        )
    start, end = _window(window_start, window_end)
    service = service_get(actor=actor, code=(service_code or "").strip().upper())
    probe = Change(provider_id=service.provider_id, state=ChangeState.DRAFT)
    if not change_abilities(actor=actor, change=probe)["work"]:
        raise NotFound("service")
    standard = kind == ChangeKind.STANDARD
    with transaction.atomic():
        change = Change.objects.create(
            provider_id=service.provider_id,
            service=service,
            kind=kind,
            title=title,
            description=description,
            fallback=fallback,
            window_start=start,
            window_end=end,
            state=ChangeState.APPROVED if standard else ChangeState.DRAFT,
            approved_at=timezone.now() if standard else None,
        )
        audit_record(
            actor=actor,
            action="operations.change_create",
            obj=change,
            after=snapshot(change, ["kind", "title", "state", "window_start", "window_end"]),
        )
    return change


def _change_locked(actor: Actor, change_id: int) -> tuple[Change, dict[str, bool]]:
    change = Change.objects.select_for_update().filter(id=change_id).first()
    if change is None:
        raise NotFound("change")
    abilities = change_abilities(actor=actor, change=change)
    if not abilities["view"]:
        raise NotFound("change")
    return change, abilities


def change_transition(*, actor: Actor, change_id: int, target: str) -> Change:
    """Submit, approve, reject, implement, close: approving and rejecting need an approver
    (`change_abilities["approve"]`), everything else an operator."""
    with transaction.atomic():
        change, abilities = _change_locked(actor, change_id)
        current = change.state
        if target not in CHANGE_TRANSITIONS.get(current, frozenset()):
            raise BusinessRuleViolation(
                _("A change in the state “%(current)s” cannot become “%(target)s”."),
                code="bad_transition",
                current=current,
                target=target,
            )
        deciding = current == ChangeState.AWAITING_APPROVAL
        if (
            current == ChangeState.DRAFT
            and target == ChangeState.APPROVED
            and (change.kind != ChangeKind.STANDARD)
        ):
            raise BusinessRuleViolation(
                _("Only a standard change is pre-approved; submit this one for approval."),
                code="needs_approval",
            )
        allowed = abilities["approve"] if deciding else abilities["work"]
        if not allowed:
            raise BusinessRuleViolation(
                _("You may not do that to this change in its present state."), code="not_allowed"
            )
        change.state = target
        fields = ["state", "updated_at"]
        if target == ChangeState.APPROVED:
            change.approved_by_id = actor.user_id
            change.approved_at = timezone.now()
            fields += ["approved_by", "approved_at"]
        change.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="operations.change_transition",
            obj=change,
            before={"state": current},
            after={"state": target},
        )
    return change


def change_reschedule(
    *, actor: Actor, change_id: int, window_start: Any, window_end: Any
) -> Change:
    """A new maintenance window; an approved normal change must be approved again."""
    start, end = _window(window_start, window_end)
    with transaction.atomic():
        change, abilities = _change_locked(actor, change_id)
        if not abilities["work"] or change.state in (ChangeState.IMPLEMENTED,):
            raise BusinessRuleViolation(
                _("You may not do that to this change in its present state."), code="not_allowed"
            )
        before = snapshot(change, ["window_start", "window_end", "state"])
        change.window_start, change.window_end = start, end
        if change.state == ChangeState.APPROVED and change.kind != ChangeKind.STANDARD:
            change.state = ChangeState.AWAITING_APPROVAL
            change.approved_by_id, change.approved_at = None, None
        change.save()
        audit_record(
            actor=actor,
            action="operations.change_reschedule",
            obj=change,
            before=before,
            after=snapshot(change, ["window_start", "window_end", "state"]),
        )
    return change
