"""Enumerations of the fee model (fee-model.md §5.1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EconomicGoal(models.TextChoices):
    FULL = "full", _("Full cost recovery")
    PARTIAL = "partial", _("Partial cost recovery")


class Segment(models.TextChoices):
    """Activities reported outside the IT-operations result are their own segments (R-04)."""

    CORE = "core", _("Coordinated IT operations")
    EFOS = "efos", "EFOS"
    SITSSAM = "sitssam", "SITSSAM"
    PROGRAM_2032 = "program_2032", _("Program 2032")


EXCLUDED_SEGMENTS = (Segment.EFOS, Segment.SITSSAM, Segment.PROGRAM_2032)


class FundingSource(models.TextChoices):
    """What paid for a cost. Only fees are in the fee base; a grant (bidrag) that paid for the
    build-up is reported beside the fees that replaced it (ADR 0210)."""

    AVGIFT = "avgift", _("Fees")
    ANSLAG = "anslag", _("Appropriation (anslag)")
    BIDRAG = "bidrag", _("Grant (bidrag)")
    OTHER = "other", _("Other")


class VatRegime(models.TextChoices):
    STATE_AGENCY = "state_agency", _("State agency (no VAT)")
    AFFARSVERK = "affarsverk", _("Public enterprise (affärsverk)")
    COMPANY = "company", _("Company")
    OTHER = "other", _("Other")


class PriceModel(models.TextChoices):
    PER_UNIT = "per_unit", _("Per unit")
    FIXED = "fixed", _("Fixed per agency")
    GRADUATED = "graduated", _("Graduated")
    PACKAGE = "package", _("Package")
    ONE_TIME = "one_time", _("One-time fee")


class PriceBasis(models.TextChoices):
    """A year price is billed monthly as a twelfth, rounded on the running total of the year."""

    MONTH = "month", _("per month")
    YEAR = "year", _("per year")


class AllocationMethod(models.TextChoices):
    DIRECT = "direct", _("Direct to one service")
    PROPORTIONAL = "proportional", _("Proportional to direct cost")
    DRIVER = "driver", _("By driver (usage volume)")
    FIXED_PCT = "fixed_pct", _("Fixed percentages")
    EVEN = "even", _("Even split")


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINALISED = "finalised", _("Finalised")


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINALISED = "finalised", _("Finalised")


class LineKind(models.TextChoices):
    USAGE = "usage", _("Usage")
    FIXED = "fixed", _("Fixed fee")
    ONE_TIME = "one_time", _("One-time fee")
    ADJUSTMENT = "adjustment", _("Late usage adjustment")
    INSTALMENT = "instalment", _("Deficit instalment")
    SETTLEMENT = "settlement", _("Settlement of previous year")
    PROJECT = "project", _("Connection project at cost")
    EXIT = "exit", _("Exit settlement")


class LedgerKind(models.TextChoices):
    FEE = "fee", _("Fee")
    ALLOCATED_COST = "allocated_cost", _("Allocated cost")
    DEFICIT_INSTALMENT = "deficit_instalment", _("Deficit instalment")
    TRUE_UP_SETTLEMENT = "true_up_settlement", _("Settlement of previous year")
    WRITE_OFF = "write_off", _("Write-off")
    EXIT_SETTLEMENT = "exit_settlement", _("Exit settlement")


class ScheduleKind(models.TextChoices):
    INSTALMENT = "instalment", _("Deficit instalment")
    SETTLEMENT = "settlement", _("Settlement of previous year")


# Which ledger entry an invoice line makes when its invoice is finalised. Project lines make
# none: connection projects are invoiced at cost, revenue equals cost.
LEDGER_KIND_OF_LINE = {
    LineKind.USAGE: LedgerKind.FEE,
    LineKind.FIXED: LedgerKind.FEE,
    LineKind.ONE_TIME: LedgerKind.FEE,
    LineKind.ADJUSTMENT: LedgerKind.FEE,
    LineKind.INSTALMENT: LedgerKind.DEFICIT_INSTALMENT,
    LineKind.SETTLEMENT: LedgerKind.TRUE_UP_SETTLEMENT,
    LineKind.EXIT: LedgerKind.EXIT_SETTLEMENT,
}
