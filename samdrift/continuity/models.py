"""What samdrift records of its own continuity: each restore drill and what it achieved, and the
Program 2032 sites its services run on (ADR 0910)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import PlacementRole, Region, SecurityClass


class RestoreDrill(models.Model):
    """One restore drill (ADR 0901): the newest backup restored into a scratch database and
    compared. Achieved RPO is the age of that backup when the drill began (the newest data that
    could be brought back); achieved RTO is how long bringing it back and checking it took."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    backup_name = models.CharField(_("backup"), max_length=255)
    backup_created_at = models.DateTimeField(_("backup made"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"))
    problems = models.JSONField(_("problems"), default=list, blank=True)
    rpo_seconds = models.PositiveBigIntegerField(_("achieved RPO (seconds)"), null=True, blank=True)
    rto_seconds = models.FloatField(_("achieved RTO (seconds)"))
    tables = models.PositiveIntegerField(_("tables"), default=0)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    files = models.PositiveIntegerField(_("files"), default=0)

    class Meta:
        verbose_name = _("restore drill")
        verbose_name_plural = _("restore drills")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.backup_name} {self.started_at:%Y-%m-%d %H:%M}"


class Site(models.Model):
    """A data-centre site of Program 2032 (ADR 0910): run by an operator agency, in one civil
    area, approved up to a security class, with room for `capacity` service instances."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    operator = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("operator agency"),
    )
    region = models.CharField(_("region"), max_length=12, choices=Region.choices)
    security_class = models.PositiveSmallIntegerField(
        _("security class"), choices=SecurityClass.choices, default=SecurityClass.NONE
    )
    capacity = models.PositiveIntegerField(_("capacity (service instances)"))
    nis_relevant = models.BooleanField(_("relevant under NIS"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="site_capacity_min")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Placement(models.Model):
    """One instance of a catalogue service on a site, primary or secondary, with the recovery
    time achievable when the service has to be run from this site."""

    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="placements", verbose_name=_("site")
    )
    role = models.CharField(_("role"), max_length=10, choices=PlacementRole.choices)
    rto_hours = models.PositiveIntegerField(_("RTO achievable from this site (hours)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["service_id", "role", "site__code"]
        constraints = [
            models.UniqueConstraint(fields=["service", "site"], name="placement_once_per_site"),
            models.UniqueConstraint(
                fields=["service"],
                condition=models.Q(role="primary"),
                name="placement_one_primary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}@{self.site_id} {self.role}"


class RedundancyPolicy(models.Model):
    """How spread a service must be: at least `min_sites` sites in at least `min_regions`
    civil areas, every one approved for `min_security_class` (ADR 0911)."""

    service = models.OneToOneField(
        "catalogue.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    min_sites = models.PositiveSmallIntegerField(_("at least sites"))
    min_regions = models.PositiveSmallIntegerField(_("at least regions"))
    min_security_class = models.PositiveSmallIntegerField(
        _("at least security class"), choices=SecurityClass.choices, default=SecurityClass.NONE
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("redundancy policy")
        verbose_name_plural = _("redundancy policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_sites__gte=1, min_regions__gte=1)
                & models.Q(min_regions__lte=models.F("min_sites")),
                name="policy_sites_cover_regions",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.min_sites}/{self.min_regions}"
