"""Problem writes: open, known error, transitions (ADR 0802)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.catalogue.selectors import service_get
from samdrift.core.actor import Actor
from samdrift.core.exceptions import BusinessRuleViolation, NotFound

from ..choices import (
    PROBLEM_TRANSITIONS,
    ProblemState,
)
from ..models import Problem
from ..permissions import (
    problem_abilities,
)
from ._common import (
    _text,
)


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
