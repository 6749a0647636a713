"""Demand, connection cases through Initiera → Planera → Paketera → Köra, and subscriptions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samdrift.core.files.models import StoredFile
from samdrift.core.models import TimeStampedModel

from .choices import AgreementBasis, CaseEventKind, CaseState, Phase, RequestStatus, Scope


class ServiceRequest(TimeStampedModel):
    """An agency asks for a service."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="service_requests"
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="requests"
    )
    requested_on = models.DateField(_("requested on"), db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The plan (the report's "planned 2022" list) and the outcome it is measured against (ADR 0096).
    planned_on = models.DateField(_("planned connection"), null=True, blank=True)
    connected_on = models.DateField(_("connected on"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_on", "-id"]
        indexes = [
            models.Index(fields=["service", "requested_on"]),
            # Covers the demand report's DISTINCT (service, agency) without touching the table.
            models.Index(
                fields=["service", "organisation", "status", "requested_on"],
                name="request_demand_cover",
            ),
            # An agency's own requests by status in date order: without the dates the planner
            # preferred walking every waiting request of the country in order (ADR 0711).
            models.Index(
                fields=["organisation", "status", "requested_on", "id"], name="request_own_status"
            ),
            # The start page's requests to answer, oldest first: read in order, stopped at 11
            # (ADR 0711).
            models.Index(fields=["status", "requested_on", "id"], name="request_waiting_oldest"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.service.code}"


class ChecklistTemplateItem(models.Model):
    """The configurable checklist of a phase; copied onto each case as the case enters the phase."""

    phase = models.CharField(max_length=16, choices=Phase.choices)
    position = models.PositiveSmallIntegerField(default=0)
    text_sv = models.CharField(max_length=200)
    text_en = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["phase", "position", "id"]

    def __str__(self) -> str:
        return self.text_sv


class ConnectionCase(TimeStampedModel):
    """One agency's way onto one or more services (or the total commitment).

    `version` is bumped by every change so that two people acting at once cannot both win.
    `reconstructed` marks demo cases whose phase was inferred, not stated, in the source report.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="connection_cases"
    )
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    services = models.ManyToManyField(
        "catalogue.Service", related_name="connection_cases", blank=True
    )
    phase = models.CharField(
        _("phase"), max_length=16, choices=Phase.choices, default=Phase.INITIATE
    )
    state = models.CharField(
        _("state"), max_length=16, choices=CaseState.choices, default=CaseState.OPEN
    )
    agreement_basis = models.CharField(
        _("agreement basis"),
        max_length=16,
        choices=AgreementBasis.choices,
        default=AgreementBasis.ASSIGNMENT,
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    reconstructed = models.BooleanField(
        _("phase reconstructed from the source report"), default=False
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["state", "phase", "scope"]),
            models.Index(fields=["organisation", "state"]),
            # The case list and the dashboard board read the newest cases first.
            models.Index(fields=["-opened_on", "-id"], name="case_newest_first"),
            models.Index(fields=["phase", "-opened_on", "-id"], name="case_phase_newest_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state=CaseState.OPEN) | Q(closed_on__isnull=False),
                name="closed_case_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_scope_display()})"


class CaseChecklistItem(models.Model):
    case = models.ForeignKey(
        ConnectionCase, on_delete=models.CASCADE, related_name="checklist_items"
    )
    phase = models.CharField(max_length=16, choices=Phase.choices)
    position = models.PositiveSmallIntegerField(default=0)
    text_sv = models.CharField(max_length=200)
    text_en = models.CharField(max_length=200)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["case", "phase"])]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return self.text_en if (get_language() or "sv").startswith("en") else self.text_sv


class PhaseSignOff(models.Model):
    """Security's sign-off of one phase of one case. The report: security takes part in every step."""

    case = models.ForeignKey(ConnectionCase, on_delete=models.CASCADE, related_name="signoffs")
    phase = models.CharField(max_length=16, choices=Phase.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "phase"], name="one_signoff_per_phase")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.phase}"


class PhasePeriod(models.Model):
    """When a case entered and left a phase: the source of lead times."""

    case = models.ForeignKey(ConnectionCase, on_delete=models.CASCADE, related_name="phase_periods")
    phase = models.CharField(max_length=16, choices=Phase.choices)
    entered_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "phase"], name="one_period_per_phase")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.phase}"


class CaseEvent(models.Model):
    """The case's history as people see it: who moved what, when."""

    case = models.ForeignKey(ConnectionCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=CaseEventKind.choices)
    phase = models.CharField(max_length=16, choices=Phase.choices)
    to_phase = models.CharField(max_length=16, choices=Phase.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"


class Subscription(TimeStampedModel):
    """The agency is connected to the service from `start_date`, on an agreement basis."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="subscriptions"
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="subscriptions"
    )
    start_date = models.DateField(_("connected from"))
    end_date = models.DateField(_("connected until"), null=True, blank=True)
    agreement_basis = models.CharField(
        _("agreement basis"), max_length=16, choices=AgreementBasis.choices
    )
    case = models.ForeignKey(
        ConnectionCase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subscriptions",
    )

    class Meta:
        ordering = ["organisation__name", "service__display_order"]
        indexes = [
            models.Index(fields=["service", "agreement_basis", "start_date"]),
            models.Index(
                fields=["service", "organisation", "agreement_basis", "start_date", "end_date"],
                name="subscription_demand_cover",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service"],
                condition=Q(end_date__isnull=True),
                name="one_open_subscription_per_service",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="subscription_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ⇢ {self.service.code}"


class CaseAttachment(models.Model):
    """A document on a connection case (an agreement, a security plan). The bytes and checksum
    are the storage layer's (`samdrift.core.files`); who sees it is whoever sees the case."""

    case = models.ForeignKey(ConnectionCase, on_delete=models.CASCADE, related_name="attachments")
    file = models.OneToOneField(StoredFile, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-id"]

    def __str__(self) -> str:
        return self.file.name
