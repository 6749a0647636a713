"""Reads of the fee model, always for an actor: customers see only their own agencies' data.

A missing object and one the actor may not see raise the same NotFound (tenancy rule). Each
provider agency has its own fee model (ADR 0664) and its own invoice runs, project time and exit
settlements (ADR 0668): those reads take the provider (the actor's first when none is asked for)
and show that provider's only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from samdrift.catalogue.selectors import default_provider_id, services_by_code
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, PermissionDenied
from samdrift.core.search.words import all_words
from samdrift.core.tenancy import visible_or_404
from samdrift.onboarding.selectors import case_list
from samdrift.organisations.selectors import organisations_by_id

from .choices import EXCLUDED_SEGMENTS, InvoiceStatus
from .models import (
    Account,
    AllocationResult,
    AllocationRule,
    AllocationRun,
    BillableService,
    CostEntry,
    FeeArea,
    Invoice,
    InvoiceLine,
    InvoiceRun,
    LedgerEntry,
    PriceVersion,
    ProjectTime,
    RecoverySchedule,
    Usage,
    YearEndClose,
)
from .money import round_presentation
from .permissions import (
    MANAGERS,
    billing_provider,
    can_use_billing,
    customer_org_ids,
    fee_model_provider,
    fee_model_providers,
    reads_as_seller,
)

if TYPE_CHECKING:
    from samdrift.catalogue.models import Service
    from samdrift.onboarding.models import ConnectionCase
    from samdrift.organisations.models import Organisation

MSEK = 100_000_000


def _require_billing(actor: Actor) -> None:
    if not can_use_billing(actor):
        raise PermissionDenied("billing")


def fee_model_of(*, actor: Actor, provider_id: int | None = None) -> int:
    """The provider whose fee model the actor reads: the one asked for, else its first (the
    default provider first). PermissionDenied for someone who reads no provider's fee model;
    NotFound for a provider that is not one of the actor's, like one that does not exist."""
    return fee_model_provider(actor, provider_id)


def billing_provider_of(
    *, actor: Actor, provider_id: int | None = None, manage: bool = False
) -> int | None:
    """The provider whose runs, project time or exits a page shows (ADR 0668): the one asked
    for, else the actor's first; None for someone who reads (with `manage`: runs) no provider's
    billing and asked for none, such as a customer. A provider that is not one of the actor's is
    missing (NotFound), like one that does not exist."""
    try:
        return billing_provider(actor, provider_id, manage=manage)
    except PermissionDenied:
        if provider_id is None:
            return None
        raise


def fee_model_choices(*, actor: Actor) -> list[Organisation]:
    """The provider agencies whose fee model the actor reads, in `fee_model_providers` order,
    when there are two or more to choose from (a page's select); none otherwise, and no query."""
    ids = fee_model_providers(actor)
    if len(ids) < 2:
        return []
    names = organisations_by_id(ids).in_bulk()
    return [names[pk] for pk in ids if pk in names]


def _seller_or_buyer(actor: Actor) -> Q:
    """Invoices the provider's staff issued, and a customer's own finalised ones (no drafts: a
    draft can still change and is the provider's work)."""
    if actor.sees_everything:
        return Q()
    own = Q(buyer_id__in=customer_org_ids(actor), status=InvoiceStatus.FINALISED)
    if reads_as_seller(actor):
        own |= Q(seller_id__in=actor.provider_org_ids)
    return own


def _used(actor: Actor) -> Q:
    """A customer's use of a service: the customer's readers and the service's provider."""
    if actor.sees_everything:
        return Q()
    own = Q(organisation_id__in=customer_org_ids(actor))
    if reads_as_seller(actor):
        own |= Q(service__provider_id__in=actor.provider_org_ids)
    return own


def invoice_list(
    *,
    actor: Actor,
    period: datetime.date | None = None,
    buyer_id: int | None = None,
    status: str = "",
    year: int | None = None,
) -> QuerySet[Invoice]:
    _require_billing(actor)
    queryset = Invoice.objects.select_related("buyer", "seller", "run").filter(
        _seller_or_buyer(actor)
    )
    if period:
        queryset = queryset.filter(period=period)
    if year:
        queryset = queryset.filter(period__year=year)
    if buyer_id:
        queryset = queryset.filter(buyer_id=buyer_id)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-period", "buyer__name", "kind", "number")


def invoice_get(*, actor: Actor, invoice_id: int) -> Invoice:
    try:
        return visible_or_404(invoice_list(actor=actor), "invoice", pk=invoice_id)
    except PermissionDenied:
        raise NotFound("invoice") from None


