"""The service catalogue: what the provider offers, at which service level, built on what."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samdrift.core.models import TimeStampedModel

from .choices import Lifecycle, SupportHours

SERVICE_CODE_VALIDATOR = RegexValidator(
    r"^[A-Z][A-Z0-9-]{1,31}$",
    _("A service code is 2–32 capital letters, digits or hyphens, starting with a letter."),
)


class BilingualNameMixin:
    name_sv: str
    name_en: str

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "sv").startswith("en") else self.name_sv


class Category(BilingualNameMixin, models.Model):
    code = models.SlugField(unique=True)
    name_sv = models.CharField(_("name (Swedish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        ordering = ["name_sv"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Service(BilingualNameMixin, TimeStampedModel):
    """A catalogue service with its service level. `in_total_commitment` marks the package a
    total-commitment connection brings."""

    code = models.CharField(
        _("code"), max_length=32, unique=True, validators=[SERVICE_CODE_VALIDATOR]
    )
    name_sv = models.CharField(_("name (Swedish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_sv = models.TextField(_("description (Swedish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="services")
    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="provided_services"
    )
    lifecycle = models.CharField(
        _("lifecycle"), max_length=16, choices=Lifecycle.choices, default=Lifecycle.DRAFT
    )
    in_total_commitment = models.BooleanField(_("part of the total commitment"), default=False)
    display_order = models.PositiveSmallIntegerField(default=100)
    availability_target = models.DecimalField(
        _("availability target (%)"),
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        default=Decimal("99.5"),
    )
    support_hours = models.CharField(
        _("support hours"), max_length=16, choices=SupportHours.choices, default=SupportHours.OFFICE
    )
    rto_hours = models.PositiveIntegerField(_("recovery time objective (hours)"), default=24)
    rpo_hours = models.PositiveIntegerField(_("recovery point objective (hours)"), default=24)
    retirement_date = models.DateField(_("retirement date"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic concurrency (ADR 0004)
    depends_on = models.ManyToManyField(
        "self",
        through="ServiceDependency",
        symmetrical=False,
        related_name="required_by",
        blank=True,
    )

    class Meta:
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(availability_target__gte=0) & Q(availability_target__lte=100),
                name="service_availability_is_percentage",
            ),
            models.CheckConstraint(
                condition=~Q(lifecycle="retiring") | Q(retirement_date__isnull=False),
                name="service_retiring_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        return (
            self.description_en
            if (get_language() or "sv").startswith("en")
            else self.description_sv
        )


class ServiceDependency(models.Model):
    """`service` needs `depends_on` to work (SAFOS needs EFOS for login)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="dependency_links")
    depends_on = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="dependant_links"
    )
    reason_sv = models.CharField(max_length=200, blank=True)
    reason_en = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "depends_on"], name="service_dependency_unique"
            ),
            models.CheckConstraint(
                condition=~Q(service=models.F("depends_on")), name="service_not_own_dependency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} → {self.depends_on}"

    @property
    def reason(self) -> str:
        return self.reason_en if (get_language() or "sv").startswith("en") else self.reason_sv
