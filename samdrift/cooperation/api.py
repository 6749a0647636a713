"""API of the DSAM evaluations, mounted under /api/v1/cooperation (ADR 0963): the same
selectors and services as the pages and `samdrift dsam`, so the same rules. A draft that is not
the caller's is a 404, as for an address that does not exist."""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
import json
from typing import Any

from ninja import Router, Schema, Status
from ninja.pagination import paginate

from samdrift.core.api import ApiRequest, Page, errors
from samdrift.core.paging import Mapped
from samdrift.core.text import multi_line, single_line

from . import selectors, services
from .parsing import parse_catalogue
from .permissions import decision_recorder_org_ids, editor_org_ids

router = Router(tags=["cooperation"])


class EvaluationOut(Schema):
    code: str
    title: str
    catalogue: str
    owner: str
    published: bool


class RequirementIO(Schema):
    id: str
    area: str
    text: str
    grade: str
    test_method: str = ""
    weight: int | None = None


class CatalogueIn(Schema):
    code: str
    name: str
    owner_id: int | None = None
    requirements: list[RequirementIO]


class CatalogueOut(Schema):
    code: str
    name: str
    owner: str
    published: bool
    requirements: list[RequirementIO]


class ResultOut(Schema):
    solution: str
    passed: bool
    failed_skall: list[str]
    score: float | None
    points: float
    max_points: int


class CellOut(Schema):
    solution: str
    requirement: str
    verdict: str
    evidence: str


class ComparisonOut(Schema):
    code: str
    title: str
    catalogue: str
    published: bool
    results: list[ResultOut]
    assessments: list[CellOut]


class AssessmentIn(Schema):
    solution: str
    requirement: str
    verdict: str
    evidence: str


def _catalogue(catalogue: Any) -> dict[str, Any]:
    return {
        "code": catalogue.code, "name": catalogue.name, "owner": catalogue.owner.name,
        "published": catalogue.published,
        "requirements": [
            {"id": r.ref, "area": r.area, "text": r.text, "grade": r.grade,
             "test_method": r.test_method, "weight": r.weight or None}
            for r in selectors.requirements(catalogue)
        ],
    }  # fmt: skip


def _comparison(request: ApiRequest, code: str) -> dict[str, Any]:
    table = selectors.comparison(actor=request.auth, code=code)
    names = {s.id: s.name for s in table.solutions}
    refs = {r.id: r.ref for r in table.requirements}
    return {
        "code": table.evaluation.code, "title": table.evaluation.title,
        "catalogue": table.evaluation.catalogue.code, "published": table.evaluation.published,
        "results": [
            {"solution": r.name, "passed": r.passed, "failed_skall": [f.ref for f in r.failed],
             "score": r.score, "points": r.points, "max_points": r.max_points}
            for r in table.results
        ],
        "assessments": [
            {"solution": names[sid], "requirement": refs[rid], "verdict": c.verdict,
             "evidence": c.evidence}
            for (sid, rid), c in sorted(table.cells.items())
        ],
    }  # fmt: skip


@router.get(
    "/evaluations",
    response={200: list[EvaluationOut], **errors(422)},
    summary="DSAM evaluations",
    description="Published evaluations, and the drafts of the caller's own provider agency.",
)
@paginate(Page)
def list_evaluations(request: ApiRequest) -> Mapped:
    return Mapped(selectors.evaluation_list(actor=request.auth), _evaluation)


def _evaluation(e: Any) -> dict[str, Any]:
    return {"code": e.code, "title": e.title, "catalogue": e.catalogue.code,
            "owner": e.catalogue.owner.name, "published": e.published}  # fmt: skip


@router.get(
    "/evaluations/{evaluation_code}",
    response={200: ComparisonOut, **errors(404)},
    summary="One evaluation: first screening, scores and every verdict with its evidence",
)
def get_evaluation(request: ApiRequest, evaluation_code: str) -> dict[str, Any]:
    return _comparison(request, evaluation_code)


@router.get(
    "/catalogues/{catalogue_code}",
    response={200: CatalogueOut, **errors(404)},
    summary="One requirement catalogue",
)
def get_catalogue(request: ApiRequest, catalogue_code: str) -> dict[str, Any]:
    return _catalogue(selectors.catalogue_get(actor=request.auth, code=catalogue_code))