def invoice_by_number_or_id(*, actor: Actor, reference: str) -> Invoice:
    """The invoice the CLI names by its number (e.g. F0000012), or by id when all digits."""
    if reference.isdigit():
        return invoice_get(actor=actor, invoice_id=int(reference))
    matches = list(invoice_list(actor=actor).filter(number=reference)[:2])
    if len(matches) != 1:
        raise NotFound("invoice")
    return matches[0]


def drafts_to_finalise(*, actor: Actor) -> QuerySet[Invoice] | None:
    """Draft invoices of the actor's own provider, for the roles that finalise a run (the start
    page's "invoices to review", ADR 0705); none for anyone else."""
    if not reads_as_seller(actor) or not actor.has_provider_role(*MANAGERS):
        return None
    return invoice_list(actor=actor, status=InvoiceStatus.DRAFT).filter(
        seller_id__in=actor.provider_org_ids
    )


def new_invoices(*, actor: Actor, since: datetime.date) -> QuerySet[Invoice] | None:
    """Finalised invoices to the actor's own agencies issued on or after `since` (a customer's
    "invoices to review"); none for an actor who reads no agency's invoices as a customer."""
    buyers = customer_org_ids(actor)
    if not buyers:
        return None
    return invoice_list(actor=actor, status=InvoiceStatus.FINALISED).filter(
        buyer_id__in=buyers, issue_date__gte=since
    )


def invoice_lines(*, actor: Actor, invoice: Invoice) -> QuerySet[InvoiceLine]:
    invoice_get(actor=actor, invoice_id=invoice.pk)
    return invoice.lines.select_related("organisation", "service").order_by("position")


def usage_list(
    *, actor: Actor, organisation_id: int | None = None, year: int | None = None
) -> QuerySet[Usage]:
    _require_billing(actor)
    queryset = Usage.objects.select_related("organisation", "service").filter(_used(actor))
    if organisation_id:
        queryset = queryset.filter(organisation_id=organisation_id)
    if year:
        queryset = queryset.filter(period__year=year)
    return queryset.order_by("-period", "organisation__name", "service__code", "source_key")


@dataclass(frozen=True)
class AccountRow:
    account: Account
    balance_ore: int
    year_fee_ore: int
    year_cost_ore: int
    scheduled_ore: int


def ledger(
    *,
    actor: Actor,
    year: int,
    organisation_id: int | None = None,
    fee_area_id: int | None = None,
    provider_id: int | None = None,
) -> list[AccountRow]:
    """Carry-forward accounts with their balance at the end of `year` and what is scheduled after
    it. With `provider_id`, one of the actor's providers' fee model only (ADR 0664)."""
    _require_billing(actor)
    accounts = Account.objects.select_related("organisation", "service", "fee_area").filter(
        _used(actor)
    )
    if provider_id is not None:
        accounts = accounts.filter(fee_area__provider_id=fee_model_provider(actor, provider_id))
    if organisation_id:
        accounts = accounts.filter(organisation_id=organisation_id)
    if fee_area_id:
        accounts = accounts.filter(fee_area_id=fee_area_id)
    ids = list(accounts.values_list("id", flat=True))
    balances = dict(
        LedgerEntry.objects.filter(account_id__in=ids, year__lte=year)
        .values("account_id")
        .annotate(t=Sum("amount_ore"))
        .values_list("account_id", "t")
    )
    year_rows: dict[tuple[int, str], int] = {
        (row["account_id"], row["kind"]): row["t"]
        for row in LedgerEntry.objects.filter(account_id__in=ids, year=year)
        .values("account_id", "kind")
        .annotate(t=Sum("amount_ore"))
    }
    scheduled = dict(
        RecoverySchedule.objects.filter(account_id__in=ids, year__gt=year)
        .values("account_id")
        .annotate(t=Sum("amount_ore"))
        .values_list("account_id", "t")
    )
    return [
        AccountRow(
            account,
            balances.get(account.pk) or 0,
            year_rows.get((account.pk, "fee"), 0),
            -year_rows.get((account.pk, "allocated_cost"), 0),
            scheduled.get(account.pk) or 0,
        )
        for account in accounts.order_by("fee_area__code", "organisation__name", "service__code")
    ]


def ledger_entries(*, actor: Actor, account_id: int) -> QuerySet[LedgerEntry]:
    rows = ledger(actor=actor, year=2100)
    if account_id not in {row.account.pk for row in rows}:
        raise NotFound("account")
    return LedgerEntry.objects.filter(account_id=account_id).order_by("period", "id")


