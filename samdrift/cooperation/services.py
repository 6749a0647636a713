"""Writes of the DSAM evaluations (ADR 0960) and steering group decisions (ADR 0972): each
checked, audited and atomic; bad input is refused in Swedish and English and changes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, ValidationFailed, field_refusal
from samdrift.core.text import CONTROL_CHARACTERS, is_single_line, validate_multi_line
from samdrift.organisations.selectors import provider_agencies

from . import selectors
from .choices import SteeringBody, Verdict
from .models import Assessment, Catalogue, Evaluation, Requirement, Solution, SteeringDecision
from .parsing import Parsed
from .permissions import may_edit, may_record_decision_for


def _code(value: str) -> str:
    code = value.strip()
    if not code or len(code) > 40 or any(c.isspace() or c in "/?#%" for c in code):
        raise ValidationFailed(
            _("Give a code of 1–40 characters without spaces, slashes, question marks, # or %."),
            errors={"code": [str(_("Invalid code."))]},
        )
    return code


def import_catalogue(*, actor: Actor, owner_id: int, parsed: Parsed, code: str = "",
                     name: str = "") -> Catalogue:  # fmt: skip
    """Store a parsed catalogue (`parsing.parse_catalogue` has checked every row) as a new one
    kept by `owner_id`; the actor must edit for that provider agency."""
    if not may_edit(actor, owner_id):
        raise NotFound("organisation")
    code = _code(code or parsed.code)
    name = (name or parsed.name or code).strip()[:200]
    with transaction.atomic():
        if Catalogue.objects.filter(code=code).exists():
            raise ValidationFailed(
                _("A requirement catalogue with the code %(code)s already exists."),
                errors={"code": [str(_("Already in use."))]},
                code=code,
            )
        catalogue = Catalogue.objects.create(code=code, name=name, owner_id=owner_id)
        Requirement.objects.bulk_create(
            Requirement(catalogue=catalogue, position=n, ref=r.ref, area=r.area, text=r.text,
                        grade=r.grade, test_method=r.test_method, weight=r.weight)
            for n, r in enumerate(parsed.rows, start=1)
        )  # fmt: skip
        audit_record(
            actor=actor, action="cooperation.catalogue.import", obj=catalogue,
            organisation_id=owner_id,
            after={"code": code, "name": name, "requirements": len(parsed.rows)},
        )  # fmt: skip
    return catalogue


def create_evaluation(*, actor: Actor, catalogue_code: str, code: str, title: str) -> Evaluation:
    catalogue = selectors.catalogue_get(actor=actor, code=catalogue_code)
    if not may_edit(actor, catalogue.owner_id):
        raise NotFound("catalogue")
    code = _code(code)
    title = title.strip()[:200]
    if not title:
        raise ValidationFailed(
            _("Give the evaluation a title."), errors={"title": [str(_("Required."))]}
        )
    with transaction.atomic():
        if Evaluation.objects.filter(code=code).exists():
            raise ValidationFailed(
                _("An evaluation with the code %(code)s already exists."),
                errors={"code": [str(_("Already in use."))]},
                code=code,
            )
        evaluation = Evaluation.objects.create(code=code, title=title, catalogue=catalogue)
        audit_record(actor=actor, action="cooperation.evaluation.create", obj=evaluation,
                     organisation_id=catalogue.owner_id,
                     after={"code": code, "title": title, "catalogue": catalogue.code})  # fmt: skip
    return evaluation


def add_solution(
    *, actor: Actor, evaluation_code: str, name: str, description: str = ""
) -> Solution:
    evaluation = selectors.editable_evaluation(actor=actor, code=evaluation_code)
    name = name.strip()[:200]
    if not name:
        raise ValidationFailed(
            _("Give the solution a name."), errors={"name": [str(_("Required."))]}
        )
    with transaction.atomic():
        if evaluation.solutions.filter(name=name).exists():
            raise ValidationFailed(
                _("The evaluation already has a solution named %(name)s."),
                errors={"name": [str(_("Already in use."))]},
                name=name,
            )
        solution = Solution.objects.create(evaluation=evaluation, name=name,
                                           description=description.strip())  # fmt: skip
        audit_record(actor=actor, action="cooperation.solution.add", obj=solution,
                     organisation_id=evaluation.catalogue.owner_id,
                     after={"evaluation": evaluation.code, "name": name})  # fmt: skip
    return solution


def assess(*, actor: Actor, evaluation_code: str, solution_id: int, requirement_ref: str,
           verdict: str, evidence: str) -> Assessment:  # fmt: skip
    """Record (or change) how a solution meets a requirement; evidence is required."""
    evaluation = selectors.editable_evaluation(actor=actor, code=evaluation_code)
    solution = evaluation.solutions.filter(id=solution_id).first()
    if solution is None:
        raise NotFound("solution")
    requirement = evaluation.catalogue.requirements.filter(ref=requirement_ref.strip()).first()
    if requirement is None:
        raise ValidationFailed(
            _("The catalogue has no requirement %(ref)s."),
            errors={"requirement": [str(_("Unknown requirement."))]},
            ref=requirement_ref.strip()[:40],
        )
    if verdict not in Verdict.values:
        raise ValidationFailed(
            _("Unknown verdict %(verdict)s (use met, partly or not_met)."),
            errors={"verdict": [str(_("Unknown verdict."))]},
            verdict=str(verdict)[:20],
        )
    evidence = evidence.strip()
    if not evidence:
        raise ValidationFailed(
            _("Give the evidence for the verdict on %(ref)s."),
            errors={"evidence": [str(_("Required."))]},
            ref=requirement.ref,
        )
    with transaction.atomic():
        existing = (
            Assessment.objects.select_for_update()
            .filter(solution=solution, requirement=requirement)
            .first()
        )
        before = {"verdict": existing.verdict, "evidence": existing.evidence} if existing else None
        assessment, _created = Assessment.objects.update_or_create(
            solution=solution, requirement=requirement,
            defaults={"verdict": verdict, "evidence": evidence},
        )  # fmt: skip
        audit_record(actor=actor, action="cooperation.assessment.set", obj=assessment,
                     organisation_id=evaluation.catalogue.owner_id, before=before,
                     after={"solution": solution.name, "requirement": requirement.ref,
                            "verdict": verdict, "evidence": evidence})  # fmt: skip
    return assessment


def publish(*, actor: Actor, evaluation_code: str) -> Evaluation:
    """Publish an evaluation and its catalogue: from now on everyone logged in reads them."""
    evaluation = selectors.editable_evaluation(actor=actor, code=evaluation_code)
    with transaction.atomic():
        Evaluation.objects.filter(pk=evaluation.pk).update(published=True)
        Catalogue.objects.filter(pk=evaluation.catalogue_id).update(published=True)
        evaluation.published = True
        audit_record(actor=actor, action="cooperation.evaluation.publish", obj=evaluation,
                     organisation_id=evaluation.catalogue.owner_id,
                     before={"published": False}, after={"published": True})  # fmt: skip
    return evaluation


# --- steering group decisions (ADR 0972) ------------------------------------------------------

MAX_DECISION_TEXT = 5000


def _one_line(value: str, field: str, limit: int, what: object) -> str:
    value = (value or "").strip()
    if not value or len(value) > limit or not is_single_line(value):
        raise field_refusal(
            field, _("Give %(what)s on one line, 1–%(limit)s characters."), what=what, limit=limit
        )
    return value


def decision_record(
    *,
    actor: Actor,
    recorded_for: int,
    body: str,
    reference: str,
    decided_on: datetime.date | None,
    title: str,
    text: str,
    provider_ids: Iterable[int] = (),
) -> SteeringDecision:
    """Record a steering group's decision for a provider agency whose administrator the actor
    is; the recording agency is always among those bound. Refused, with nothing stored: not that
    agency's administrator (404, as for a missing agency), an unknown steering group, a blank or
    over-long reference, title or text, a date in the future, an agency bound that is not a
    provider agency, a reference the steering group has used before."""
    if not may_record_decision_for(actor, recorded_for):
        raise NotFound("organisation")
    if body not in SteeringBody.values:
        raise field_refusal("body", _("Unknown steering group %(value)s."), value=str(body)[:40])
    reference = _one_line(reference, "reference", 60, _("the reference number"))
    title = _one_line(title, "title", 200, _("a title"))
    text = (text or "").strip()
    if not text or len(text) > MAX_DECISION_TEXT:
        raise field_refusal(
            "text", _("Write the decision, 1–%(limit)s characters."), limit=MAX_DECISION_TEXT
        )
    try:
        validate_multi_line(text)
    except ValidationError:
        raise field_refusal("text", CONTROL_CHARACTERS) from None
    if decided_on is None or decided_on > timezone.localdate():
        raise field_refusal("decided_on", _("Give the day of the decision; it cannot lie ahead."))
    bound = {int(i) for i in provider_ids} | {recorded_for}
    known = set(provider_agencies().filter(id__in=bound).values_list("id", flat=True))
    if recorded_for not in known:
        raise NotFound("organisation")
    if bound - known:
        raise field_refusal(
            "providers", _("Only provider agencies can be bound by a steering group decision.")
        )
    with transaction.atomic():
        if SteeringDecision.objects.filter(body=body, reference=reference).exists():
            raise field_refusal(
                "reference", _("The steering group already has a decision %(reference)s."),
                reference=reference,
            )  # fmt: skip
        decision = SteeringDecision.objects.create(
            body=body, reference=reference, decided_on=decided_on, title=title, text=text,
            recorded_for_id=recorded_for, recorded_by=str(actor.label)[:150],
        )  # fmt: skip
        decision.providers.set(sorted(bound))
        audit_record(
            actor=actor, action="cooperation.decision_recorded", obj=decision,
            organisation_id=recorded_for,
            after={"body": body, "reference": reference, "decided_on": decided_on.isoformat(),
                   "title": title, "text": text, "providers": sorted(bound)},
        )  # fmt: skip
    return decision
