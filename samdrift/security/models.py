"""What security operations records (ADR 0950): the components services are built from, the
vulnerability findings scanners report on them, and each import of a scanner report."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import (
    ComponentKind,
    FindingStatus,
    ReportFormat,
    SecurityCategory,
    Severity,
    VexStatus,
)


class Component(models.Model):
    """Software a provider runs (a container image, a library, an application, a host), with
    the catalogue services built from it. Findings are imported per component."""

    provider = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("provider agency"),
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    version = models.CharField(_("version"), max_length=100, blank=True)
    purl = models.CharField(_("package URL"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ComponentKind.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()


class ComponentUse(models.Model):
    """A catalogue service is built from (runs) this component."""

    component = models.ForeignKey(
        Component, on_delete=models.CASCADE, related_name="uses", verbose_name=_("component")
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )

    class Meta:
        verbose_name = _("component use")
        verbose_name_plural = _("component uses")
        constraints = [
            models.UniqueConstraint(fields=["component", "service"], name="component_use_once")
        ]

    def __str__(self) -> str:
        return f"{self.component_id} -> {self.service_id}"


class ImportRun(models.Model):
    """One scanner report imported for one component. The scope is (component, tool): a newer
    report of the same scope fixes what it no longer lists (ADR 0951)."""

    component = models.ForeignKey(
        Component, on_delete=models.PROTECT, related_name="runs", verbose_name=_("component")
    )
    tool = models.CharField(_("tool"), max_length=100)
    report_format = models.CharField(_("format"), max_length=12, choices=ReportFormat.choices)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    checksum = models.CharField(_("SHA-256 of the file"), max_length=64)
    imported_at = models.DateTimeField(_("imported"))
    imported_by = models.CharField(_("imported by"), max_length=150)
    reported = models.PositiveIntegerField(_("findings in the report"), default=0)
    created = models.PositiveIntegerField(_("new findings"), default=0)
    fixed = models.PositiveIntegerField(_("findings marked fixed"), default=0)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["component", "tool", "checksum"], name="import_run_once_per_file"
            )
        ]

    def __str__(self) -> str:
        return f"{self.component_id} {self.tool} {self.imported_at:%Y-%m-%d %H:%M}"


class Finding(models.Model):
    """One vulnerability in one package of a component, as one tool reports it. `dedup_key` is
    the SHA-256 of the format's identifying fields (ADR 0951); it is unique per scope."""

    component = models.ForeignKey(
        Component, on_delete=models.PROTECT, related_name="findings", verbose_name=_("component")
    )
    tool = models.CharField(_("tool"), max_length=100)
    dedup_key = models.CharField(_("deduplication key"), max_length=64)
    vulnerability_id = models.CharField(_("vulnerability"), max_length=200)
    aliases = models.JSONField(_("also known as"), default=list, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    title = models.CharField(_("title"), max_length=500, blank=True)
    package_name = models.CharField(_("package"), max_length=300, blank=True)
    package_version = models.CharField(_("installed version"), max_length=200, blank=True)
    fixed_version = models.CharField(_("fixed in"), max_length=200, blank=True)
    #: Where the scanner found it (file, image layer, host): the provider's internal detail,
    #: never shown to a customer agency.
    location = models.CharField(_("location"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    justification = models.CharField(_("justification"), max_length=500, blank=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    fixed_at = models.DateTimeField(_("fixed"), null=True, blank=True)
    first_run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, related_name="+", verbose_name=_("first import")
    )
    last_run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, related_name="+", verbose_name=_("last import")
    )

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["component__name", "vulnerability_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["component", "tool", "dedup_key"], name="finding_once_per_scope"
            )
        ]
        indexes = [models.Index(fields=["status", "severity"])]

    def __str__(self) -> str:
        return f"{self.vulnerability_id} {self.package_name}".strip()


class VexStatement(models.Model):
    """What an OpenVEX document states of one vulnerability in one product of a component
    (ADR 0955). Kept, so that every later scan of the component honours it: a finding the
    statement calls not affected stays closed with its justification."""

    component = models.ForeignKey(
        Component, on_delete=models.PROTECT, related_name="vex_statements",
        verbose_name=_("component"),
    )  # fmt: skip
    vulnerability_id = models.CharField(_("vulnerability"), max_length=200)
    aliases = models.JSONField(_("also known as"), default=list, blank=True)
    product = models.CharField(_("product (package URL)"), max_length=500)
    package_name = models.CharField(_("package"), max_length=300)
    package_version = models.CharField(_("version"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=VexStatus.choices)
    justification = models.CharField(_("justification"), max_length=500, blank=True)
    run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, related_name="+", verbose_name=_("import")
    )

    class Meta:
        verbose_name = _("VEX statement")
        verbose_name_plural = _("VEX statements")
        constraints = [
            models.UniqueConstraint(
                fields=["component", "vulnerability_id", "product"],
                name="vex_statement_once_per_product",
            )
        ]

    def __str__(self) -> str:
        return f"{self.vulnerability_id} {self.product} {self.status}"


class KnownExploited(models.Model):
    """A vulnerability in CISA's Known Exploited Vulnerabilities catalogue (ADR 0956): public
    reference data, replaced whole by each import. It shortens remediation deadlines."""

    cve_id = models.CharField(_("CVE"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300, blank=True)
    date_added = models.DateField(_("added to the catalogue"))
    due_date = models.DateField(_("CISA's due date"), null=True, blank=True)
    ransomware = models.BooleanField(_("used in ransomware campaigns"), default=False)

    class Meta:
        verbose_name = _("known exploited vulnerability")
        verbose_name_plural = _("known exploited vulnerabilities")

    def __str__(self) -> str:
        return self.cve_id


class EpssScore(models.Model):
    """FIRST's Exploit Prediction Scoring System score of one CVE (ADR 0956): the probability of
    exploitation in the next 30 days. Replaced whole by each import; orders findings."""

    cve_id = models.CharField(_("CVE"), max_length=40, unique=True)
    epss = models.FloatField(_("EPSS"))
    percentile = models.FloatField(_("percentile"))
    score_date = models.DateField(_("score date"), null=True, blank=True)

    class Meta:
        verbose_name = _("EPSS score")
        verbose_name_plural = _("EPSS scores")

    def __str__(self) -> str:
        return f"{self.cve_id} {self.epss}"


class Advisory(models.Model):
    """A vulnerability the provider's SOC has told its customers about (ADR 0967). Published
    again when the situation changes: each publication is a revision, all kept in `revisions`."""

    provider = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("provider agency"),
    )
    vulnerability_id = models.CharField(_("vulnerability"), max_length=200)
    aliases = models.JSONField(_("also known as"), default=list, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"))
    revision = models.PositiveIntegerField(_("revision"), default=1)
    revisions = models.JSONField(_("revision history"), default=list)
    first_published_at = models.DateTimeField(_("first published"))
    published_at = models.DateTimeField(_("published"))
    published_by = models.CharField(_("published by"), max_length=150)

    class Meta:
        verbose_name = _("advisory")
        verbose_name_plural = _("advisories")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "vulnerability_id"], name="security_advisory_once_per_vuln"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vulnerability_id}: {self.title}"