def agency_year_lines(*, organisation_id: int, year: int) -> dict[tuple[str, str], int]:
    """Σ finalised line amounts of an agency's year by (line kind, service code). Internal: no actor."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for row in (
        InvoiceLine.objects.filter(
            organisation_id=organisation_id,
            invoice__period__year=year,
            invoice__status=InvoiceStatus.FINALISED,
        )
        .values("kind", "service__code")
        .annotate(t=Sum("amount_ore"))
    ):
        totals[(row["kind"], row["service__code"] or "")] += row["t"]
    return dict(totals)


def run_list(*, actor: Actor, provider_id: int | None = None) -> QuerySet[InvoiceRun]:
    """A provider's invoice runs, newest first (the provider asked for, else the actor's first;
    ADR 0668). PermissionDenied for someone who reads no provider's billing; NotFound for a
    provider that is not one of the actor's, like one that does not exist."""
    provider = billing_provider(actor, provider_id)
    return InvoiceRun.objects.filter(provider_id=provider).order_by("-period")


def run_get(*, actor: Actor, period: datetime.date, provider_id: int | None = None) -> InvoiceRun:
    """A provider's run of a month; another provider's is missing, exactly like a month the
    provider has not run (NotFound)."""
    try:
        runs = run_list(actor=actor, provider_id=provider_id).select_related("provider")
        return visible_or_404(runs, "run", period=period)
    except PermissionDenied:
        raise NotFound("run") from None


