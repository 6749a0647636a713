"""What a provider's month's invoice run would write: read-only and deterministic (fee-model.md
§5.4 steps 1–2). Only the lines whose seller is the run's provider (ADR 0668): its services'
usage, subscriptions and schedules, and the time booked on its cases.

Inputs are read with a handful of set queries in a fixed order and priced in memory; lines are
plain tuples because a national run prices tens of thousands of them (bench/bench_billing.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import F, Sum

from samdrift.onboarding.selectors import billed_subscription_rows
from samdrift.organisations.selectors import hierarchy_rows

from .. import pricing
from ..choices import (
    InvoiceStatus,
    LedgerKind,
    LineKind,
    PriceBasis,
    PriceModel,
    ScheduleKind,
    VatRegime,
)
from ..models import (
    BillableService,
    BillingProfile,
    InvoiceLine,
    LedgerEntry,
    PriceVersion,
    ProjectTime,
    RecoverySchedule,
    Usage,
)
from ..money import ore_to_decimal, split_evenly, to_ore
from ..periods import label, months_of, period_end
from .common import BILLED_BASES

KIND_ORDER = {kind: index for index, kind in enumerate(LineKind.values)}
# Plain strings: an enum member's attribute costs a descriptor call per line of a national run.
LINE_USAGE, LINE_ADJUSTMENT = LineKind.USAGE.value, LineKind.ADJUSTMENT.value
LINE_FIXED, LINE_ONE_TIME = LineKind.FIXED.value, LineKind.ONE_TIME.value
LINE_INSTALMENT, LINE_SETTLEMENT = LineKind.INSTALMENT.value, LineKind.SETTLEMENT.value
LINE_PROJECT = LineKind.PROJECT.value
ZERO, ONE = Decimal(0), Decimal(1)


class DraftLine(NamedTuple):
    organisation_id: int
    org_name: str
    service_id: int | None
    service_code: str
    kind: str
    text_sv: str
    text_en: str
    quantity: Decimal
    unit_code: str
    unit_price: Decimal
    base_quantity: Decimal
    amount_ore: int
    price_version_id: int | None = None
    schedule_id: int | None = None

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.org_name,
            self.service_code,
            KIND_ORDER[self.kind],
            self.text_sv,
            self.amount_ore,
        )


# The invoice columns that freeze its parties (ADR 0209), in the order of seller then buyer.
PARTY_FIELDS = (
    "seller_name",
    "seller_org_number",
    "seller_city",
    "seller_bankgiro",
    "buyer_name",
    "buyer_org_number",
    "buyer_city",
)


class Party(NamedTuple):
    """An organisation as an invoice records it when it is made (ADR 0209)."""

    name: str
    org_number: str
    city: str
    bankgiro: str


@dataclass
class DraftInvoice:
    seller_id: int
    buyer_id: int
    buyer_reference: str
    vat_regime: str
    seller: Party
    buyer: Party
    lines: list[DraftLine] = field(default_factory=list)

    @property
    def total_ore(self) -> int:
        return sum(line.amount_ore for line in self.lines)

    def subject_of(self, line: DraftLine) -> str:
        """The agency a line concerns, named when it is not the buyer (a court on DV's invoice)."""
        return line.org_name if line.organisation_id != self.buyer_id else ""

    def party_fields(self) -> dict[str, str]:
        """The invoice's party columns (PARTY_FIELDS), as the invoice records them."""
        return dict(zip(PARTY_FIELDS, (*self.seller, *self.buyer[:3]), strict=True))


class Billable(NamedTuple):
    """A billable service as the run needs it, read once per run rather than per line."""

    service_id: int
    code: str
    provider_id: int
    unit_code: str
    name_sv: str
    name_en: str


class OrgRow(NamedTuple):
    pk: int
    name: str
    parent_id: int | None
    is_group: bool
    org_number: str


class Recipients:
    """Who receives an agency's invoice: itself, its legal umbrella, or a group's billing member.

    Courts are billed through Domstolsverket (their parent); a group without legal entity
    (Länsstyrelserna) has no Peppol address, so its members are billed one by one unless the group's
    profile names a member that receives the group's invoices (ADR 0205).
    """

    def __init__(self) -> None:
        self.orgs = {row[0]: OrgRow(*row) for row in hierarchy_rows()}
        self.profiles = {p.organisation_id: p for p in BillingProfile.objects.all()}
        self._cache: dict[int, int | None] = {}

    def of(self, org_id: int) -> int | None:
        if org_id not in self._cache:
            self._cache[org_id] = self._resolve(org_id)
        return self._cache[org_id]

    def _resolve(self, org_id: int) -> int | None:
        current = self.orgs[org_id]
        for _step in range(8):  # the hierarchy is shallow; a loop in the data stops here
            profile = self.profiles.get(current.pk)
            if (
                profile is not None
                and profile.invoice_to_id
                and profile.invoice_to_id != current.pk
            ):
                current = self.orgs[profile.invoice_to_id]
                continue
            if profile is not None and profile.bill_separately:
                break
            parent = self.orgs.get(current.parent_id) if current.parent_id else None
            if parent is None:
                break
            parent_profile = self.profiles.get(parent.pk)
            if parent.is_group and not (parent_profile and parent_profile.invoice_to_id):
                break
            current = parent
        return None if current.is_group else current.pk

    def reference(self, buyer_id: int, period: datetime.date) -> str:
        profile = self.profiles.get(buyer_id)
        if profile is not None and profile.buyer_reference:
            return profile.buyer_reference
        return f"Samordnad it-drift {label(period)}"

    def regime(self, buyer_id: int) -> str:
        profile = self.profiles.get(buyer_id)
        return profile.vat_regime if profile is not None else VatRegime.STATE_AGENCY

    def party(self, org_id: int) -> Party:
        org, profile = self.orgs[org_id], self.profiles.get(org_id)
        return Party(
            org.name,
            org.org_number,
            profile.city if profile is not None else "",
            profile.bankgiro if profile is not None else "",
        )

    def invoice(self, seller_id: int, buyer_id: int, period: datetime.date) -> DraftInvoice:
        return DraftInvoice(
            seller_id,
            buyer_id,
            self.reference(buyer_id, period),
            self.regime(buyer_id),
            self.party(seller_id),
            self.party(buyer_id),
        )


class PriceBook:
    """The decided price versions of some services up to a date, looked up per month."""

    def __init__(self, service_ids: Iterable[int], until: datetime.date) -> None:
        self.by_service: dict[int, list[PriceVersion]] = defaultdict(list)
        for version in PriceVersion.objects.filter(
            service_id__in=list(service_ids), valid_from__lte=until
        ).order_by("valid_from", "version"):
            self.by_service[version.service_id].append(version)
        self._parsed: dict[int, pricing.Price] = {}
        self._found: dict[tuple[int, datetime.date], PriceVersion | None] = {}
        self._months_before: dict[tuple[int, datetime.date], list[datetime.date]] = {}

    def version(self, service_id: int, month: datetime.date) -> PriceVersion | None:
        key = (service_id, month)
        if key not in self._found:
            found = None
            for version in self.by_service.get(service_id, ()):
                if version.valid_from <= month and (
                    version.valid_to is None or version.valid_to >= month
                ):
                    found = version  # later valid_from, then higher version, wins
            self._found[key] = found
        return self._found[key]

    def months_before(self, service_id: int, month: datetime.date) -> list[datetime.date]:
        """The months of the year before `month` billed at the same version as `month`."""
        key = (service_id, month)
        if key not in self._months_before:
            version = self.version(service_id, month)
            self._months_before[key] = [
                m
                for m in months_of(month.year)
                if m < month and self.version(service_id, m) == version
            ]
        return self._months_before[key]

    def price(self, version: PriceVersion) -> pricing.Price:
        if version.id not in self._parsed:
            self._parsed[version.id] = pricing.Price.from_version(version)
        return self._parsed[version.id]


class _PeriodBuilder:
    """Collects one provider's month's lines per (seller, agency); each source of lines is one
    method, and each reads the provider's own rows only."""

    def __init__(self, period: datetime.date, seller_id: int) -> None:
        self.period, self.end, self.seller_id = period, period_end(period), seller_id
        self.year_start = datetime.date(period.year, 1, 1)
        self.month_label = label(period)
        self.billables = {
            row[0]: Billable(*row)
            for row in BillableService.objects.filter(service__provider_id=seller_id).values_list(
                "service_id",
                "service__code",
                "service__provider_id",
                "unit_code",
                "service__name_sv",
                "service__name_en",
            )
        }
        self.prices = PriceBook(self.billables, self.end)
        self.recipients = Recipients()
        self.lines: dict[tuple[int, int], list[DraftLine]] = defaultdict(list)
        self.warnings: list[str] = []
        self._texts: dict[int, tuple[str, str]] = {}
        self._charges: dict[tuple[int, Decimal, Decimal], list[pricing.Charge]] = {}

    def add(self, org_id: int, seller_id: int, line: DraftLine) -> None:
        if line.amount_ore == 0 and line.quantity == 0:
            return
        self.lines[(seller_id, org_id)].append(line)

    def service_text(self, bs: Billable) -> tuple[str, str]:
        if bs.service_id not in self._texts:
            self._texts[bs.service_id] = (
                f"{bs.name_sv} {self.month_label}",
                f"{bs.name_en} {self.month_label}",
            )
        return self._texts[bs.service_id]

    def price_lines(
        self,
        org_id: int,
        bs: Billable,
        version: PriceVersion,
        quantity: Decimal,
        before: Decimal,
        kind: str,
        texts: tuple[str, str],
    ) -> None:
        name = self.recipients.orgs[org_id].name
        key = (version.id, quantity, before)
        charges = self._charges.get(key)
        if charges is None:  # fixed fees repeat for every subscriber: price each case once
            charges = self._charges[key] = pricing.charges(
                self.prices.price(version), quantity, before
            )
        for charge in charges:
            text_sv, text_en = texts
            if charge.tier:
                text_sv, text_en = (
                    f"{text_sv} (steg {charge.tier})",
                    f"{text_en} (tier {charge.tier})",
                )
            self.add(
                org_id,
                bs.provider_id,
                DraftLine(
                    org_id,
                    name,
                    bs.service_id,
                    bs.code,
                    kind,
                    text_sv,
                    text_en,
                    charge.quantity,
                    bs.unit_code,
                    charge.price,
                    charge.base_quantity,
                    charge.amount_ore,
                    version.id,
                ),
            )

    def usage(self) -> None:
        """Usage of the month, and late usage of earlier months billed now as adjustments."""
        prices, period = self.prices, self.period
        unpriced: set[str] = set()
        rows = list(
            Usage.objects.filter(billed_period=period, service_id__in=list(self.billables))
            .values_list("organisation_id", "service_id", "period")
            .annotate(total=Sum("quantity"))
            .order_by("organisation_id", "service_id", "period")
        )
        before = self._billed_this_year(rows)
        for org_id, service_id, month, total in rows:
            bs = self.billables[service_id]
            version = prices.version(service_id, month)
            if version is None:
                unpriced.add(bs.code)
                continue
            if version.model in (PriceModel.FIXED, PriceModel.ONE_TIME):
                continue
            if month == period:
                self.price_lines(
                    org_id,
                    bs,
                    version,
                    total,
                    before.get((org_id, service_id), ZERO),
                    LINE_USAGE,
                    self.service_text(bs),
                )
            else:
                texts = (
                    f"{bs.name_sv}: sent inrapporterad förbrukning {label(month)}",
                    f"{bs.name_en}: late usage for {label(month)}",
                )
                self.price_lines(org_id, bs, version, total, ZERO, LINE_ADJUSTMENT, texts)
        if unpriced:
            self.warnings.append(
                f"no decided price for {', '.join(sorted(unpriced))} in {self.month_label}; not invoiced"
            )

    def _billed_this_year(
        self, rows: list[tuple[int, int, datetime.date, Decimal]]
    ) -> dict[tuple[int, int], Decimal]:
        """For year-priced services: each agency's usage in the earlier months of the year at the
        month's price version, billed in its own month (the running total of ADR 0200)."""
        before: dict[tuple[int, int], Decimal] = {}
        yearly = {
            service_id
            for _org, service_id, month, _total in rows
            if month == self.period
            and (version := self.prices.version(service_id, month)) is not None
            and version.basis == PriceBasis.YEAR
        }
        for service_id in sorted(yearly):
            months = self.prices.months_before(service_id, self.period)
            if not months:
                continue
            for org_id, total in (
                Usage.objects.filter(service_id=service_id, period__in=months)
                .filter(billed_period=F("period"))
                .values_list("organisation_id")
                .annotate(total=Sum("quantity"))
                .order_by("organisation_id")
            ):
                before[(org_id, service_id)] = total
        return before

    def subscriptions(self) -> None:
        """Fixed and one-time fees follow the subscriptions."""
        start, end, period = self.period, self.end, self.period
        # Only services with a fixed or one-time price this month bill anything per subscription.
        fee_services = [
            service_id
            for service_id in self.billables
            if (version := self.prices.version(service_id, period)) is not None
            and version.model in (PriceModel.FIXED, PriceModel.ONE_TIME)
        ]
        for org_id, service_id, started, ended in billed_subscription_rows(
            service_ids=fee_services,
            bases=BILLED_BASES,
            started_by=end,
            ended_from=self.year_start,
        ):
            bs = self.billables[service_id]
            version = self.prices.version(service_id, period)
            if version is None or not (ended is None or ended >= start):
                continue
            if version.model == PriceModel.FIXED:
                before = ZERO
                if version.basis == PriceBasis.YEAR:
                    # Months of the year already billed at this version while subscribed.
                    first = started.replace(day=1)
                    before = Decimal(
                        sum(
                            1
                            for m in self.prices.months_before(service_id, period)
                            if m >= first and (ended is None or ended >= m)
                        )
                    )
                self.price_lines(
                    org_id, bs, version, ONE, before, LINE_FIXED, self.service_text(bs)
                )
            elif version.model == PriceModel.ONE_TIME and start <= started <= end:
                texts = (
                    f"{bs.name_sv}: anslutningsavgift",
                    f"{bs.name_en}: one-time connection fee",
                )
                self.price_lines(org_id, bs, version, ONE, ZERO, LINE_ONE_TIME, texts)

    def schedules(self) -> None:
        """Instalments and settlements decided at earlier closes: a twelfth a month, with catch-up."""
        period = self.period
        schedules = list(
            RecoverySchedule.objects.filter(
                year=period.year, account__service__provider_id=self.seller_id
            )
            .select_related("account__service", "account__organisation")
            .order_by("id")
        )
        if not schedules:
            return
        billed = dict(
            InvoiceLine.objects.filter(
                schedule__in=schedules, invoice__status=InvoiceStatus.FINALISED
            )
            .values("schedule_id")
            .annotate(total=Sum("amount_ore"))
            .values_list("schedule_id", "total")
        )
        settled = set(
            LedgerEntry.objects.filter(
                kind=LedgerKind.EXIT_SETTLEMENT, period__lte=period
            ).values_list("account_id", flat=True)
        )
        for schedule in schedules:
            account = schedule.account
            if account.organisation_id is None or account.pk in settled:
                continue
            due = sum(split_evenly(schedule.amount_ore, 12)[: period.month]) - (
                billed.get(schedule.pk) or 0
            )
            if due == 0:
                continue
            service = account.service
            origin, part = schedule.origin_year, f"({schedule.part}/{schedule.parts})"
            if schedule.kind == ScheduleKind.INSTALMENT:
                kind = LINE_INSTALMENT
                text_sv = f"{service.name_sv}: avbetalning underskott {origin} {part}"
                text_en = f"{service.name_en}: deficit instalment {origin} {part}"
            else:
                kind = LINE_SETTLEMENT
                text_sv = f"{service.name_sv}: avräkning {origin}"
                text_en = f"{service.name_en}: settlement {origin}"
            self.add(
                account.organisation_id,
                service.provider_id,
                DraftLine(
                    account.organisation_id,
                    account.organisation.name if account.organisation else "",
                    service.pk,
                    service.code,
                    kind,
                    text_sv,
                    text_en,
                    Decimal(1 if due > 0 else -1),
                    "C62",
                    ore_to_decimal(abs(due)),
                    ONE,
                    due,
                    schedule_id=schedule.pk,
                ),
            )

    def project_time(self) -> None:
        """Connection projects at cost: hours at the hourly rate, external costs as booked. The
        time is the provider's that booked it on its case (a case without services: the
        catalogue owner's, ADR 0042, 0668)."""
        seller = self.seller_id
        for entry in (
            ProjectTime.objects.filter(billed_period=self.period, provider_id=seller)
            .select_related("organisation")
            .order_by("source_key")
        ):
            name = entry.organisation.name
            month = label(entry.period)
            self.add(
                entry.organisation_id,
                seller,
                DraftLine(
                    entry.organisation_id,
                    name,
                    None,
                    "",
                    LINE_PROJECT,
                    f"Anslutningsprojekt {month}: {entry.description}",
                    f"Connection project {month}: {entry.description}",
                    entry.hours,
                    "HUR",
                    entry.hourly_rate,
                    ONE,
                    to_ore(entry.hours * entry.hourly_rate),
                ),
            )
            if entry.external_cost_ore:
                self.add(
                    entry.organisation_id,
                    seller,
                    DraftLine(
                        entry.organisation_id,
                        name,
                        None,
                        "",
                        LINE_PROJECT,
                        f"Anslutningsprojekt {month}: externa kostnader",
                        f"Connection project {month}: external costs",
                        ONE,
                        "C62",
                        ore_to_decimal(entry.external_cost_ore),
                        ONE,
                        entry.external_cost_ore,
                    ),
                )

    def invoices(self) -> list[DraftInvoice]:
        """The lines grouped per (seller, recipient), in number order: seller, then buyer name."""
        recipients = self.recipients
        invoices: dict[tuple[int, int], DraftInvoice] = {}
        for (seller_id, org_id), org_lines in self.lines.items():
            buyer = recipients.of(org_id)
            if buyer is None:
                self.warnings.append(
                    f"{recipients.orgs[org_id].name} is a group without an invoice recipient; not invoiced"
                )
                continue
            invoice = invoices.get((seller_id, buyer))
            if invoice is None:
                invoice = invoices[(seller_id, buyer)] = recipients.invoice(
                    seller_id, buyer, self.period
                )
            invoice.lines.extend(org_lines)
        ordered = sorted(
            invoices.values(), key=lambda inv: (inv.seller_id, recipients.orgs[inv.buyer_id].name)
        )
        for invoice in ordered:
            invoice.lines.sort(key=DraftLine.sort_key)
        return ordered


def build_period(period: datetime.date, seller_id: int) -> tuple[list[DraftInvoice], list[str]]:
    """The drafts a provider's month's run would write (its invoices as seller only), and
    warnings about what it could not invoice."""
    builder = _PeriodBuilder(period, seller_id)
    builder.usage()
    builder.subscriptions()
    builder.schedules()
    builder.project_time()
    drafts = builder.invoices()
    return drafts, builder.warnings
