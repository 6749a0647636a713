"""The editable parts of the yearly report to the government.

Everything else in the report (connections, the service table, EFOS, economy, indicators) is
computed from live data each time it is built; only the prose is stored, one row per year, in both
of our languages. The report is the provider's, not an agency's, so the row carries no agency.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samdrift.core.models import TimeStampedModel

FIRST_REPORT_YEAR = 2017  # the government assignment was given on 24 August 2017
LAST_REPORT_YEAR = 2100
TEXT_MAX_LENGTH = 20_000


class ReportText(TimeStampedModel):
    """Summary and background of one year's report, in Swedish and English.

    `version` is bumped by every save so that two editors cannot silently overwrite each other.
    """

    year = models.PositiveSmallIntegerField(
        _("year"),
        unique=True,
        validators=[MinValueValidator(FIRST_REPORT_YEAR), MaxValueValidator(LAST_REPORT_YEAR)],
    )
    summary_sv = models.TextField(_("summary (Swedish)"), max_length=TEXT_MAX_LENGTH, blank=True)
    summary_en = models.TextField(_("summary (English)"), max_length=TEXT_MAX_LENGTH, blank=True)
    background_sv = models.TextField(
        _("background (Swedish)"), max_length=TEXT_MAX_LENGTH, blank=True
    )
    background_en = models.TextField(
        _("background (English)"), max_length=TEXT_MAX_LENGTH, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_REPORT_YEAR) & Q(year__lte=LAST_REPORT_YEAR),
                name="report_text_year_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}"

    def summary_in(self, language: str | None = None) -> str:
        return self._in("summary", language)

    def background_in(self, language: str | None = None) -> str:
        return self._in("background", language)

    def _in(self, part: str, language: str | None) -> str:
        """The text in the asked language, falling back to Swedish (the report's own language)."""
        lang = (language or get_language() or "sv")[:2]
        text = getattr(self, f"{part}_en") if lang == "en" else ""
        return str(text or getattr(self, f"{part}_sv"))


class ReportDecision(TimeStampedModel):
    """The decision block of one year's report (ADR 0514): who decided it, who presented it
    (föredragande), when, and the government's reference number (diarienummer) of the assignment.

    Both officials are staff of the provider agency and two different people; the names are read
    from the users when shown, so the block never holds a stale copy of a name.
    """

    year = models.PositiveSmallIntegerField(
        _("year"),
        unique=True,
        validators=[MinValueValidator(FIRST_REPORT_YEAR), MaxValueValidator(LAST_REPORT_YEAR)],
    )
    reference = models.CharField(_("reference number"), max_length=40)
    decided_on = models.DateField(_("decision date"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("decided by"),
    )  # fmt: skip
    presented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("presented by"),
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The rendered report filed with EFOS for the deciding official to sign (ADR 0516); its first
    # signature by that official seals the report.
    signing_document = models.ForeignKey(
        "efos.SignableDocument", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("document to sign"),
    )  # fmt: skip

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decided_by=models.F("presented_by")),
                name="report_decision_two_people",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.reference}"