class AdvisoryCopy(models.Model):
    """The CSAF document one audience received at the advisory's latest revision that reached
    it: an agency's own copy (only what reaches it), or the provider's full one (no agency)."""

    advisory = models.ForeignKey(Advisory, on_delete=models.CASCADE, related_name="copies")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("agency"),
    )
    revision = models.PositiveIntegerField(_("revision"))
    category = models.CharField(_("CSAF category"), max_length=40)
    document = models.JSONField(_("CSAF document"))

    class Meta:
        verbose_name = _("advisory copy")
        verbose_name_plural = _("advisory copies")
        constraints = [
            models.UniqueConstraint(
                fields=["advisory", "organisation"], name="security_advisory_copy_per_agency"
            ),
            models.UniqueConstraint(
                fields=["advisory"],
                condition=models.Q(organisation__isnull=True),
                name="security_advisory_one_provider_copy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.advisory_id} v{self.revision} ({self.organisation_id or 'provider'})"


class SecurityCase(models.Model):
    """An operations incident that is a security incident (ADR 0968): its security fields live
    here, its clocks, parties and legal deadlines in the operations app."""

    incident = models.OneToOneField(
        "operations.Incident",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("incident"),
    )
    category = models.CharField(_("category"), max_length=20, choices=SecurityCategory.choices)
    information_classes = models.JSONField(_("information affected"), default=list)
    personal_data = models.BooleanField(_("personal data involved"), default=False)
    opened_at = models.DateTimeField(_("opened"))
    updated_at = models.DateTimeField(_("updated"))
    updated_by = models.CharField(_("updated by"), max_length=150)

    class Meta:
        verbose_name = _("security case")
        verbose_name_plural = _("security cases")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"INC{self.incident_id} ({self.category})"