def run_list_counted(*, actor: Actor, provider_id: int | None = None) -> QuerySet[InvoiceRun]:
    """`run_list` with each run's number of invoices (`invoice_count`, as `run_invoices`)."""
    counted = (
        Invoice.objects.filter(run__period=OuterRef("period"), seller_id=OuterRef("provider_id"))
        .order_by()
        .values("seller_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return run_list(actor=actor, provider_id=provider_id).annotate(
        invoice_count=Coalesce(Subquery(counted), 0)
    )


def run_invoices(*, run: InvoiceRun) -> QuerySet[Invoice]:
    """The invoices of a run the actor read (`run_get` first): its provider's of its month. A
    month run before each provider had its own run (migration 0013) may hold another seller's
    finalised invoices, which are shown with that seller's own run of the month."""
    return Invoice.objects.filter(run__period=run.period, seller_id=run.provider_id)


def price_list(*, actor: Actor) -> QuerySet[PriceVersion]:
    """Decided prices are public decisions: every billing user may read them."""
    _require_billing(actor)
    return PriceVersion.objects.select_related("service").order_by(
        "service__code", "-valid_from", "-version"
    )


def cost_pools(*, actor: Actor, year: int, provider_id: int | None = None) -> list[dict[str, Any]]:
    """A provider's cost per pool and tag for a year, with what is in and out of the fee base
    (R-04)."""
    provider = fee_model_provider(actor, provider_id)
    rows = (
        CostEntry.objects.filter(provider_id=provider, period__year=year)
        .values("cost_pool", "service__code", "funding_source", "segment", "vat_compensated")
        .annotate(total=Sum("amount_ore"))
        .order_by("cost_pool", "service__code", "segment")
    )
    return [
        {
            **row,
            "in_fee_base": row["funding_source"] == "avgift"
            and row["segment"] not in EXCLUDED_SEGMENTS
            and not row["vat_compensated"],
        }
        for row in rows
    ]


@dataclass(frozen=True)
class ReportRow:
    fee_area: str
    year: int
    revenue_ore: int
    cost_ore: int
    result_ore: int
    accumulated_ore: int
    closed: bool
    surplus_flag: bool
    deficit_alert: bool
    # Cost paid by the grant (bidrag) for the build-up: outside the result, reported beside the
    # fees that replaced it (ADR 0210). Closes made before the grant was recorded hold none.
    grant_ore: int = 0
    # The fee area's names: its code is unique only within its provider (ADR 0664).
    fee_area_sv: str = ""
    fee_area_en: str = ""

    @property
    def accumulated_pct(self) -> float | None:
        if not self.revenue_ore:
            return None
        return float(round_presentation(self.accumulated_ore * 100, self.revenue_ore, 1))

    def msek(self) -> dict[str, str]:
        return {
            name: str(round_presentation(getattr(self, f"{name}_ore"), MSEK))
            for name in ("revenue", "cost", "result", "accumulated", "grant")
        }


def outcome_report(
    *,
    actor: Actor,
    year: int | None = None,
    include_segments: tuple[str, ...] = (),
    provider_id: int | None = None,
) -> list[ReportRow]:
    """The table of the annual report per fee area and year (R-11, §4.5), from the closes of one
    provider's fee areas (the one asked for, else the actor's first; ADR 0664).

    Fee areas of the excluded segments (EFOS, SITSSAM, Program 2032) are left out unless asked for.
    """
    provider = fee_model_provider(actor, provider_id)
    closes = (
        YearEndClose.objects.filter(fee_area__provider_id=provider)
        .select_related("fee_area")
        .order_by("fee_area__code", "year")
    )
    excluded = [s for s in EXCLUDED_SEGMENTS if s not in include_segments]
    closes = closes.exclude(fee_area__segment__in=excluded)
    if year:
        closes = closes.filter(year__lte=year)
    return [
        ReportRow(
            close.fee_area.code,
            close.year,
            close.figures.get("revenue_ore", 0),
            close.figures.get("cost_ore", 0),
            close.figures.get("revenue_ore", 0) - close.figures.get("cost_ore", 0),
            close.figures.get("accumulated_ore", 0),
            True,
            close.surplus_flag,
            close.deficit_alert,
            close.figures.get("grant_ore", 0),
            close.fee_area.name_sv,
            close.fee_area.name_en,
        )
        for close in closes
    ]


def fee_area_list(*, actor: Actor, provider_id: int | None = None) -> QuerySet[FeeArea]:
    """A provider's fee areas (the one asked for, else the actor's first), with how many
    services are billed in each."""
    provider = fee_model_provider(actor, provider_id)
    return (
        FeeArea.objects.filter(provider_id=provider)
        .annotate(service_count=Count("services"))
        .order_by("code")
    )


def fee_area_get(*, actor: Actor, fee_area_id: int) -> FeeArea:
    """One fee area of any of the actor's providers; another provider's is missing (NotFound),
    exactly like one that does not exist, after the same one query."""
    providers = fee_model_providers(actor)
    if not providers:
        raise PermissionDenied("billing")
    area = (
        FeeArea.objects.filter(pk=fee_area_id, provider_id__in=providers)
        .select_related("provider")
        .first()
    )
    if area is None:
        raise NotFound("fee area")
    return area


def fee_area_services(*, actor: Actor, fee_area: FeeArea) -> QuerySet[BillableService]:
    """The services billed in a fee area the actor reads (`fee_area_get` first)."""
    fee_area_get(actor=actor, fee_area_id=fee_area.pk)
    return (
        BillableService.objects.filter(fee_area=fee_area)
        .select_related("service")
        .order_by("service__code")
    )


def billed_codes(*, fee_area_ids: Sequence[int]) -> dict[int, list[str]]:
    """Codes of the services billed in these fee areas, by fee area. Internal: the caller read
    the fee areas for its actor first (`fee_area_list`)."""
    codes: dict[int, list[str]] = defaultdict(list)
    for area_id, code in (
        BillableService.objects.filter(fee_area_id__in=list(fee_area_ids))
        .order_by("service__code")
        .values_list("fee_area_id", "service__code")
    ):
        codes[area_id].append(code)
    return dict(codes)


def unbilled_services(*, actor: Actor, provider_id: int) -> QuerySet[Service]:
    """The provider's own services with no fee area yet: what can be billed in its fee areas."""
    provider = fee_model_provider(actor, provider_id)
    return services_by_code().filter(provider_id=provider, billing__isnull=True).order_by("code")


def years_with_data() -> list[int]:
    years = {d.year for d in InvoiceRun.objects.dates("period", "year")}
    years |= set(YearEndClose.objects.values_list("year", flat=True))
    return sorted(years, reverse=True)


def finance_summary(*, actor: Actor, provider_id: int | None = None) -> dict[str, Any]:
    provider = billing_provider(actor, provider_id)
    return {
        "draft_runs": InvoiceRun.objects.filter(provider_id=provider, status="draft").count(),
        "finalised_invoices": Invoice.objects.filter(
            _seller_or_buyer(actor), status=InvoiceStatus.FINALISED
        ).count(),
        "open_accounts": Account.objects.filter(~Q(entries=None), fee_area__provider_id=provider)
        .distinct()
        .count(),
    }


# --------------------------------------------------------------------------------------------
# Finance pages: allocation, project time, exit settlement
# --------------------------------------------------------------------------------------------


def allocation_rules(
    *, actor: Actor, year: int, provider_id: int | None = None
) -> list[AllocationRule]:
    """A provider's year's rule versions per pool, newest first; the newest one is the rule in
    force (I-14)."""
    provider = fee_model_provider(actor, provider_id)
    return list(
        AllocationRule.objects.filter(provider_id=provider, year=year)
        .select_related("target_service")
        .order_by("cost_pool", "-version")
    )


@dataclass(frozen=True)
class PoolAllocation:
    cost_pool: str
    parts: list[AllocationResult]
    total_ore: int


@dataclass(frozen=True)
class AllocationRunRow:
    run: AllocationRun
    pools: list[PoolAllocation]
    total_ore: int


def allocation_runs(
    *, actor: Actor, year: int, provider_id: int | None = None
) -> list[AllocationRunRow]:
    """A provider's year's allocation runs, newest first, each with its parts grouped per cost
    pool."""
    provider = fee_model_provider(actor, provider_id)
    runs = list(AllocationRun.objects.filter(provider_id=provider, year=year).order_by("-id"))
    by_run: dict[int, dict[str, list[AllocationResult]]] = defaultdict(lambda: defaultdict(list))
    for result in (
        AllocationResult.objects.filter(run__in=runs)
        .select_related("service")
        .order_by("cost_pool", "service__code")
    ):
        by_run[result.run_id][result.cost_pool].append(result)
    rows = []
    for run in runs:
        pools = [
            PoolAllocation(pool, parts, sum(part.amount_ore for part in parts))
            for pool, parts in by_run[run.pk].items()
        ]
        rows.append(AllocationRunRow(run, pools, sum(pool.total_ore for pool in pools)))
    return rows


def allocation_services(*, actor: Actor, provider_id: int | None = None) -> QuerySet[Service]:
    """The provider's billable services: what its pools' cost may be allocated to."""
    provider = fee_model_provider(actor, provider_id)
    return (
        services_by_code()
        .filter(billing__fee_area__provider_id=provider, provider_id=provider)
        .order_by("code")
    )


def project_time_list(
    *, actor: Actor, limit: int = 500, provider_id: int | None = None
) -> list[ProjectTime]:
    """Time and material on connection cases, newest first. With `provider_id`, one of the
    actor's providers' own (ADR 0668); without, a customer's own agencies' and the time of the
    providers whose billing the actor reads (the system: all)."""
    _require_billing(actor)
    queryset = ProjectTime.objects.select_related("case", "organisation")
    if provider_id is not None:
        queryset = queryset.filter(provider_id=billing_provider(actor, provider_id))
    elif not actor.sees_everything:
        # Time is its provider's (booked on the provider's case) and the customer's.
        own = Q(organisation_id__in=customer_org_ids(actor))
        if reads_as_seller(actor):
            own |= Q(provider_id__in=fee_model_providers(actor))
        queryset = queryset.filter(own)
    return list(queryset.order_by("-period", "organisation__name", "-id")[:limit])


def project_time_cases(*, actor: Actor, provider_id: int | None = None) -> QuerySet[ConnectionCase]:
    """Connection cases the provider's finance function may book time on (the provider asked
    for, else the actor's first): the cases it sees whose time is its own, i.e. whose first
    service by code is its (a case without services: the catalogue owner's; ADR 0042, 0668)."""
    provider = billing_provider(actor, provider_id, manage=True)
    first = (
        services_by_code()
        .filter(connection_cases=OuterRef("pk"))
        .order_by("code")
        .values("provider_id")[:1]
    )
    own = Q(billed_by=provider)
    if provider == default_provider_id():
        own |= Q(billed_by__isnull=True)
    # The scoped list with its agency, without the services it prefetches: the form shows none.
    return (
        case_list(actor=actor)
        .prefetch_related(None)
        .annotate(billed_by=Subquery(first))
        .filter(own)
        .order_by("organisation__name", "-opened_on", "-id")
    )


def exit_candidates(*, actor: Actor, provider_id: int | None = None) -> QuerySet[Organisation]:
    """Agencies with at least one account of the provider's (the one asked for, else the
    actor's first; ADR 0668) whose balance is not zero: what its exit settlement would settle."""
    provider = billing_provider(actor, provider_id, manage=True)
    open_accounts = (
        LedgerEntry.objects.filter(
            account__service__provider_id=provider, account__organisation__isnull=False
        )
        .values("account_id")
        .annotate(t=Sum("amount_ore"))
        .exclude(t=0)
        .values("account__organisation_id")
    )
    return organisations_by_id(open_accounts).order_by("name")


def search_invoices(*, actor: Actor, words: Sequence[str], limit: int) -> list[Invoice]:
    """The site-wide search's invoices (ADR 0702): every word in the invoice number, within the
    invoices the actor may read (none without billing, and no query then); newest first."""
    if not can_use_billing(actor):
        return []
    return list(
        Invoice.objects.select_related("buyer")
        .filter(_seller_or_buyer(actor), all_words(words, ("number",)))
        .order_by("-period", "number")[:limit]
    )
