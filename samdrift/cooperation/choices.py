"""Fixed vocabularies of the DSAM evaluations (ADR 0960)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    """How binding a requirement is, in the words of a Swedish requirement specification: a
    `skall` requirement must be met (or the solution is out at the first screening); `bör` and
    `önskvärd` are scored by their weight."""

    SKALL = "skall", _("shall (skall)")
    BOR = "bör", _("should (bör)")
    ONSKVARD = "önskvärd", _("desirable (önskvärd)")


class Verdict(models.TextChoices):
    MET = "met", _("met")
    PARTLY = "partly", _("partly met")
    NOT_MET = "not_met", _("not met")


#: What a verdict is worth in the weighted score (ADR 0961).
FACTOR = {Verdict.MET: 1.0, Verdict.PARTLY: 0.5, Verdict.NOT_MET: 0.0}

#: Spellings accepted on import for each grade (case and surrounding space ignored).
GRADE_SPELLINGS = {
    "skall": Grade.SKALL, "ska": Grade.SKALL, "shall": Grade.SKALL, "must": Grade.SKALL,
    "bör": Grade.BOR, "bor": Grade.BOR, "should": Grade.BOR,
    "önskvärd": Grade.ONSKVARD, "onskvard": Grade.ONSKVARD, "önskvärt": Grade.ONSKVARD,
    "desirable": Grade.ONSKVARD,
}  # fmt: skip
MAX_WEIGHT = 10


class SteeringBody(models.TextChoices):
    """The cooperation whose steering group took a decision (ADR 0972)."""

    SITSSAM = "sitssam", _("SITSSAM steering group")
    PROGRAM_2032 = "program_2032", _("Program 2032 steering group")
    DSAM = "dsam", _("DSAM steering group")
