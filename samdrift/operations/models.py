"""Incidents, their events and per-agency clocks; problems (known errors); changes (ADRs 0800–0806);
outages and monitoring tokens (ADRs 0830, 0831).

Another app's model is named by label. The clock fields of `AffectedAgency` are a stored copy of
the replay (`clocks.replay`) so lists can sort and filter by them; the replay is the truth and
`services.recompute_clocks` rewrites them from the events.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from samdrift.core.models import TimeStampedModel

from .choices import (
    CapacityKind,
    ChangeKind,
    ChangeState,
    ClockStatus,
    EventKind,
    Impact,
    IncidentState,
    OutageCause,
    OutageLevel,
    Priority,
    ProblemState,
    Urgency,
)


class Problem(TimeStampedModel):
    """The unknown cause of one or more incidents; with a root cause and a workaround it is a
    known error."""

    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(
        _("state"), max_length=16, choices=ProblemState.choices, default=ProblemState.OPEN
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    workaround = models.TextField(_("workaround"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="known_error") | (~Q(root_cause="") & ~Q(workaround="")),
                name="known_error_has_cause_and_workaround",
            )
        ]

    def __str__(self) -> str:
        return f"PRB{self.pk}"


class Incident(TimeStampedModel):
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    # The service's provider when the incident was opened: whose staff work it (ADR 0041).
    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # The agency that reported it (None: the provider found it itself).
    reported_by_org = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=IncidentState.choices, default=IncidentState.NEW
    )
    major = models.BooleanField(_("major incident"), default=False)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    problem = models.ForeignKey(
        Problem, on_delete=models.SET_NULL, null=True, blank=True, related_name="incidents"
    )
    opened_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)
    # Legal reporting (ADR 0844): the regimes the incident is reportable under (codes of
    # `data/legal_deadlines.json`) and when the provider became aware, which starts their clocks.
    regimes = models.JSONField(default=list, blank=True)
    aware_at = models.DateTimeField(null=True, blank=True)
    # The function of the service's responsibility matrix the incident concerns (ADR 0845), and
    # the version it was routed by.
    function = models.CharField(_("function"), max_length=200, blank=True)
    matrix = models.ForeignKey(
        "ResponsibilityMatrix", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["provider", "state", "opened_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("id")),
                name="incident_not_its_own_parent",
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1) & Q(priority__lte=5), name="incident_priority_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"INC{self.pk}"


class IncidentEvent(models.Model):
    """One change of an incident, never edited: the history the clocks replay (ADR 0804)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    state = models.CharField(max_length=16, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["incident", "at", "id"])]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.kind}"


