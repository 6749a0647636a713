"""DSAM evaluations (issue 18 item 4, ADR 0960): a requirement catalogue, solutions evaluated
against it with evidence per requirement. Screening and scores are computed (`scoring`), never
stored, so they always follow the evidence."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Grade, SteeringBody, Verdict


class Catalogue(models.Model):
    """A requirement specification, kept by one provider agency."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("owner agency"),
    )  # fmt: skip
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("requirement catalogue")
        verbose_name_plural = _("requirement catalogues")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Requirement(models.Model):
    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="requirements")
    ref = models.CharField(_("id"), max_length=40)
    position = models.PositiveIntegerField(_("position"))
    area = models.CharField(_("area"), max_length=120)
    text = models.TextField(_("text"))
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    test_method = models.CharField(_("how it is tested"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=0)

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["catalogue_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "ref"], name="requirement_ref_once"),
            models.CheckConstraint(
                condition=models.Q(grade="skall", weight=0)
                | (~models.Q(grade="skall") & models.Q(weight__gte=1, weight__lte=10)),
                name="requirement_weight_by_grade",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} ({self.grade})"


class Evaluation(models.Model):
    """One evaluation of solutions against a catalogue; everyone logged in reads it once
    published (ADR 0962)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    catalogue = models.ForeignKey(
        Catalogue, on_delete=models.PROTECT, related_name="evaluations",
        verbose_name=_("requirement catalogue"),
    )  # fmt: skip
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Solution(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="solutions")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        ordering = ["evaluation_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "name"], name="solution_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """How one solution meets one requirement, and the evidence for it."""

    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="assessments")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    evidence = models.TextField(_("evidence"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["solution", "requirement"], name="assessment_once_per_requirement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.solution_id}/{self.requirement_id}: {self.verdict}"


class SteeringDecision(models.Model):
    """A decision of a cooperation's steering group (SITSSAM, issue 18 item 3; ADR 0972), recorded
    by one of the provider agencies it binds. A record, not a draft: it is never edited; a later
    decision that changes it says so in its own text."""

    body = models.CharField(_("steering group"), max_length=20, choices=SteeringBody.choices)
    reference = models.CharField(_("reference number"), max_length=60)
    decided_on = models.DateField(_("decided on"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("decision"))
    providers = models.ManyToManyField(
        "organisations.Organisation", related_name="+", verbose_name=_("provider agencies bound")
    )
    recorded_for = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("recorded by agency"),
    )  # fmt: skip
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("steering group decision")
        verbose_name_plural = _("steering group decisions")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["body", "reference"], name="decision_reference_once")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"
