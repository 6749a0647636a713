"""API of one problem or change (ADR 0848), under /api/v1/operations/problems/{id} and
/changes/{id}: the same services and rules as the pages."""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
from typing import Any

from ninja import Router, Schema

from samdrift.core.api import ApiRequest, errors

from . import selectors, services
from .permissions import change_abilities, problem_abilities

router = Router(tags=["operations"])


class ProblemOut(Schema):
    id: int
    service: str
    title: str
    state: str
    root_cause: str
    workaround: str
    incidents: list[int]
    abilities: dict[str, bool]


class ChangeOut(Schema):
    id: int
    service: str
    kind: str
    title: str
    description: str
    fallback: str
    state: str
    window_start: datetime.datetime
    window_end: datetime.datetime
    approved_at: datetime.datetime | None
    abilities: dict[str, bool]


class KnownErrorIn(Schema):
    root_cause: str
    workaround: str


class TargetStateIn(Schema):
    state: str


class WindowIn(Schema):
    window_start: str
    window_end: str


def problem_out(actor: Any, problem_id: int) -> dict[str, Any]:
    problem = selectors.problem_get(actor=actor, problem_id=problem_id)
    linked = (
        selectors.incident_list(actor=actor).filter(problem=problem).values_list("id", flat=True)
    )
    return {
        "id": problem.pk,
        "service": problem.service.code,
        "title": problem.title,
        "state": problem.state,
        "root_cause": problem.root_cause,
        "workaround": problem.workaround,
        "incidents": list(linked),
        "abilities": problem_abilities(actor=actor, problem=problem),
    }


def change_out(actor: Any, change_id: int) -> dict[str, Any]:
    change = selectors.change_get(actor=actor, change_id=change_id)
    abilities = change_abilities(actor=actor, change=change)
    return {
        "id": change.pk,
        "service": change.service.code,
        "kind": change.kind,
        "title": change.title,
        "description": change.description,
        # The fallback plan is the provider's working note: its staff see it.
        "fallback": change.fallback if abilities["view"] else "",
        "state": change.state,
        "window_start": change.window_start,
        "window_end": change.window_end,
        "approved_at": change.approved_at,
        "abilities": abilities,
    }


@router.get(
    "/problems/{problem_id}", response={200: ProblemOut, **errors(404)}, summary="One problem"
)
def get_problem(request: ApiRequest, problem_id: int) -> dict[str, Any]:
    return problem_out(request.auth, problem_id)


@router.post(
    "/problems/{problem_id}/known-error",
    response={200: ProblemOut, **errors(404, 409, 422)},
    summary="Record the root cause and workaround: a known error",
)
def known_error(request: ApiRequest, problem_id: int, payload: KnownErrorIn) -> dict[str, Any]:
    selectors.problem_get(actor=request.auth, problem_id=problem_id)
    services.problem_known_error(
        actor=request.auth, problem_id=problem_id, root_cause=payload.root_cause,
        workaround=payload.workaround,
    )  # fmt: skip
    return problem_out(request.auth, problem_id)


@router.post(
    "/problems/{problem_id}/transition",
    response={200: ProblemOut, **errors(404, 409, 422)},
    summary="Move a problem to another state",
)
def problem_transition(request: ApiRequest, problem_id: int, payload: TargetStateIn) -> Any:
    selectors.problem_get(actor=request.auth, problem_id=problem_id)
    services.problem_transition(actor=request.auth, problem_id=problem_id, target=payload.state)
    return problem_out(request.auth, problem_id)


@router.get("/changes/{change_id}", response={200: ChangeOut, **errors(404)}, summary="One change")
def get_change(request: ApiRequest, change_id: int) -> dict[str, Any]:
    return change_out(request.auth, change_id)


@router.post(
    "/changes/{change_id}/transition",
    response={200: ChangeOut, **errors(404, 409, 422)},
    summary="Move a change to another state (approval: administrators and security)",
)
def change_transition(request: ApiRequest, change_id: int, payload: TargetStateIn) -> Any:
    selectors.change_get(actor=request.auth, change_id=change_id)
    services.change_transition(actor=request.auth, change_id=change_id, target=payload.state)
    return change_out(request.auth, change_id)


@router.post(
    "/changes/{change_id}/reschedule",
    response={200: ChangeOut, **errors(404, 409, 422)},
    summary="Move a change's maintenance window",
)
def change_reschedule(request: ApiRequest, change_id: int, payload: WindowIn) -> Any:
    selectors.change_get(actor=request.auth, change_id=change_id)
    services.change_reschedule(
        actor=request.auth, change_id=change_id, window_start=payload.window_start,
        window_end=payload.window_end,
    )  # fmt: skip
    return change_out(request.auth, change_id)