class ResponsibilityMatrix(models.Model):
    """One version of the RACI matrix of a jointly delivered service (ADR 0845): functions ×
    parties. A draft until published; a published version takes effect on `effective_from` and
    stays in effect until a later published version does. Published versions are never edited."""

    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveIntegerField()
    effective_from = models.DateField(_("takes effect"))
    note = models.TextField(_("note"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["service_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "version"], name="raci_one_version_number_per_service"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} v{self.version}"


class Responsibility(models.Model):
    """One cell of a matrix: a party's role (R, A, C or I) on one function."""

    matrix = models.ForeignKey(ResponsibilityMatrix, on_delete=models.CASCADE, related_name="cells")
    function = models.CharField(_("function"), max_length=200)
    position = models.PositiveIntegerField(default=0)  # the function's row, as entered
    role = models.CharField(max_length=1)
    party = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["matrix_id", "position", "role", "party_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["matrix", "function", "role", "party"], name="raci_cell_once"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["R", "A", "C", "I"]), name="raci_role_is_r_a_c_or_i"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matrix_id}:{self.function}:{self.role}"


class IncidentParty(models.Model):
    """A party of the responsibility matrix an incident was routed to (ADR 0845): R is assigned
    the work, A is escalated to, C and I are informed. The rule that lets another agency than
    the affected ones see the incident."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=1)

    class Meta:
        ordering = ["incident_id", "role", "organisation_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "organisation", "role"], name="incident_party_once"
            )
        ]
        indexes = [models.Index(fields=["organisation", "incident"])]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.organisation_id}:{self.role}"


class LegalReport(models.Model):
    """The record that one legal deadline of an incident was met (ADR 0844): when the report was
    made, its content per checklist item, the recipient's reference. Never edited; a correction
    to a report is a new report of the next deadline or a note."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="legal_reports")
    regime = models.CharField(max_length=16)
    code = models.CharField(max_length=32)
    # The customer agency of a per-customer deadline (the processor's notice), else None.
    customer = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    content = models.JSONField(default=dict)
    reference = models.CharField(max_length=200, blank=True)
    met_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=200)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["met_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "regime", "code"],
                condition=Q(customer__isnull=True),
                name="legal_report_once",
            ),
            models.UniqueConstraint(
                fields=["incident", "regime", "code", "customer"],
                condition=Q(customer__isnull=False),
                name="legal_report_once_per_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.regime}/{self.code}"


class AffectedAgency(models.Model):
    """One agency an incident reaches, with its own clocks (stored copy of the replay)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="affected")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # The codes of the agency's services the incident reaches (the incident's own, or one
    # depending on it) and the agreed hours chosen from them.
    via_services = models.JSONField(default=list)
    support_hours = models.CharField(max_length=16)
    response_status = models.CharField(max_length=16, choices=ClockStatus.choices)
    response_elapsed = models.PositiveIntegerField(default=0)
    response_target = models.PositiveIntegerField(default=0)
    response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_status = models.CharField(max_length=16, choices=ClockStatus.choices)
    resolution_elapsed = models.PositiveIntegerField(default=0)
    resolution_target = models.PositiveIntegerField(default=0)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField()
    # The worst status the provider's operators were already alerted of, per clock (ADR 0849):
    # "" (none), "warning" or "breached"; each level is told once.
    response_alerted = models.CharField(max_length=16, blank=True, default="")
    resolution_alerted = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        ordering = ["organisation__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "organisation"], name="one_clock_per_agency_and_incident"
            )
        ]
        indexes = [models.Index(fields=["organisation", "resolution_status"])]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.organisation_id}"


class Change(TimeStampedModel):
    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=ChangeKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    fallback = models.TextField(_("fallback plan"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=ChangeState.choices, default=ChangeState.DRAFT
    )
    window_start = models.DateTimeField(_("maintenance window starts"))
    window_end = models.DateTimeField(_("maintenance window ends"))
    approved_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    problem = models.ForeignKey(
        Problem, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    #: When the reached agencies' contacts were told of this window, and reminded before it.
    announced_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["window_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gt=F("window_start")), name="change_window_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"CHG{self.pk}"


class Outage(TimeStampedModel):
    """A time the service was down (or degraded), recorded by hand, from an incident or from
    monitoring (ADR 0830). Per service, never per agency: every agency's availability is read
    from the same record through its own agreed hours."""

    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(
        _("level"), max_length=16, choices=OutageLevel.choices, default=OutageLevel.OUTAGE
    )
    cause = models.CharField(_("source"), max_length=16, choices=OutageCause.choices)
    summary = models.CharField(_("summary"), max_length=200)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    incident = models.ForeignKey(
        Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="outages"
    )
    # Monitoring: Alertmanager's fingerprint and the alert's start, so a repeated delivery of
    # the same alert changes nothing (ADR 0831).
    alert_key = models.CharField(max_length=200, blank=True)
    recorded_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["service", "started_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                name="outage_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["provider", "alert_key"],
                condition=~Q(alert_key=""),
                name="one_outage_per_alert",
            ),
        ]

    def __str__(self) -> str:
        return f"OUT{self.pk}"


class MonitoringToken(TimeStampedModel):
    """A provider's bearer token for Alertmanager's webhook (`http_config.authorization`); only
    its SHA-256 is stored (ADR 0831)."""

    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["provider_id", "name", "id"]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.name}"


class Survey(models.Model):
    """A customer satisfaction survey (NKI) of one service for one year (issue 16 item 7,
    ADR 0843): the agencies connected to the service answer the three NKI questions."""

    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    closes_on = models.DateField(_("answers until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "service_id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "year"], name="survey_one_per_service_year")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.year}"


class SurveyAnswer(models.Model):
    """One agency's answer: each question on the scale 1–10; the agency's latest answer counts."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    answered_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    overall = models.PositiveSmallIntegerField()
    expectations = models.PositiveSmallIntegerField()
    ideal = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["survey_id", "organisation_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "organisation"], name="survey_answer_one_per_agency"
            ),
            models.CheckConstraint(
                condition=Q(overall__gte=1, overall__lte=10)
                & Q(expectations__gte=1, expectations__lte=10)
                & Q(ideal__gte=1, ideal__lte=10),
                name="survey_answer_scale_1_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.organisation_id}"


class CapacityMetric(models.Model):
    """One capacity figure of a service (ADR 0846): what it counts, the capacity it has (licences
    bought, bandwidth provisioned; empty when unbounded) and, when monitoring measures it, the
    PromQL query that does."""

    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    kind = models.CharField(_("figure"), max_length=16, choices=CapacityKind.choices)
    capacity = models.DecimalField(
        _("capacity"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    prometheus_query = models.CharField(_("Prometheus query"), max_length=1000, blank=True)

    class Meta:
        ordering = ["service_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["service", "kind"], name="capacity_one_per_kind"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0),
                name="capacity_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}:{self.kind}"


class CapacitySample(models.Model):
    """One measured value of a capacity figure at a moment (imported or queried)."""

    metric = models.ForeignKey(CapacityMetric, on_delete=models.CASCADE, related_name="samples")
    at = models.DateTimeField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    source = models.CharField(max_length=16)  # "csv", "prometheus", "api"

    class Meta:
        ordering = ["metric_id", "at"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "at"], name="capacity_sample_once"),
            models.CheckConstraint(condition=Q(value__gte=0), name="capacity_sample_not_negative"),
        ]
        indexes = [models.Index(fields=["metric", "at"])]

    def __str__(self) -> str:
        return f"{self.metric_id}@{self.at:%Y-%m-%d %H:%M}"
