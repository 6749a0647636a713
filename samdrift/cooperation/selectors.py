"""Reads of the DSAM evaluations (ADR 0962) and steering group decisions (ADR 0972), always for
an actor."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound
from samdrift.core.tenancy import visible_or_404
from samdrift.organisations.selectors import provider_agencies, visible_organisations

from . import scoring
from .models import Assessment, Catalogue, Evaluation, Requirement, Solution, SteeringDecision
from .permissions import (
    decision_reader_org_ids,
    decision_recorder_org_ids,
    editor_org_ids,
    may_edit,
    reads_published,
    staff_org_ids,
)


def _scope(actor: Actor, owner: str) -> Q:
    if actor.sees_everything:
        return Q()
    if not reads_published(actor):
        return Q(pk__in=[])
    return Q(published=True) | Q(**{f"{owner}__in": staff_org_ids(actor)})


def catalogue_list(*, actor: Actor) -> QuerySet[Catalogue]:
    return Catalogue.objects.filter(_scope(actor, "owner_id")).select_related("owner")


def catalogue_get(*, actor: Actor, code: str) -> Catalogue:
    return visible_or_404(catalogue_list(actor=actor), "catalogue", code=code.strip())


def evaluation_list(*, actor: Actor) -> QuerySet[Evaluation]:
    return (
        Evaluation.objects.filter(_scope(actor, "catalogue__owner_id"))
        .select_related("catalogue", "catalogue__owner")
        .order_by("code")
    )


def evaluation_get(*, actor: Actor, code: str) -> Evaluation:
    return visible_or_404(evaluation_list(actor=actor), "evaluation", code=code.strip())


def editable_evaluation(*, actor: Actor, code: str) -> Evaluation:
    """The evaluation if the actor may change it; 404 otherwise (a reader of a published
    evaluation learns no more than that it cannot be changed here)."""
    evaluation = evaluation_get(actor=actor, code=code)
    if not may_edit(actor, evaluation.catalogue.owner_id):
        raise NotFound("evaluation")
    return evaluation


def requirements(catalogue: Catalogue) -> list[Requirement]:
    return list(catalogue.requirements.order_by("position"))


@dataclass(frozen=True)
class Cell:
    verdict: str
    evidence: str


@dataclass(frozen=True)
class Comparison:
    """Everything an evaluation's page, API, CLI and PDF show, read in four queries."""

    evaluation: Evaluation
    requirements: list[Requirement]
    solutions: list[Solution]
    cells: dict[tuple[int, int], Cell]  # (solution id, requirement id)
    results: list[scoring.Result]
    editable: bool

    def row(self, requirement: Requirement) -> list[Cell | None]:
        return [self.cells.get((s.id, requirement.id)) for s in self.solutions]

    @property
    def rows(self) -> list[tuple[Requirement, list[Cell | None]]]:
        return [(r, self.row(r)) for r in self.requirements]

    def areas(self) -> list[str]:
        return list(dict.fromkeys(r.area for r in self.requirements))


def comparison(*, actor: Actor, code: str) -> Comparison:
    evaluation = evaluation_get(actor=actor, code=code)
    reqs = requirements(evaluation.catalogue)
    solutions = list(evaluation.solutions.order_by("name"))
    cells = {
        (a.solution_id, a.requirement_id): Cell(a.verdict, a.evidence)
        for a in Assessment.objects.filter(solution__evaluation=evaluation)
    }
    results = scoring.evaluate(
        [scoring.Req(r.id, r.ref, r.area, r.grade, r.weight) for r in reqs],
        [(s.id, s.name) for s in solutions],
        {key: cell.verdict for key, cell in cells.items()},
    )
    return Comparison(
        evaluation, reqs, solutions, cells, results,
        may_edit(actor, evaluation.catalogue.owner_id),
    )  # fmt: skip


def published_comparisons(*, actor: Actor, until_year: int) -> list[Comparison]:
    """The published evaluations the actor sees, begun by the end of `until_year`, oldest first,
    each compared (for the yearly report's DSAM section, ADR 0965)."""
    codes = (
        evaluation_list(actor=actor)
        .filter(published=True, created_at__year__lte=until_year)
        .order_by("created_at", "code")
        .values_list("code", flat=True)
    )
    return [comparison(actor=actor, code=code) for code in codes]


def owner_choices(*, actor: Actor) -> list[tuple[int, str]]:
    """The provider agencies the actor may import a catalogue for, with their names."""
    ids = editor_org_ids(actor)
    names = dict(visible_organisations(actor).filter(id__in=ids).values_list("id", "name"))
    return [(org_id, names.get(org_id, str(org_id))) for org_id in ids]


def editable_catalogues(*, actor: Actor) -> list[Catalogue]:
    return [c for c in catalogue_list(actor=actor) if may_edit(actor, c.owner_id)]


# --- steering group decisions (ADR 0972) ------------------------------------------------------


def decision_list(*, actor: Actor, body: str = "") -> QuerySet[SteeringDecision]:
    """The decisions binding a provider agency the actor works for, newest first."""
    queryset = SteeringDecision.objects.select_related("recorded_for")
    if not actor.sees_everything:
        queryset = queryset.filter(providers__in=decision_reader_org_ids(actor)).distinct()
    if body:
        queryset = queryset.filter(body=body)
    return queryset.prefetch_related("providers").order_by("-decided_on", "-id")


def decision_get(*, actor: Actor, decision_id: int) -> SteeringDecision:
    return visible_or_404(decision_list(actor=actor), "decision", id=decision_id)


def decision_provider_choices(*, actor: Actor) -> list[tuple[int, str]]:
    """Every provider agency a decision may bind, by name: the cooperation is between them."""
    if not decision_recorder_org_ids(actor):
        return []
    return list(provider_agencies().order_by("name").values_list("id", "name"))


def decision_recorder_choices(*, actor: Actor) -> list[tuple[int, str]]:
    """The provider agencies the actor records decisions for, with their names."""
    ids = decision_recorder_org_ids(actor)
    names = dict(provider_agencies().filter(id__in=ids).values_list("id", "name"))
    return [(org_id, names.get(org_id, str(org_id))) for org_id in ids]