@router.post(
    "/catalogues",
    response={201: CatalogueOut, **errors(404, 422)},
    summary="Import a requirement catalogue",
    description="Every requirement is checked first; any problem is a 422 naming each row, "
    "and nothing is stored. The caller must be an administrator or service manager of the "
    "keeping provider agency (`owner_id`, by default the caller's first), else 404.",
)
def import_catalogue(request: ApiRequest, payload: CatalogueIn) -> Status:
    document = payload.dict()
    parsed = parse_catalogue(json.dumps(document).encode(), "json")
    owners = editor_org_ids(request.auth)
    owner = payload.owner_id or (owners[0] if owners else 0)
    catalogue = services.import_catalogue(actor=request.auth, owner_id=owner, parsed=parsed)
    return Status(201, _catalogue(catalogue))


@router.post(
    "/evaluations/{evaluation_code}/assessments",
    response={200: ComparisonOut, **errors(404, 422)},
    summary="Record how a solution meets a requirement, with the evidence",
)
def assess(request: ApiRequest, evaluation_code: str, payload: AssessmentIn) -> dict[str, Any]:
    code = evaluation_code
    evaluation = selectors.editable_evaluation(actor=request.auth, code=code)
    solution = evaluation.solutions.filter(name=payload.solution.strip()).first()
    services.assess(
        actor=request.auth, evaluation_code=code, solution_id=solution.id if solution else 0,
        requirement_ref=payload.requirement, verdict=payload.verdict, evidence=payload.evidence,
    )  # fmt: skip
    return _comparison(request, code)


# --- steering group decisions (ADR 0972) ------------------------------------------------------


class DecisionOut(Schema):
    id: int
    body: str
    reference: str
    decided_on: datetime.date
    title: str
    text: str
    providers: list[str]
    recorded_for: str
    recorded_by: str


class DecisionIn(Schema):
    body: str = "sitssam"
    reference: str = single_line(max_length=60)
    decided_on: datetime.date
    title: str = single_line(max_length=200)
    text: str = multi_line(max_length=services.MAX_DECISION_TEXT)
    provider_ids: list[int] = []
    recorded_for: int | None = None


def _decision(d: Any) -> dict[str, Any]:
    return {
        "id": d.id, "body": d.body, "reference": d.reference, "decided_on": d.decided_on,
        "title": d.title, "text": d.text,
        "providers": sorted(p.name for p in d.providers.all()),
        "recorded_for": d.recorded_for.name, "recorded_by": d.recorded_by,
    }  # fmt: skip


@router.get(
    "/decisions",
    response={200: list[DecisionOut], **errors(422)},
    summary="Steering group decisions",
    description="The decisions binding a provider agency the caller works for, newest first.",
)
@paginate(Page)
def list_decisions(request: ApiRequest) -> Mapped:
    return Mapped(selectors.decision_list(actor=request.auth), _decision)


@router.get(
    "/decisions/{decision_id}",
    response={200: DecisionOut, **errors(404)},
    summary="One steering group decision",
)
def get_decision(request: ApiRequest, decision_id: int) -> dict[str, Any]:
    return _decision(selectors.decision_get(actor=request.auth, decision_id=decision_id))


@router.post(
    "/decisions",
    response={201: DecisionOut, **errors(404, 422)},
    summary="Record a steering group decision",
    description="The caller must be an administrator of the recording provider agency "
    "(`recorded_for`, by default the caller's first), else 404; that agency is always bound. "
    "A decision is a record: it is never changed afterwards.",
)
def record_decision(request: ApiRequest, payload: DecisionIn) -> Status:
    recorders = decision_recorder_org_ids(request.auth)
    decision = services.decision_record(
        actor=request.auth, recorded_for=payload.recorded_for or (recorders[0] if recorders else 0),
        body=payload.body, reference=payload.reference, decided_on=payload.decided_on,
        title=payload.title, text=payload.text, provider_ids=payload.provider_ids,
    )  # fmt: skip
    return Status(201, _decision(decision))
