"""The fee model: costs, prices, usage, invoices and the per-agency carry-forward ledger.

Amounts are integer öre (`BigIntegerField`, name ends in `_ore`); prices and quantities are
Decimal (fee-model.md §5.2). Finalised invoices, their lines, ledger entries, schedules and
closes are protected by database triggers (migration 0002), not only by the services.

Other apps' models are named by their label ("catalogue.Service"), not imported: billing reads
them only through their selectors (ADR 0046).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import (
    AllocationMethod,
    EconomicGoal,
    FundingSource,
    InvoiceKind,
    InvoiceStatus,
    LedgerKind,
    LineKind,
    PriceBasis,
    PriceModel,
    RunStatus,
    ScheduleKind,
    Segment,
    VatRegime,
)


class BilingualText:
    text_sv: str
    text_en: str

    @property
    def text(self) -> str:
        return self.text_en if (get_language() or "sv").startswith("en") else self.text_sv


def _default_provider_id() -> int | None:
    """The provider a fee-model row names when whoever made it named none: the catalogue owner,
    whose fee model it was before each provider had its own (ADR 0042, 0664). The services always
    name one; this keeps rows made directly (fixtures, the bench) where they were."""
    from samdrift.catalogue.selectors import default_provider_id

    return default_provider_id()


class FeeArea(models.Model):
    """An avgiftsområde: one row of the regleringsbrev table (R-02, R-05), of one provider agency.

    Each provider agency has its own fee model (ADR 0664): its fee areas, the services billed in
    them (its own only), and through them its accounts, closes, schedules and ledger. The code is
    unique within the provider; addresses name a fee area by id.
    """

    provider = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("provider"),
        db_index=False,  # indexed through (provider, code) below
    )
    code = models.SlugField()
    name_sv = models.CharField(_("name (Swedish)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    economic_goal = models.CharField(
        max_length=16, choices=EconomicGoal.choices, default=EconomicGoal.FULL
    )
    segment = models.CharField(max_length=16, choices=Segment.choices, default=Segment.CORE)
    recovery_years = models.PositiveSmallIntegerField(
        _("years to recover a deficit"),
        default=3,
        help_text=_("A year's deficit per account is recovered in this many yearly instalments."),
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recovery_years__gte=1), name="fee_area_recovery_positive"
            ),
            models.UniqueConstraint(fields=["provider", "code"], name="fee_area_code_per_provider"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.provider_id is None:
            self.provider_id = _default_provider_id()
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "sv").startswith("en") else self.name_sv


class BillableService(models.Model):
    """Billing terms of a catalogue service: its fee area and its unit (UN/ECE Rec 20 code)."""

    service = models.OneToOneField(
        "catalogue.Service", on_delete=models.PROTECT, related_name="billing"
    )
    fee_area = models.ForeignKey(FeeArea, on_delete=models.PROTECT, related_name="services")
    unit_code = models.CharField(_("unit code (UN/ECE Rec 20)"), max_length=3, default="C62")
    unit_sv = models.CharField(max_length=40, default="st")
    unit_en = models.CharField(max_length=40, default="pcs")

    def __str__(self) -> str:
        return f"{self.service.code} ({self.fee_area.code})"


class BillingProfile(models.Model):
    """How an agency is invoiced. Without a profile: state agency, billed to its legal umbrella."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="billing_profile"
    )
    vat_regime = models.CharField(
        max_length=16, choices=VatRegime.choices, default=VatRegime.STATE_AGENCY
    )
    buyer_reference = models.CharField(_("buyer reference"), max_length=100, blank=True)
    bill_separately = models.BooleanField(
        _("invoice this agency itself even when it has an umbrella"), default=False
    )
    invoice_to = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="another agency that receives this one's invoices (a group's billing member)",
    )
    city = models.CharField(max_length=80, blank=True)
    bankgiro = models.CharField(
        max_length=10, blank=True, help_text="a seller's Bankgiro number, digits only"
    )

    def __str__(self) -> str:
        return str(self.organisation)


class PriceVersion(models.Model):
    """A decided price (R-01, I-14). Never updated: a change is a new version (trigger in 0002)."""

    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="price_versions"
    )
    version = models.PositiveIntegerField()
    model = models.CharField(max_length=16, choices=PriceModel.choices, default=PriceModel.PER_UNIT)
    basis = models.CharField(max_length=8, choices=PriceBasis.choices, default=PriceBasis.MONTH)
    unit_price = models.DecimalField(_("unit price (SEK)"), max_digits=20, decimal_places=6)
    tiers = models.JSONField(
        default=list,
        blank=True,
        help_text="graduated: [[up_to or null, price], …] with prices as strings",
    )
    package_size = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    decision_ref = models.CharField(_("decision reference"), max_length=120)
    decision_date = models.DateField(_("decision date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["service__code", "valid_from", "version"]
        constraints = [
            models.UniqueConstraint(fields=["service", "version"], name="price_version_unique"),
            models.CheckConstraint(condition=~Q(decision_ref=""), name="price_has_decision"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="price_not_negative"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="price_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} v{self.version} {self.unit_price}"


class CostEntry(models.Model):
    """One cost from a provider's general ledger, tagged so the fee base can exclude what it must
    (R-04). A pool's cost names no service, so the entry names its provider (ADR 0664); a direct
    cost's provider is its service's."""

    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    period = models.DateField(_("period"), db_index=True)
    gl_account = models.CharField(_("GL account"), max_length=20)
    cost_pool = models.CharField(_("cost pool"), max_length=60)
    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cost_entries",
        help_text="set for a direct cost; empty for a pool to be allocated",
    )
    funding_source = models.CharField(
        max_length=16, choices=FundingSource.choices, default=FundingSource.AVGIFT
    )
    segment = models.CharField(max_length=16, choices=Segment.choices, default=Segment.CORE)
    vat_compensated = models.BooleanField(_("compensated input VAT"), default=False)
    amount_ore = models.BigIntegerField()
    source_ref = models.CharField(_("voucher"), max_length=80)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["period", "source_ref"]
        indexes = [models.Index(fields=["cost_pool", "period"])]
        constraints = [
            # Vouchers are numbered in each agency's own general ledger.
            models.UniqueConstraint(
                fields=["provider", "source_ref"], name="cost_voucher_per_provider"
            )
        ]

    def __str__(self) -> str:
        return self.source_ref

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.provider_id is None:
            self.provider_id = (
                self.service.provider_id if self.service_id else _default_provider_id()
            )
        super().save(*args, **kwargs)


class AllocationRule(models.Model):
    """How a provider's pool's cost reaches its services in a year; versioned, never edited (I-14)."""

    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    cost_pool = models.CharField(max_length=60)
    version = models.PositiveIntegerField(default=1)
    method = models.CharField(max_length=16, choices=AllocationMethod.choices)
    target_service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    weights = models.JSONField(
        default=dict, blank=True, help_text="fixed_pct: {service code: percent}"
    )
    decision_ref = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "cost_pool", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "year", "cost_pool", "version"], name="allocation_rule_unique"
            ),
            models.CheckConstraint(
                condition=~Q(decision_ref=""), name="allocation_rule_has_decision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.cost_pool} v{self.version}"


class AllocationRun(models.Model):
    """An immutable allocation of a provider's year's pools to its services, keyed by its frozen
    inputs (I-01)."""

    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    input_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "year", "input_hash"], name="allocation_run_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.input_hash[:8]}"


class AllocationResult(models.Model):
    run = models.ForeignKey(AllocationRun, on_delete=models.PROTECT, related_name="results")
    cost_pool = models.CharField(max_length=60)
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    amount_ore = models.BigIntegerField()

    class Meta:
        ordering = ["cost_pool", "service__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "cost_pool", "service"], name="allocation_result_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cost_pool} → {self.service_id}: {self.amount_ore}"


class Usage(models.Model):
    """A driver measurement, deduplicated on (source, source_key) (I-08).

    `billed_period` is the period whose invoice carries it: the same as `period`, or the next
    open period when the data came late for an already invoiced period (an adjustment).
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="billing_usage"
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="billing_usage"
    )
    period = models.DateField(_("period"))
    billed_period = models.DateField(_("billed in period"), db_index=True)
    quantity = models.DecimalField(_("quantity"), max_digits=20, decimal_places=6)
    source = models.CharField(max_length=40)
    source_key = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period", "organisation__name", "service__code"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_key"], name="usage_natural_key"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="usage_quantity_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "service", "period"])]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.service_id}/{self.period}: {self.quantity}"

    @property
    def is_adjustment(self) -> bool:
        return self.billed_period != self.period


def _case_provider_id(case_id: int) -> int | None:
    """The provider whose time it is when whoever booked it named none: the case's (the provider
    of its first service by code), else the catalogue owner (ADR 0042, 0668)."""
    from samdrift.catalogue.selectors import case_provider_id

    return case_provider_id(case_id) or _default_provider_id()


class ProjectTime(models.Model):
    """Time and material on a connection case, invoiced monthly at cost (R-10) by the case's
    provider agency, which the entry names as it was when the time was booked (ADR 0668): its
    staff book it, read it and invoice it in their own monthly run."""

    provider = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # indexed through (provider, source_key) below
    )
    case = models.ForeignKey(
        "onboarding.ConnectionCase", on_delete=models.PROTECT, related_name="billing_time"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="billing_project_time"
    )
    period = models.DateField()
    billed_period = models.DateField(db_index=True)
    hours = models.DecimalField(max_digits=20, decimal_places=6)
    hourly_rate = models.DecimalField(_("cost price per hour"), max_digits=20, decimal_places=6)
    external_cost_ore = models.BigIntegerField(default=0)
    description = models.CharField(max_length=200)
    source_key = models.CharField(max_length=120)

    class Meta:
        ordering = ["period", "id"]
        constraints = [
            # A key is the booking provider's own (like a cost voucher, ADR 0664).
            models.UniqueConstraint(
                fields=["provider", "source_key"], name="project_time_key_per_provider"
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="project_hours_not_negative"),
            models.CheckConstraint(
                condition=Q(hourly_rate__gte=0), name="project_rate_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(external_cost_ore__gte=0), name="project_cost_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.source_key

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.provider_id is None:
            self.provider_id = _case_provider_id(self.case_id)
        super().save(*args, **kwargs)


class InvoiceRun(models.Model):
    """One provider agency's monthly run (ADR 0668): one per provider and period (I-06), its
    frozen inputs hashed (I-07). It drafts the invoices whose seller is its provider, and each
    provider's run of a month is independent of every other provider's."""

    provider = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # indexed through (provider, period) below
    )
    period = models.DateField()
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.DRAFT)
    input_hash = models.CharField(max_length=64)
    issue_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period", "provider_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "period"], name="invoice_run_per_provider_and_period"
            )
        ]

    def __str__(self) -> str:
        return self.period.strftime("%Y-%m")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.provider_id is None:
            self.provider_id = _default_provider_id()
        super().save(*args, **kwargs)


class NumberSeries(models.Model):
    """Gapless numbering per seller and kind (I-05): the next number is taken under a row lock
    inside the finalising transaction, so a rolled-back finalisation leaves no gap."""

    seller = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=InvoiceKind.choices)
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seller", "kind"], name="number_series_unique")
        ]

    def __str__(self) -> str:
        return f"{self.seller_id}:{self.kind}"


class Invoice(models.Model):
    """An invoice or credit note to one buyer (an agency, or an umbrella for its sub-agencies)."""

    run = models.ForeignKey(
        InvoiceRun, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    kind = models.CharField(max_length=16, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    status = models.CharField(
        max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    # Indexed through (seller, number) and (buyer, period) below; single indexes would only
    # slow down every run's inserts (bench/bench_billing.py).
    seller = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="billing_invoices_sold",
        db_index=False,
    )
    buyer = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="billing_invoices",
        db_index=False,
    )
    period = models.DateField(db_index=True)
    number = models.CharField(max_length=20, null=True, blank=True)
    issue_date = models.DateField()
    due_date = models.DateField()
    total_ore = models.BigIntegerField(default=0, help_text="net of VAT: the sum of the lines")
    vat_ore = models.BigIntegerField(default=0)
    vat_regime = models.CharField(
        max_length=16, choices=VatRegime.choices, default=VatRegime.STATE_AGENCY
    )
    buyer_reference = models.CharField(max_length=100)
    credited_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        db_index=False,  # partial index below: only credit notes have one
    )
    reason = models.CharField(max_length=300, blank=True)
    # The parties as they were when the invoice was made: the Peppol document is rendered from
    # these on demand, so renaming an agency later never changes an issued invoice (ADR 0209).
    seller_name = models.CharField(max_length=200, blank=True, default="")
    seller_org_number = models.CharField(max_length=20, blank=True, default="")
    seller_city = models.CharField(max_length=100, blank=True, default="")
    seller_bankgiro = models.CharField(max_length=20, blank=True, default="")
    buyer_name = models.CharField(max_length=200, blank=True, default="")
    buyer_org_number = models.CharField(max_length=20, blank=True, default="")
    buyer_city = models.CharField(max_length=100, blank=True, default="")
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period", "number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "seller", "buyer"],
                condition=Q(kind="invoice"),
                name="one_invoice_per_run_and_buyer",
            ),
            models.UniqueConstraint(fields=["seller", "number"], name="invoice_number_unique"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(number__isnull=False),
                name="finalised_invoice_numbered",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice") | Q(credited_invoice__isnull=False),
                name="credit_note_references",
            ),
        ]
        indexes = [
            models.Index(fields=["buyer", "period"]),
            models.Index(
                fields=["credited_invoice"],
                condition=Q(credited_invoice__isnull=False),
                name="invoice_credited_partial",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"draft {self.pk}"

    @property
    def is_final(self) -> bool:
        return self.status == InvoiceStatus.FINALISED


class InvoiceLine(BilingualText, models.Model):
    # The invoice is indexed through (invoice, position). Service and price version need no
    # index of their own (never looked up by them, and neither can be deleted once billed);
    # schedule and credited line have partial indexes, as few lines have one. Every index is
    # paid for by every line of every run (bench/bench_billing.py).
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="lines", db_index=False
    )
    position = models.PositiveIntegerField()
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="billing_lines"
    )
    service = models.ForeignKey(
        "catalogue.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(max_length=16, choices=LineKind.choices)
    text_sv = models.CharField(max_length=200)
    text_en = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    unit_code = models.CharField(max_length=3)
    unit_price = models.DecimalField(max_digits=20, decimal_places=6)
    base_quantity = models.DecimalField(max_digits=20, decimal_places=6, default=1)
    amount_ore = models.BigIntegerField()
    price_version = models.ForeignKey(
        PriceVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    schedule = models.ForeignKey(
        "RecoverySchedule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
        db_index=False,
    )
    credited_line = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    # The name of the agency the line concerns when it is not the buyer (a court on
    # Domstolsverket's invoice), as it was when the line was made; shown as "Avser:" in the UBL.
    subject_name = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position")
        ]
        indexes = [
            models.Index(
                fields=["schedule"],
                condition=Q(schedule__isnull=False),
                name="line_schedule_partial",
            ),
            models.Index(
                fields=["credited_line"],
                condition=Q(credited_line__isnull=False),
                name="line_credited_partial",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}:{self.position}"


class Account(models.Model):
    """The carry-forward account of one agency for one service (R-09).

    `organisation` is empty only for a fee area's unallocated account: a cost of a service that
    nobody used in the year stays with the fee area rather than with an arbitrary agency.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="billing_accounts",
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.PROTECT, related_name="billing_accounts"
    )
    fee_area = models.ForeignKey(FeeArea, on_delete=models.PROTECT, related_name="accounts")

    class Meta:
        ordering = ["fee_area", "organisation__name", "service__code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "service"], name="account_unique"),
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(organisation__isnull=True),
                name="account_unallocated_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation or '—'} × {self.service.code}"


class YearEndClose(models.Model):
    """One close per fee area and year (I-11); figures are the report row at close time."""

    fee_area = models.ForeignKey(FeeArea, on_delete=models.PROTECT, related_name="closes")
    year = models.PositiveSmallIntegerField()
    input_hash = models.CharField(max_length=64)
    figures = models.JSONField(default=dict)
    surplus_flag = models.BooleanField(default=False)
    deficit_alert = models.BooleanField(default=False)
    closed_at = models.DateTimeField()

    class Meta:
        ordering = ["fee_area", "year"]
        constraints = [
            models.UniqueConstraint(fields=["fee_area", "year"], name="one_close_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.fee_area.code} {self.year}"


class RecoverySchedule(models.Model):
    """What an account's year difference will be invoiced as in a later year.

    Positive amounts are charged to the agency, negative ones credited back.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="schedules")
    close = models.ForeignKey(YearEndClose, on_delete=models.PROTECT, related_name="schedules")
    origin_year = models.PositiveSmallIntegerField()
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=ScheduleKind.choices)
    part = models.PositiveSmallIntegerField(default=1)
    parts = models.PositiveSmallIntegerField(default=1)
    amount_ore = models.BigIntegerField()

    class Meta:
        ordering = ["year", "account_id", "origin_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "origin_year", "year", "kind"], name="schedule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.origin_year}→{self.year}"


class LedgerEntry(models.Model):
    """Append-only (trigger in 0002). Balance of an account = Σ amount_ore (I-02)."""

    # The account is indexed through (account, year), which also serves every query on the year
    # (they all name the account; migration 0009, ADR 0222); the close has a partial index, as
    # only year-end entries have one.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    period = models.DateField()
    kind = models.CharField(max_length=24, choices=LedgerKind.choices)
    amount_ore = models.BigIntegerField()
    idempotency_key = models.CharField(max_length=120, unique=True)
    invoice_line = models.ForeignKey(
        InvoiceLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close = models.ForeignKey(
        YearEndClose,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        db_index=False,
    )

    class Meta:
        ordering = ["period", "id"]
        indexes = [
            models.Index(fields=["account", "year"]),
            models.Index(
                fields=["close"], condition=Q(close__isnull=False), name="ledger_close_partial"
            ),
        ]

    def __str__(self) -> str:
        return self.idempotency_key
