"""Writes of the fee model. Each public function: check the actor, validate everything, then one
transaction with one audit record; nothing partial is ever written.

The heavy lifting (building a month's drafts, closing a year) is deterministic: inputs are read
in a fixed order, every split uses the largest-remainder method with a stable key, and the
content hash of what would be written decides whether anything changes (I-06, I-07).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import F, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record, snapshot
from samdrift.catalogue.models import Service
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from samdrift.onboarding.models import ConnectionCase, Subscription
from samdrift.organisations.models import Organisation

from . import pricing, ubl
from .choices import (
    LEDGER_KIND_OF_LINE,
    AllocationMethod,
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
from .models import (
    Account,
    AllocationResult,
    AllocationRule,
    AllocationRun,
    BillableService,
    BillingProfile,
    CostEntry,
    FeeArea,
    Invoice,
    InvoiceLine,
    InvoiceRun,
    LedgerEntry,
    NumberSeries,
    PriceVersion,
    ProjectTime,
    RecoverySchedule,
    Usage,
    YearEndClose,
)
from .money import largest_remainder, ore_to_decimal, parse_decimal, split_evenly, to_ore
from .periods import label, months_of, next_period, parse_period, period_end
from .permissions import can_manage

if TYPE_CHECKING:
    from samdrift.accounts.actor import Actor

BILLED_BASES = ("assignment", "separate")  # own_use is the provider's own consumption (ADR 0205)
NUMBER_PREFIX: dict[str, str] = {InvoiceKind.INVOICE: "F", InvoiceKind.CREDIT_NOTE: "K"}
PAYMENT_DAYS = 30
Progress = Callable[[str], None]


def _require_manager(actor: Actor) -> None:
    if not can_manage(actor):
        raise PermissionDenied(_("Only the provider's finance function may change billing data."))


def _digest(payload: Any) -> str:
    body = json.dumps(
        payload, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":")
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _period_or_error(text: str | datetime.date, field_name: str = "period") -> datetime.date:
    if isinstance(text, datetime.date):
        if text.day != 1:
            raise ValidationFailed(
                _("A period is a month: YYYY-MM."), errors={field_name: ["YYYY-MM"]}
            )
        return text
    try:
        return parse_period(text)
    except ValueError:
        raise ValidationFailed(
            _("A period is a month written YYYY-MM, e.g. 2024-01."),
            errors={field_name: [str(text)]},
        ) from None


def _finalised_period(period: datetime.date) -> bool:
    return InvoiceRun.objects.filter(period=period, status=RunStatus.FINALISED).exists()


def _closed_year(year: int) -> bool:
    return YearEndClose.objects.filter(year=year).exists()


# --------------------------------------------------------------------------------------------
# Cost side
# --------------------------------------------------------------------------------------------

COST_COLUMNS = (
    "period",
    "gl_account",
    "cost_pool",
    "service",
    "funding_source",
    "segment",
    "vat_compensated",
    "amount",
    "voucher",
)


@dataclass
class ImportResult:
    created: int = 0
    unchanged: int = 0
    adjustments: int = 0
    messages: list[str] = field(default_factory=list)


def _rows(text: str, required: Iterable[str]) -> list[dict[str, str]]:
    reader = csv.DictReader(
        io.StringIO(text.lstrip("\ufeff")), delimiter=";" if ";" in text.split("\n", 1)[0] else ","
    )
    missing = [name for name in required if name not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(_("The file lacks required columns."), errors={"columns": missing})
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def import_costs(*, actor: Actor, rows: list[dict[str, Any]]) -> ImportResult:
    """Cost entries from the general ledger. Every row is checked first; one bad row, nothing written.

    A voucher already imported with the same content is skipped (re-importing a file is safe); the
    same voucher with other content is an error, because a booked cost is corrected by a new voucher.
    """
    _require_manager(actor)
    services = {s.code: s for s in Service.objects.filter(billing__isnull=False)}
    errors: dict[str, list[str]] = {}
    parsed: list[CostEntry] = []
    for index, row in enumerate(rows, start=1):
        key = f"row {index}"
        try:
            period = parse_period(str(row.get("period", "")))
        except ValueError:
            errors.setdefault(key, []).append(str(_("period must be YYYY-MM")))
            continue
        service = None
        code = str(row.get("service") or "").strip()
        if code:
            service = services.get(code)
            if service is None:
                errors.setdefault(key, []).append(
                    str(_("unknown service %(code)s") % {"code": code})
                )
        funding = str(row.get("funding_source") or FundingSource.AVGIFT)
        segment = str(row.get("segment") or Segment.CORE)
        if funding not in FundingSource.values:
            errors.setdefault(key, []).append(
                str(_("unknown funding source %(value)s") % {"value": funding})
            )
        if segment not in Segment.values:
            errors.setdefault(key, []).append(
                str(_("unknown segment %(value)s") % {"value": segment})
            )
        try:
            amount = to_ore(parse_decimal(row.get("amount", "")))
        except ValueError:
            errors.setdefault(key, []).append(str(_("amount must be a number")))
            continue
        voucher = str(row.get("voucher") or "").strip()
        pool = str(row.get("cost_pool") or "").strip()
        if not voucher or not pool:
            errors.setdefault(key, []).append(str(_("voucher and cost pool are required")))
            continue
        parsed.append(
            CostEntry(
                period=period,
                gl_account=str(row.get("gl_account") or ""),
                cost_pool=pool,
                service=service,
                funding_source=funding,
                segment=segment,
                vat_compensated=str(row.get("vat_compensated") or "").lower()
                in ("1", "true", "yes", "ja"),
                amount_ore=amount,
                source_ref=voucher,
                description=str(row.get("description") or "")[:200],
            )
        )
    closed = sorted({entry.period.year for entry in parsed if _closed_year(entry.period.year)})
    if closed:
        errors.setdefault("period", []).append(
            str(_("year %(year)s is closed") % {"year": closed[0]})
        )
    existing = {
        entry.source_ref: entry
        for entry in CostEntry.objects.filter(source_ref__in=[p.source_ref for p in parsed])
    }
    result = ImportResult()
    new: list[CostEntry] = []
    seen: set[str] = set()
    for entry in parsed:
        if entry.source_ref in seen:
            errors.setdefault(entry.source_ref, []).append(
                str(_("voucher appears twice in the file"))
            )
            continue
        seen.add(entry.source_ref)
        old = existing.get(entry.source_ref)
        if old is None:
            new.append(entry)
        elif (old.amount_ore, old.period, old.cost_pool, old.service_id) == (
            entry.amount_ore,
            entry.period,
            entry.cost_pool,
            entry.service.pk if entry.service else None,
        ):
            result.unchanged += 1
        else:
            errors.setdefault(entry.source_ref, []).append(
                str(_("voucher already imported with other content"))
            )
    if errors:
        raise ValidationFailed(_("The cost file has errors; nothing was imported."), errors=errors)
    with transaction.atomic():
        CostEntry.objects.bulk_create(new)
        result.created = len(new)
        audit_record(
            actor=actor,
            action="billing.costs_imported",
            object_type="billing.costentry",
            object_id="import",
            after={"created": result.created, "unchanged": result.unchanged},
        )
    return result


def import_costs_csv(*, actor: Actor, text: str) -> ImportResult:
    return import_costs(actor=actor, rows=_rows(text, ("period", "cost_pool", "amount", "voucher")))


def create_allocation_rule(
    *,
    actor: Actor,
    year: int,
    cost_pool: str,
    method: str,
    decision_ref: str,
    target_service: str = "",
    weights: dict[str, Any] | None = None,
) -> AllocationRule:
    """A new version of a pool's rule; the newest version of a year is the one used (I-14)."""
    _require_manager(actor)
    errors: dict[str, list[str]] = {}
    if method not in AllocationMethod.values:
        errors["method"] = [str(_("unknown allocation method"))]
    if not decision_ref.strip():
        errors["decision_ref"] = [str(_("a decision reference is required"))]
    target = None
    if method == AllocationMethod.DIRECT:
        target = Service.objects.filter(code=target_service, billing__isnull=False).first()
        if target is None:
            errors["target_service"] = [str(_("a direct rule needs a known billable service"))]
    clean_weights: dict[str, str] = {}
    if method == AllocationMethod.FIXED_PCT:
        try:
            clean_weights = {
                code: str(parse_decimal(value)) for code, value in (weights or {}).items()
            }
        except ValueError:
            errors["weights"] = [str(_("percentages must be numbers"))]
        else:
            known = set(
                Service.objects.filter(code__in=clean_weights, billing__isnull=False).values_list(
                    "code", flat=True
                )
            )
            if set(clean_weights) - known:
                errors["weights"] = [str(_("unknown service in the weights"))]
            elif sum(Decimal(v) for v in clean_weights.values()) != 100 or any(
                Decimal(v) < 0 for v in clean_weights.values()
            ):
                errors["weights"] = [str(_("percentages must be non-negative and add up to 100"))]
    if _closed_year(year):
        errors["year"] = [str(_("the year is closed"))]
    if errors:
        raise ValidationFailed(_("The allocation rule is not valid."), errors=errors)
    with transaction.atomic():
        latest = (
            AllocationRule.objects.filter(year=year, cost_pool=cost_pool).aggregate(
                v=Max("version")
            )["v"]
            or 0
        )
        rule = AllocationRule.objects.create(
            year=year,
            cost_pool=cost_pool,
            version=latest + 1,
            method=method,
            target_service=target,
            weights=clean_weights,
            decision_ref=decision_ref.strip(),
        )
        audit_record(
            actor=actor, action="billing.allocation_rule_created", obj=rule, after=snapshot(rule)
        )
    return rule


# --------------------------------------------------------------------------------------------
# Prices
# --------------------------------------------------------------------------------------------


def create_price_version(
    *,
    actor: Actor,
    service_code: str,
    unit_price: Any,
    valid_from: datetime.date | str,
    decision_ref: str,
    decision_date: datetime.date | str,
    model: str = PriceModel.PER_UNIT,
    basis: str = PriceBasis.MONTH,
    tiers: list[list[Any]] | None = None,
    package_size: Any = None,
) -> PriceVersion:
    """A decided price. Prices are never edited: a change is this, with a new decision (R-01, I-14)."""
    _require_manager(actor)
    errors: dict[str, list[str]] = {}
    service = Service.objects.filter(code=service_code, billing__isnull=False).first()
    if service is None:
        errors["service"] = [str(_("unknown billable service"))]
    if not str(decision_ref or "").strip():
        errors["decision_ref"] = [str(_("a price needs the reference of the decision behind it"))]
    price = Decimal(0)
    try:
        price = parse_decimal(unit_price)
        if price < 0:
            errors["unit_price"] = [str(_("a price cannot be negative"))]
    except ValueError:
        errors["unit_price"] = [str(_("the price must be a number"))]
    valid = _date_or_error(valid_from, "valid_from", errors)
    decided = _date_or_error(decision_date, "decision_date", errors)
    if model not in PriceModel.values:
        errors["model"] = [str(_("unknown price model"))]
    if basis not in PriceBasis.values:
        errors["basis"] = [str(_("unknown price basis"))]
    clean_tiers: list[list[str | None]] = []
    if model == PriceModel.GRADUATED:
        try:
            clean_tiers = pricing.validate_tiers(tiers or [])
        except (ValueError, TypeError):
            errors["tiers"] = [
                str(_("tiers need increasing limits, prices ≥ 0 and an open last tier"))
            ]
    size = None
    if model == PriceModel.PACKAGE:
        try:
            size = parse_decimal(package_size)
            if size <= 0:
                raise ValueError(size)
        except (ValueError, TypeError):
            errors["package_size"] = [str(_("a package price needs a package size above zero"))]
    if (
        model in (PriceModel.GRADUATED, PriceModel.PACKAGE, PriceModel.ONE_TIME)
        and basis != PriceBasis.MONTH
    ):
        errors["basis"] = [str(_("graduated, package and one-time prices are monthly"))]
    if valid and valid.day != 1:
        errors["valid_from"] = [str(_("a price starts on the first day of a month"))]
    if valid and _finalised_period(valid.replace(day=1)):
        errors["valid_from"] = [
            str(_("that month is already invoiced; a price cannot change history"))
        ]
    if errors or service is None or valid is None or decided is None:
        raise ValidationFailed(_("The price is not valid; nothing was saved."), errors=errors)
    with transaction.atomic():
        latest = PriceVersion.objects.filter(service=service).aggregate(v=Max("version"))["v"] or 0
        version = PriceVersion.objects.create(
            service=service,
            version=latest + 1,
            model=model,
            basis=basis,
            unit_price=price,
            tiers=clean_tiers,
            package_size=size,
            valid_from=valid,
            decision_ref=decision_ref.strip(),
            decision_date=decided,
        )
        audit_record(
            actor=actor, action="billing.price_created", obj=version, after=snapshot(version)
        )
    return version


def _date_or_error(value: Any, name: str, errors: dict[str, list[str]]) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors[name] = [str(_("a date is written YYYY-MM-DD"))]
        return None


# --------------------------------------------------------------------------------------------
# Usage and project time
# --------------------------------------------------------------------------------------------


def _open_period_after(period: datetime.date) -> datetime.date:
    candidate = next_period(period)
    finalised = set(
        InvoiceRun.objects.filter(status=RunStatus.FINALISED, period__gte=candidate).values_list(
            "period", flat=True
        )
    )
    while candidate in finalised:
        candidate = next_period(candidate)
    return candidate


def record_usage(*, actor: Actor, rows: list[dict[str, Any]], late: str = "reject") -> ImportResult:
    """Measurements per agency, service and month, deduplicated on (source, key) (I-08).

    Usage for a month already invoiced is refused unless `late="adjust"`: then it is billed as an
    adjustment in the next open month and the invoiced month stays closed. A closed year refuses it.
    """
    _require_manager(actor)
    orgs = {
        o.name: o
        for o in Organisation.objects.filter(
            name__in=[str(r.get("organisation", "")).strip() for r in rows]
        )
    }
    services = {s.code: s for s in Service.objects.filter(billing__isnull=False)}
    finalised = set(
        InvoiceRun.objects.filter(status=RunStatus.FINALISED).values_list("period", flat=True)
    )
    closed_years = set(YearEndClose.objects.values_list("year", flat=True))
    errors: dict[str, list[str]] = {}
    parsed: list[Usage] = []
    for index, row in enumerate(rows, start=1):
        key = f"row {index}"
        problems: list[str] = []
        org = orgs.get(str(row.get("organisation", "")).strip())
        if org is None:
            problems.append(
                str(_("unknown agency %(name)s") % {"name": row.get("organisation", "")})
            )
        service = services.get(str(row.get("service", "")).strip())
        if service is None:
            problems.append(str(_("unknown service %(code)s") % {"code": row.get("service", "")}))
        quantity = Decimal(0)
        try:
            quantity = parse_decimal(row.get("quantity", ""))
            if quantity < 0:
                problems.append(str(_("quantity cannot be negative")))
        except ValueError:
            problems.append(str(_("quantity must be a number")))
        period = None
        try:
            period = parse_period(str(row.get("period", "")))
        except ValueError:
            problems.append(str(_("period must be YYYY-MM")))
        source = str(row.get("source") or "manual").strip()[:40]
        source_key = str(row.get("key") or "").strip()
        billed = period
        if period is not None:
            if period.year in closed_years:
                problems.append(str(_("the year %(year)s is closed") % {"year": period.year}))
            elif period in finalised:
                if late != "adjust":
                    problems.append(
                        str(
                            _("%(period)s is already invoiced; send it as a late adjustment")
                            % {"period": label(period)}
                        )
                    )
                else:
                    billed = _open_period_after(period)
            if not source_key and org is not None and service is not None:
                source_key = f"{org.pk}:{service.code}:{label(period)}"
        if problems or org is None or service is None or period is None or billed is None:
            errors[key] = problems
            continue
        parsed.append(
            Usage(
                organisation=org,
                service=service,
                period=period,
                billed_period=billed,
                quantity=quantity,
                source=source,
                source_key=source_key[:120],
            )
        )
    existing = {
        (u.source, u.source_key): u
        for u in Usage.objects.filter(
            source__in={p.source for p in parsed}, source_key__in=[p.source_key for p in parsed]
        )
    }
    result = ImportResult()
    new: list[Usage] = []
    seen: set[tuple[str, str]] = set()
    for usage in parsed:
        natural = (usage.source, usage.source_key)
        if natural in seen:
            errors.setdefault(usage.source_key, []).append(
                str(_("the same measurement appears twice"))
            )
            continue
        seen.add(natural)
        old = existing.get(natural)
        if old is None:
            new.append(usage)
            result.adjustments += usage.is_adjustment
        elif (
            old.quantity == usage.quantity
            and old.organisation_id == usage.organisation.pk
            and old.period == usage.period
        ):
            result.unchanged += 1
        else:
            errors.setdefault(usage.source_key, []).append(
                str(_("already recorded with another value; send a correction with a new key"))
            )
    if errors:
        raise ValidationFailed(_("The usage has errors; nothing was recorded."), errors=errors)
    with transaction.atomic():
        Usage.objects.bulk_create(new)
        result.created = len(new)
        audit_record(
            actor=actor,
            action="billing.usage_recorded",
            object_type="billing.usage",
            object_id="import",
            after={
                "created": result.created,
                "unchanged": result.unchanged,
                "adjustments": result.adjustments,
            },
        )
    return result


def import_usage_csv(*, actor: Actor, text: str, late: str = "reject") -> ImportResult:
    return record_usage(
        actor=actor, rows=_rows(text, ("period", "organisation", "service", "quantity")), late=late
    )


def record_project_time(
    *,
    actor: Actor,
    case_id: int,
    period: str | datetime.date,
    hours: Any,
    hourly_rate: Any,
    description: str,
    key: str,
    external_cost: Any = 0,
) -> ProjectTime:
    """Time and material on a connection case, invoiced at cost with the next monthly run (R-10)."""
    _require_manager(actor)
    errors: dict[str, list[str]] = {}
    case = ConnectionCase.objects.filter(pk=case_id).select_related("organisation").first()
    if case is None:
        raise NotFound("case")
    month = _period_or_error(period)
    values: dict[str, Decimal] = {}
    for name, raw in (
        ("hours", hours),
        ("hourly_rate", hourly_rate),
        ("external_cost", external_cost),
    ):
        try:
            values[name] = parse_decimal(raw)
            if values[name] < 0:
                errors[name] = [str(_("cannot be negative"))]
        except ValueError:
            errors[name] = [str(_("must be a number"))]
    if not description.strip() or not key.strip():
        errors["description"] = [str(_("description and key are required"))]
    if _closed_year(month.year):
        errors["period"] = [str(_("the year is closed"))]
    if errors:
        raise ValidationFailed(_("The time entry is not valid; nothing was saved."), errors=errors)
    billed = _open_period_after(month) if _finalised_period(month) else month
    with transaction.atomic():
        existing = ProjectTime.objects.filter(source_key=key).first()
        if existing is not None:
            return existing
        entry = ProjectTime.objects.create(
            case=case,
            organisation=case.organisation,
            period=month,
            billed_period=billed,
            hours=values["hours"],
            hourly_rate=values["hourly_rate"],
            external_cost_ore=to_ore(values["external_cost"]),
            description=description.strip()[:200],
            source_key=key,
        )
        audit_record(
            actor=actor,
            action="billing.project_time_recorded",
            obj=entry,
            organisation_id=case.organisation_id,
            after=snapshot(entry),
        )
    return entry


# --------------------------------------------------------------------------------------------
# Invoice runs
# --------------------------------------------------------------------------------------------

KIND_ORDER = {kind: index for index, kind in enumerate(LineKind.values)}


@dataclass(frozen=True)
class DraftLine:
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

    def payload(self) -> list[Any]:
        return [
            self.organisation_id,
            self.service_id,
            self.kind,
            self.text_sv,
            str(self.quantity),
            self.unit_code,
            str(self.unit_price),
            str(self.base_quantity),
            self.amount_ore,
            self.price_version_id,
            self.schedule_id,
        ]


@dataclass
class DraftInvoice:
    seller_id: int
    buyer_id: int
    buyer_reference: str
    vat_regime: str
    lines: list[DraftLine] = field(default_factory=list)

    def payload(self) -> list[Any]:
        return [
            self.seller_id,
            self.buyer_id,
            self.buyer_reference,
            self.vat_regime,
            [line.payload() for line in self.lines],
        ]


class _Recipients:
    """Who receives an agency's invoice: itself, its legal umbrella, or a group's billing member.

    Courts are billed through Domstolsverket (their parent); a group without legal entity
    (Länsstyrelserna) has no Peppol address, so its members are billed one by one unless the group's
    profile names a member that receives the group's invoices (ADR 0205).
    """

    def __init__(self) -> None:
        self.orgs = {
            o.pk: o
            for o in Organisation.objects.only("id", "name", "parent_id", "is_group", "org_number")
        }
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


class _Prices:
    def __init__(self, service_ids: Iterable[int], until: datetime.date) -> None:
        self.by_service: dict[int, list[PriceVersion]] = defaultdict(list)
        for version in PriceVersion.objects.filter(
            service_id__in=list(service_ids), valid_from__lte=until
        ).order_by("valid_from", "version"):
            self.by_service[version.service_id].append(version)
        self._parsed: dict[int, pricing.Price] = {}

    def version(self, service_id: int, month: datetime.date) -> PriceVersion | None:
        found = None
        for version in self.by_service.get(service_id, ()):
            if version.valid_from <= month and (
                version.valid_to is None or version.valid_to >= month
            ):
                found = version  # later valid_from, then higher version, wins
        return found

    def price(self, version: PriceVersion) -> pricing.Price:
        if version.pk not in self._parsed:
            self._parsed[version.pk] = pricing.Price.from_version(version)
        return self._parsed[version.pk]


def _default_seller_id() -> int:
    seller = (
        Organisation.objects.filter(kind="provider")
        .order_by("name")
        .values_list("id", flat=True)
        .first()
    )
    if seller is None:
        raise BusinessRuleViolation(_("No provider agency exists to issue invoices."))
    return seller


def build_period(period: datetime.date) -> tuple[list[DraftInvoice], list[str]]:
    """The drafts a month's run would write: deterministic, read-only (fee-model.md §5.4 step 1–2)."""
    warnings: list[str] = []
    start, end = period, period_end(period)
    year_start = datetime.date(period.year, 1, 1)
    billables = {b.service_id: b for b in BillableService.objects.select_related("service")}
    prices = _Prices(billables, end)
    recipients = _Recipients()
    lines: dict[tuple[int, int], list[DraftLine]] = defaultdict(list)  # (seller, org) → lines

    def add(org_id: int, seller_id: int, line: DraftLine) -> None:
        if line.amount_ore == 0 and line.quantity == 0:
            return
        lines[(seller_id, org_id)].append(line)

    month_label = label(period)

    def service_text(
        bs: BillableService, extra_sv: str = "", extra_en: str = ""
    ) -> tuple[str, str]:
        return (
            f"{bs.service.name_sv} {month_label}{extra_sv}",
            f"{bs.service.name_en} {month_label}{extra_en}",
        )

    def price_lines(
        org_id: int,
        bs: BillableService,
        version: PriceVersion,
        quantity: Decimal,
        before: Decimal,
        kind: str,
        texts: tuple[str, str],
    ) -> None:
        for charge in pricing.charges(prices.price(version), quantity, before):
            suffix = f" (steg {charge.tier})" if charge.tier else ""
            suffix_en = f" (tier {charge.tier})" if charge.tier else ""
            add(
                org_id,
                bs.service.provider_id,
                DraftLine(
                    org_id,
                    recipients.orgs[org_id].name,
                    bs.service_id,
                    bs.service.code,
                    kind,
                    texts[0] + suffix,
                    texts[1] + suffix_en,
                    charge.quantity,
                    bs.unit_code,
                    charge.price,
                    charge.base_quantity,
                    charge.amount_ore,
                    version.pk,
                ),
            )

    # Usage of the month (and late usage of earlier months, billed now as adjustments).
    usage = (
        Usage.objects.filter(billed_period=period, service_id__in=list(billables))
        .values("organisation_id", "service_id", "period")
        .annotate(total=Sum("quantity"))
        .order_by("organisation_id", "service_id", "period")
    )
    # Only year-priced services need the months before (the running total of the year).
    yearly = [
        service_id
        for service_id, versions in prices.by_service.items()
        if any(v.basis == PriceBasis.YEAR for v in versions)
    ]
    earlier: dict[tuple[int, int], dict[datetime.date, Decimal]] = defaultdict(dict)
    for row in (
        Usage.objects.filter(period__gte=year_start, period__lt=start, service_id__in=yearly)
        .filter(billed_period=F("period"))
        .values("organisation_id", "service_id", "period")
        .annotate(total=Sum("quantity"))
    ):
        earlier[(row["organisation_id"], row["service_id"])][row["period"]] = row["total"]
    unpriced: set[str] = set()
    for row in usage:
        bs = billables[row["service_id"]]
        org_id, month = row["organisation_id"], row["period"]
        version = prices.version(bs.service_id, month)
        if version is None:
            unpriced.add(bs.service.code)
            continue
        if version.model in (PriceModel.FIXED, PriceModel.ONE_TIME):
            continue
        if month == period:
            before = (
                sum(
                    (
                        qty
                        for m, qty in earlier[(org_id, bs.service_id)].items()
                        if prices.version(bs.service_id, m) == version
                    ),
                    Decimal(0),
                )
                if version.basis == PriceBasis.YEAR
                else Decimal(0)
            )
            price_lines(org_id, bs, version, row["total"], before, LineKind.USAGE, service_text(bs))
        else:
            texts = (
                f"{bs.service.name_sv}: sent inrapporterad förbrukning {label(month)}",
                f"{bs.service.name_en}: late usage for {label(month)}",
            )
            price_lines(org_id, bs, version, row["total"], Decimal(0), LineKind.ADJUSTMENT, texts)

    # Fixed and one-time fees follow the subscriptions.
    subscriptions = list(
        Subscription.objects.filter(
            service_id__in=list(billables),
            agreement_basis__in=BILLED_BASES,
            start_date__lte=end,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=year_start))
        .order_by("organisation_id", "service_id", "id")
        .values("organisation_id", "service_id", "start_date", "end_date")
    )
    for sub in subscriptions:
        bs = billables[sub["service_id"]]
        active_now = sub["end_date"] is None or sub["end_date"] >= start
        version = prices.version(bs.service_id, period)
        if version is None or not active_now:
            continue
        if version.model == PriceModel.FIXED:
            before = Decimal(0)
            if version.basis == PriceBasis.YEAR:
                before = Decimal(
                    sum(
                        1
                        for m in months_of(period.year)
                        if m < start
                        and sub["start_date"] <= period_end(m)
                        and (sub["end_date"] is None or sub["end_date"] >= m)
                        and prices.version(bs.service_id, m) == version
                    )
                )
            price_lines(
                sub["organisation_id"],
                bs,
                version,
                Decimal(1),
                before,
                LineKind.FIXED,
                service_text(bs),
            )
        elif version.model == PriceModel.ONE_TIME and start <= sub["start_date"] <= end:
            texts = (
                f"{bs.service.name_sv}: anslutningsavgift",
                f"{bs.service.name_en}: one-time connection fee",
            )
            price_lines(
                sub["organisation_id"],
                bs,
                version,
                Decimal(1),
                Decimal(0),
                LineKind.ONE_TIME,
                texts,
            )
    if unpriced:
        warnings.append(
            f"no decided price for {', '.join(sorted(unpriced))} in {label(period)}; not invoiced"
        )

    # Instalments and settlements decided at earlier year-end closes, a twelfth a month with catch-up.
    schedules = list(
        RecoverySchedule.objects.filter(year=period.year)
        .select_related("account__service", "account__organisation")
        .order_by("id")
    )
    billed = dict(
        InvoiceLine.objects.filter(schedule__in=schedules, invoice__status=InvoiceStatus.FINALISED)
        .values("schedule_id")
        .annotate(total=Sum("amount_ore"))
        .values_list("schedule_id", "total")
    )
    settled = set(
        LedgerEntry.objects.filter(kind=LedgerKind.EXIT_SETTLEMENT, period__lte=period).values_list(
            "account_id", flat=True
        )
    )
    for schedule in schedules:
        account = schedule.account
        if account.organisation_id is None or account.pk in settled:
            continue
        names_by_id = {
            account.organisation_id: account.organisation.name if account.organisation else ""
        }
        due = sum(split_evenly(schedule.amount_ore, 12)[: period.month]) - (
            billed.get(schedule.pk) or 0
        )
        if due == 0:
            continue
        service = account.service
        if schedule.kind == ScheduleKind.INSTALMENT:
            texts = (
                f"{service.name_sv}: avbetalning underskott {schedule.origin_year} ({schedule.part}/{schedule.parts})",
                f"{service.name_en}: deficit instalment {schedule.origin_year} ({schedule.part}/{schedule.parts})",
            )
            kind = LineKind.INSTALMENT
        else:
            texts = (
                f"{service.name_sv}: avräkning {schedule.origin_year}",
                f"{service.name_en}: settlement {schedule.origin_year}",
            )
            kind = LineKind.SETTLEMENT
        add(
            account.organisation_id,
            service.provider_id,
            DraftLine(
                account.organisation_id,
                names_by_id.get(account.organisation_id, ""),
                service.pk,
                service.code,
                kind,
                texts[0],
                texts[1],
                Decimal(1 if due > 0 else -1),
                "C62",
                ore_to_decimal(abs(due)),
                Decimal(1),
                due,
                schedule_id=schedule.pk,
            ),
        )

    # Connection projects at cost.
    seller_for_case: dict[int, int] = {}
    for entry in (
        ProjectTime.objects.filter(billed_period=period)
        .select_related("organisation")
        .order_by("source_key")
    ):
        if entry.case_id not in seller_for_case:
            provider = (
                Service.objects.filter(connection_cases=entry.case_id)
                .order_by("code")
                .values_list("provider_id", flat=True)
                .first()
            )
            seller_for_case[entry.case_id] = provider or _default_seller_id()
        seller = seller_for_case[entry.case_id]
        name = entry.organisation.name
        add(
            entry.organisation_id,
            seller,
            DraftLine(
                entry.organisation_id,
                name,
                None,
                "",
                LineKind.PROJECT,
                f"Anslutningsprojekt {label(entry.period)}: {entry.description}",
                f"Connection project {label(entry.period)}: {entry.description}",
                entry.hours,
                "HUR",
                entry.hourly_rate,
                Decimal(1),
                to_ore(entry.hours * entry.hourly_rate),
            ),
        )
        if entry.external_cost_ore:
            add(
                entry.organisation_id,
                seller,
                DraftLine(
                    entry.organisation_id,
                    name,
                    None,
                    "",
                    LineKind.PROJECT,
                    f"Anslutningsprojekt {label(entry.period)}: externa kostnader",
                    f"Connection project {label(entry.period)}: external costs",
                    Decimal(1),
                    "C62",
                    ore_to_decimal(entry.external_cost_ore),
                    Decimal(1),
                    entry.external_cost_ore,
                ),
            )

    invoices: dict[tuple[int, int], DraftInvoice] = {}
    for (seller_id, org_id), org_lines in lines.items():
        buyer = recipients.of(org_id)
        if buyer is None:
            warnings.append(
                f"{recipients.orgs[org_id].name} is a group without an invoice recipient; not invoiced"
            )
            continue
        invoice = invoices.get((seller_id, buyer))
        if invoice is None:
            invoice = invoices[(seller_id, buyer)] = DraftInvoice(
                seller_id, buyer, recipients.reference(buyer, period), recipients.regime(buyer)
            )
        invoice.lines.extend(org_lines)
    ordered = sorted(
        invoices.values(), key=lambda inv: (inv.seller_id, recipients.orgs[inv.buyer_id].name)
    )
    for invoice in ordered:
        invoice.lines.sort(key=DraftLine.sort_key)
    return ordered, warnings


@dataclass
class RunOutcome:
    run: InvoiceRun
    created: bool
    unchanged: bool
    invoices: int
    lines: int
    warnings: list[str]


def run_period(
    *,
    actor: Actor,
    period: str | datetime.date,
    issue_date: datetime.date | None = None,
    finalise: bool = False,
    progress: Progress | None = None,
) -> RunOutcome:
    """Build (or rebuild) the month's drafts; optionally finalise them in a second transaction.

    Running a finalised month again changes nothing and returns the run. Running a draft month
    with the same inputs changes nothing either; with changed inputs only the drafts are replaced
    (I-06). Because drafts are written in one transaction, a crash leaves the old drafts or the new.
    """
    _require_manager(actor)
    month = _period_or_error(period)
    existing = InvoiceRun.objects.filter(period=month).first()
    if existing is not None and existing.status == RunStatus.FINALISED:
        return RunOutcome(existing, False, True, existing.invoices.count(), 0, [])
    if _closed_year(month.year):
        raise BusinessRuleViolation(_("The year is closed; its months cannot be invoiced again."))
    say = progress or (lambda _message: None)
    say(f"{label(month)}: building drafts")
    drafts, warnings = build_period(month)
    issued = issue_date or next_period(month)
    content_hash = _digest(
        {
            "period": label(month),
            "issue": issued.isoformat(),
            "invoices": [d.payload() for d in drafts],
        }
    )
    line_count = sum(len(d.lines) for d in drafts)
    with transaction.atomic():
        run = InvoiceRun.objects.select_for_update().filter(period=month).first()
        if run is not None and (
            run.status == RunStatus.FINALISED or run.input_hash == content_hash
        ):
            outcome = RunOutcome(run, False, True, len(drafts), line_count, warnings)
        else:
            created = run is None
            if run is None:
                run = InvoiceRun.objects.create(
                    period=month, input_hash=content_hash, issue_date=issued
                )
            else:
                InvoiceLine.objects.filter(
                    invoice__run=run, invoice__status=InvoiceStatus.DRAFT
                ).delete()
                Invoice.objects.filter(run=run, status=InvoiceStatus.DRAFT).delete()
                run.input_hash, run.issue_date = content_hash, issued
                run.save(update_fields=["input_hash", "issue_date"])
            _write_drafts(run, drafts, issued)
            audit_record(
                actor=actor,
                action="billing.run_drafted",
                obj=run,
                after={
                    "period": label(month),
                    "hash": content_hash,
                    "invoices": len(drafts),
                    "lines": line_count,
                },
            )
            outcome = RunOutcome(run, created, False, len(drafts), line_count, warnings)
    say(
        f"{label(month)}: {outcome.invoices} invoices, {outcome.lines} lines{' (unchanged)' if outcome.unchanged else ''}"
    )
    if finalise:
        finalise_run(actor=actor, period=month, progress=progress)
        outcome.run.refresh_from_db()
    return outcome


def _write_drafts(run: InvoiceRun, drafts: list[DraftInvoice], issued: datetime.date) -> None:
    invoices = [
        Invoice(
            run=run,
            kind=InvoiceKind.INVOICE,
            seller_id=d.seller_id,
            buyer_id=d.buyer_id,
            period=run.period,
            issue_date=issued,
            due_date=issued + datetime.timedelta(days=PAYMENT_DAYS),
            total_ore=sum(line.amount_ore for line in d.lines),
            buyer_reference=d.buyer_reference,
            vat_regime=d.vat_regime,
        )
        for d in drafts
    ]
    Invoice.objects.bulk_create(invoices)
    if any(invoice.pk is None for invoice in invoices):  # backends without RETURNING
        ids = {
            (seller, buyer): pk
            for seller, buyer, pk in Invoice.objects.filter(run=run).values_list(
                "seller_id", "buyer_id", "id"
            )
        }
        for invoice in invoices:
            invoice.pk = ids[(invoice.seller_id, invoice.buyer_id)]
    rows = [
        (
            invoice.pk,
            position,
            line.organisation_id,
            line.service_id,
            line.kind,
            line.text_sv,
            line.text_en,
            line.quantity,
            line.unit_code,
            line.unit_price,
            line.base_quantity,
            line.amount_ore,
            line.price_version_id,
            line.schedule_id,
        )
        for invoice, draft in zip(invoices, drafts, strict=True)
        for position, line in enumerate(draft.lines, start=1)
    ]
    _insert(
        InvoiceLine,
        (
            "invoice",
            "position",
            "organisation",
            "service",
            "kind",
            "text_sv",
            "text_en",
            "quantity",
            "unit_code",
            "unit_price",
            "base_quantity",
            "amount_ore",
            "price_version",
            "schedule",
        ),
        rows,
    )


# --------------------------------------------------------------------------------------------
# Finalising, UBL, credit notes
# --------------------------------------------------------------------------------------------


def _digits(org_number: str) -> str:
    return "".join(ch for ch in org_number if ch.isdigit())


def ubl_document(
    invoice: Invoice,
    lines: Sequence[Any],
    orgs: dict[int, Organisation],
    profiles: dict[int, BillingProfile],
) -> ubl.Document:
    """The UBL model of a stored invoice; credit notes show the credited amounts as positive."""
    seller, buyer = orgs[invoice.seller_id], orgs[invoice.buyer_id]
    sign = -1 if invoice.kind == InvoiceKind.CREDIT_NOTE else 1
    seller_profile, buyer_profile = profiles.get(seller.pk), profiles.get(buyer.pk)
    doc_lines = []
    for line in lines:
        amount = sign * line.amount_ore
        quantity = line.quantity
        if amount < 0 < quantity or amount > 0 > quantity:
            quantity = -quantity
        note = orgs[line.organisation_id].name if line.organisation_id != invoice.buyer_id else ""
        doc_lines.append(
            ubl.Line(
                line_id=str(line.position),
                name=line.text_sv,
                quantity=quantity,
                unit_code=line.unit_code,
                price=line.unit_price,
                base_quantity=line.base_quantity,
                amount_ore=amount,
                note=f"Avser: {note}" if note else "",
            )
        )
    reference = None
    if invoice.credited_invoice_id:
        original = invoice.credited_invoice
        if original is None or not original.number:
            raise BusinessRuleViolation(_("A credit note must reference a finalised invoice."))
        reference = (original.number, original.issue_date)
    return ubl.Document(
        kind=invoice.kind,
        number=invoice.number or "",
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        buyer_reference=invoice.buyer_reference,
        seller=ubl.Party(
            seller.name, _digits(seller.org_number), seller_profile.city if seller_profile else ""
        ),
        buyer=ubl.Party(
            buyer.name, _digits(buyer.org_number), buyer_profile.city if buyer_profile else ""
        ),
        period=(invoice.period, period_end(invoice.period)),
        lines=tuple(doc_lines),
        with_vat=invoice.vat_regime != VatRegime.STATE_AGENCY,
        bankgiro=seller_profile.bankgiro if seller_profile else "",
        note=invoice.reason,
        billing_reference=reference,
    )


def _accounts_for(keys: set[tuple[int, int]]) -> dict[tuple[int | None, int], Account]:
    """The carry-forward accounts of (agency, service), created on first use."""
    existing = {
        (a.organisation_id, a.service_id): a
        for a in Account.objects.filter(
            organisation_id__in={k[0] for k in keys}, service_id__in={k[1] for k in keys}
        )
    }
    missing = keys - set(existing)
    if missing:
        areas = dict(
            BillableService.objects.filter(service_id__in={k[1] for k in missing}).values_list(
                "service_id", "fee_area_id"
            )
        )
        Account.objects.bulk_create(
            [
                Account(organisation_id=org, service_id=svc, fee_area_id=areas[svc])
                for org, svc in sorted(missing)
            ],
            ignore_conflicts=True,
        )
        existing.update(
            {
                (a.organisation_id, a.service_id): a
                for a in Account.objects.filter(
                    organisation_id__in={k[0] for k in missing},
                    service_id__in={k[1] for k in missing},
                )
            }
        )
    return existing


@dataclass(frozen=True)
class _SealLine:
    """The columns of a line that finalising needs; cheaper than a model instance per line."""

    pk: int
    invoice_id: int
    position: int
    organisation_id: int
    service_id: int | None
    kind: str
    text_sv: str
    quantity: Decimal
    unit_code: str
    unit_price: Decimal
    base_quantity: Decimal
    amount_ore: int


_SEAL_FIELDS = (
    "pk",
    "invoice_id",
    "position",
    "organisation_id",
    "service_id",
    "kind",
    "text_sv",
    "quantity",
    "unit_code",
    "unit_price",
    "base_quantity",
    "amount_ore",
)


def _insert(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """A plain executemany INSERT. The ORM's per-object cost was most of a run's time (bench),
    and these rows need no signals, defaults or returned ids."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - names from _meta
                rows[start : start + 5000],
            )


def _seal(invoices: list[Invoice], now: datetime.datetime) -> int:
    """Number, render and ledger the given drafts. Runs inside the caller's transaction."""
    lines_by_invoice: dict[int, list[_SealLine]] = defaultdict(list)
    for values in (
        InvoiceLine.objects.filter(invoice__in=[i.pk for i in invoices])
        .order_by("invoice_id", "position")
        .values_list(*_SEAL_FIELDS)
    ):
        line = _SealLine(*values)
        lines_by_invoice[line.invoice_id].append(line)
    org_ids = (
        {i.seller_id for i in invoices}
        | {i.buyer_id for i in invoices}
        | {line.organisation_id for lines in lines_by_invoice.values() for line in lines}
    )
    orgs = Organisation.objects.in_bulk(list(org_ids))
    profiles = {
        p.organisation_id: p for p in BillingProfile.objects.filter(organisation_id__in=org_ids)
    }
    for invoice in invoices:
        if not _digits(orgs[invoice.buyer_id].org_number) or not _digits(
            orgs[invoice.seller_id].org_number
        ):
            raise BusinessRuleViolation(
                _("%(name)s has no organisation number and cannot receive an e-invoice."),
                name=orgs[invoice.buyer_id].name,
            )
    series: dict[tuple[int, str], NumberSeries] = {}
    for key in sorted({(i.seller_id, i.kind) for i in invoices}):
        NumberSeries.objects.get_or_create(seller_id=key[0], kind=key[1])
        series[key] = NumberSeries.objects.select_for_update().get(seller_id=key[0], kind=key[1])
    ledger_keys = {
        (line.organisation_id, line.service_id)
        for lines in lines_by_invoice.values()
        for line in lines
        if line.service_id is not None and line.kind in LEDGER_KIND_OF_LINE
    }
    accounts = _accounts_for(ledger_keys)
    entries: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    stamped = connection.ops.adapt_datetimefield_value(now)
    for invoice in sorted(
        invoices, key=lambda i: (i.seller_id, i.kind, orgs[i.buyer_id].name, i.pk)
    ):
        numbering = series[(invoice.seller_id, invoice.kind)]
        invoice.number = f"{NUMBER_PREFIX[invoice.kind]}{numbering.next_number:07d}"
        numbering.next_number += 1
        lines = lines_by_invoice[invoice.pk]
        invoice.total_ore = sum(line.amount_ore for line in lines)
        document = ubl_document(invoice, lines, orgs, profiles)
        invoice.vat_ore = document.vat_ore
        xml = ubl.render(document)
        invoice.ubl_xml = xml.decode("utf-8")
        invoice.ubl_sha256 = hashlib.sha256(xml).hexdigest()
        invoice.status = InvoiceStatus.FINALISED
        invoice.finalised_at = now
        updates.append(
            (
                invoice.number,
                invoice.total_ore,
                invoice.vat_ore,
                invoice.ubl_xml,
                invoice.ubl_sha256,
                invoice.status,
                stamped,
                invoice.pk,
            )
        )
        for line in lines:
            ledger_kind = LEDGER_KIND_OF_LINE.get(LineKind(line.kind))
            if ledger_kind is None or line.service_id is None:
                continue
            entries.append(
                (
                    accounts[(line.organisation_id, line.service_id)].pk,
                    invoice.period.year,
                    invoice.period,
                    str(ledger_kind),
                    line.amount_ore,
                    f"line:{line.pk}",
                    line.pk,
                )
            )
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE billing_invoice SET number = %s, total_ore = %s, vat_ore = %s, ubl_xml = %s, ubl_sha256 = %s, "
            "status = %s, finalised_at = %s WHERE id = %s",
            updates,
        )
    for numbering in series.values():
        numbering.save(update_fields=["next_number"])
    _insert(
        LedgerEntry,
        ("account", "year", "period", "kind", "amount_ore", "idempotency_key", "invoice_line"),
        entries,
    )
    return len(entries)


def finalise_run(
    *, actor: Actor, period: str | datetime.date, progress: Progress | None = None
) -> InvoiceRun:
    """One transaction: gapless numbers, UBL, ledger entries, run finalised (I-04, I-05, §5.4 step 4)."""
    _require_manager(actor)
    month = _period_or_error(period)
    with transaction.atomic():
        run = InvoiceRun.objects.select_for_update().filter(period=month).first()
        if run is None:
            raise NotFound("run")
        if run.status == RunStatus.FINALISED:
            return run
        drafts = list(Invoice.objects.filter(run=run, status=InvoiceStatus.DRAFT))
        now = timezone.now()
        entry_count = _seal(drafts, now)
        run.status, run.finalised_at = RunStatus.FINALISED, now
        run.save(update_fields=["status", "finalised_at"])
        audit_record(
            actor=actor,
            action="billing.run_finalised",
            obj=run,
            after={"period": label(month), "invoices": len(drafts), "ledger_entries": entry_count},
        )
    if progress:
        progress(f"{label(month)}: finalised {len(drafts)} invoices")
    return run


def credit_invoice(
    *, actor: Actor, invoice_id: int, reason: str, line_ids: list[int] | None = None
) -> Invoice:
    """A credit note (UBL 381) for a finalised invoice, finalised at once with its own number.

    The original never changes (I-04); its ledger entries are reversed by the credit note's. A
    credited instalment or settlement becomes due again and is billed by the next monthly run.
    """
    _require_manager(actor)
    if not reason.strip():
        raise ValidationFailed(
            _("A credit note needs a reason."), errors={"reason": [str(_("required"))]}
        )
    with transaction.atomic():
        original = (
            Invoice.objects.select_for_update()
            .filter(pk=invoice_id, kind=InvoiceKind.INVOICE)
            .first()
        )
        if original is None:
            raise NotFound("invoice")
        if original.status != InvoiceStatus.FINALISED:
            raise BusinessRuleViolation(
                _("Only a finalised invoice can be credited; change the draft instead.")
            )
        credited = set(
            InvoiceLine.objects.filter(invoice__credited_invoice=original).values_list(
                "credited_line_id", flat=True
            )
        )
        lines = [
            line
            for line in original.lines.order_by("position")
            if line.pk not in credited and (line_ids is None or line.pk in line_ids)
        ]
        if not lines:
            raise BusinessRuleViolation(_("Those lines are already credited."))
        note = Invoice.objects.create(
            kind=InvoiceKind.CREDIT_NOTE,
            seller_id=original.seller_id,
            buyer_id=original.buyer_id,
            period=original.period,
            issue_date=timezone.localdate(),
            due_date=timezone.localdate(),
            buyer_reference=original.buyer_reference,
            credited_invoice=original,
            reason=reason.strip()[:300],
            vat_regime=original.vat_regime,
        )
        InvoiceLine.objects.bulk_create(
            [
                InvoiceLine(
                    invoice=note,
                    position=position,
                    organisation_id=line.organisation_id,
                    service_id=line.service_id,
                    kind=line.kind,
                    text_sv=line.text_sv,
                    text_en=line.text_en,
                    quantity=line.quantity,
                    unit_code=line.unit_code,
                    unit_price=line.unit_price,
                    base_quantity=line.base_quantity,
                    amount_ore=-line.amount_ore,
                    price_version_id=line.price_version_id,
                    schedule_id=line.schedule_id,
                    credited_line=line,
                )
                for position, line in enumerate(lines, start=1)
            ]
        )
        _seal([note], timezone.now())
        audit_record(
            actor=actor,
            action="billing.invoice_credited",
            obj=note,
            organisation_id=original.buyer_id,
            after={"credits": original.number, "number": note.number, "total_ore": note.total_ore},
        )
    return note


# --------------------------------------------------------------------------------------------
# Allocation and year-end close
# --------------------------------------------------------------------------------------------


def fee_base(year: int, segment: str = Segment.CORE) -> Q:
    """Cost entries in the fee base of a segment's fee areas (R-04, I-03): fee-financed, that
    segment, compensated input VAT left out."""
    return Q(
        period__year=year,
        funding_source=FundingSource.AVGIFT,
        segment=segment,
        vat_compensated=False,
    )


def allocate_year(year: int, segment: str = Segment.CORE) -> AllocationRun:
    """Spread the year's pools over services by the newest rule of each pool (I-01).

    Idempotent on the content hash of the entries and rules used. Must run in a transaction.
    """
    entries = CostEntry.objects.filter(fee_base(year, segment))
    pools = dict(
        entries.filter(service__isnull=True)
        .values("cost_pool")
        .annotate(t=Sum("amount_ore"))
        .values_list("cost_pool", "t")
    )
    direct = dict(
        entries.filter(service__isnull=False)
        .values("service__code")
        .annotate(t=Sum("amount_ore"))
        .values_list("service__code", "t")
    )
    segment_services = dict(
        BillableService.objects.filter(fee_area__segment=segment).values_list(
            "service__code", "service_id"
        )
    )
    rules: dict[str, AllocationRule] = {}
    for rule in (
        AllocationRule.objects.filter(year=year, cost_pool__in=list(pools))
        .select_related("target_service")
        .order_by("version")
    ):
        rules[rule.cost_pool] = rule
    missing = sorted(set(pools) - set(rules))
    if missing:
        raise BusinessRuleViolation(
            _("No allocation rule for the cost pool %(pool)s in %(year)s."),
            pool=missing[0],
            year=year,
        )
    volumes = dict(
        Usage.objects.filter(period__year=year)
        .values("service__code")
        .annotate(t=Sum("quantity"))
        .values_list("service__code", "t")
    )
    results: dict[tuple[str, str], int] = {}
    for pool in sorted(pools):
        rule, total = rules[pool], pools[pool]
        weights: dict[str, Decimal | int]
        if rule.method == AllocationMethod.DIRECT:
            weights = {rule.target_service.code: 1} if rule.target_service else {}
        elif rule.method == AllocationMethod.PROPORTIONAL:
            weights = {
                code: direct.get(code, 0) for code in segment_services if direct.get(code, 0) > 0
            }
        elif rule.method == AllocationMethod.DRIVER:
            weights = {
                code: volumes.get(code, Decimal(0))
                for code in segment_services
                if volumes.get(code)
            }
        elif rule.method == AllocationMethod.FIXED_PCT:
            weights = {code: Decimal(value) for code, value in rule.weights.items()}
        else:
            weights = dict.fromkeys(segment_services, 1)
        if not weights:
            raise BusinessRuleViolation(
                _("The rule for %(pool)s finds nothing to spread over in %(year)s."),
                pool=pool,
                year=year,
            )
        for code, amount in largest_remainder(total, weights).items():
            results[(pool, code)] = amount
    payload = {
        "year": year,
        "segment": segment,
        "pools": pools,
        "direct": direct,
        "rules": {p: [r.pk, r.version] for p, r in rules.items()},
        "results": sorted(results.items()),
    }
    content_hash = _digest(payload)
    run, created = AllocationRun.objects.get_or_create(year=year, input_hash=content_hash)
    if created:
        service_ids = dict(
            Service.objects.filter(code__in={code for _p, code in results}).values_list(
                "code", "id"
            )
        )
        AllocationResult.objects.bulk_create(
            [
                AllocationResult(
                    run=run, cost_pool=pool, service_id=service_ids[code], amount_ore=amount
                )
                for (pool, code), amount in sorted(results.items())
            ]
        )
    return run


def full_cost_by_service(
    year: int, segment: str = Segment.CORE, run: AllocationRun | None = None
) -> dict[int, int]:
    """Direct cost plus allocated pools, per service id (the självkostnad of §4.2)."""
    totals: dict[int, int] = defaultdict(int)
    for service_id, amount in (
        CostEntry.objects.filter(fee_base(year, segment), service__isnull=False)
        .values("service_id")
        .annotate(t=Sum("amount_ore"))
        .values_list("service_id", "t")
    ):
        totals[service_id] += amount
    if run is not None:
        for result in run.results.all():
            totals[result.service_id] += result.amount_ore
    return dict(totals)


def project_fee_area_id() -> int | None:
    """Connection projects are reported in the first core fee area (ADR 0202)."""
    return (
        FeeArea.objects.filter(segment=Segment.CORE)
        .order_by("code")
        .values_list("id", flat=True)
        .first()
    )


def year_figures(fee_area: FeeArea, year: int, full_cost: dict[int, int]) -> dict[str, int]:
    """Intäkter and Kostnader of a fee area's year (§4.5): fees, instalments, settlements and
    projects in; full cost and project cost out. Projects net to zero by construction (R-10)."""
    service_ids = list(
        BillableService.objects.filter(fee_area=fee_area).values_list("service_id", flat=True)
    )
    revenue = (
        InvoiceLine.objects.filter(
            invoice__status=InvoiceStatus.FINALISED,
            invoice__period__year=year,
            service_id__in=service_ids,
        ).aggregate(t=Sum("amount_ore"))["t"]
        or 0
    )
    projects = 0
    if fee_area.pk == project_fee_area_id():
        projects = (
            InvoiceLine.objects.filter(
                invoice__status=InvoiceStatus.FINALISED,
                invoice__period__year=year,
                kind=LineKind.PROJECT,
            ).aggregate(t=Sum("amount_ore"))["t"]
            or 0
        )
    cost = sum(amount for service_id, amount in full_cost.items() if service_id in set(service_ids))
    return {
        "revenue_ore": revenue + projects,
        "cost_ore": cost + projects,
        "projects_ore": projects,
        "result_ore": revenue - cost,
    }


def close_year(
    *,
    actor: Actor,
    year: int,
    fee_area_code: str | None = None,
    recovery_years: int | None = None,
    progress: Progress | None = None,
) -> list[YearEndClose]:
    """Year-end close, one transaction per fee area, idempotent per (fee area, year) (I-11).

    1. Allocate the fee base to services; each service's full cost to its agencies by their
       actual volume of the year (largest remainder; months connected when nothing is metered).
    2. Per account, the year's difference = fees − allocated cost. A deficit is recovered in
       `recovery_years` equal yearly instalments (the last takes the leftover öre); a surplus is
       credited in full next year; instalments or settlements left unbilled are carried into the
       next year's settlement (fee-model.md §4.1, ADR 0202).
    3. The report row, the 25 a § surplus flag and the deficit-horizon alert are stored (I-12),
       and the ledger identity Σ balances = accumulated result is checked before committing (I-02).
    """
    _require_manager(actor)
    if not (2000 <= int(year) <= 2100):
        raise ValidationFailed(_("The year is not valid."), errors={"year": [str(year)]})
    if InvoiceRun.objects.filter(period__year=year, status=RunStatus.DRAFT).exists():
        raise BusinessRuleViolation(_("Finalise or remove the year's draft runs before the close."))
    areas = FeeArea.objects.order_by("code")
    if fee_area_code:
        areas = areas.filter(code=fee_area_code)
        if not areas.exists():
            raise NotFound("fee area")
    closes = []
    for area in areas:
        closes.append(_close_area(actor, area, int(year), recovery_years))
        if progress:
            progress(f"{area.code} {year}: closed")
    return closes


def _close_area(actor: Actor, area: FeeArea, year: int, recovery_years: int | None) -> YearEndClose:
    with transaction.atomic():
        FeeArea.objects.select_for_update().filter(pk=area.pk).first()
        existing = YearEndClose.objects.filter(fee_area=area, year=year).first()
        if existing is not None:
            return existing
        run = allocate_year(year, area.segment)
        full_cost = full_cost_by_service(year, area.segment, run)
        allocations = _allocate_to_agencies(area, year, full_cost)
        accounts = _accounts_for({(org, svc) for org, svc in allocations if org is not None})
        for service_id in sorted({svc for org, svc in allocations if org is None}):
            accounts[(None, service_id)] = Account.objects.get_or_create(
                organisation=None, service_id=service_id, defaults={"fee_area": area}
            )[0]
        cost_by_account = {accounts[key].pk: amount for key, amount in allocations.items()}

        # The year's own difference per account (fees − allocated cost) decides next years' lines.
        year_fees = dict(
            LedgerEntry.objects.filter(account__fee_area=area, year=year, kind=LedgerKind.FEE)
            .values("account_id")
            .annotate(t=Sum("amount_ore"))
            .values_list("account_id", "t")
        )
        due = dict(
            RecoverySchedule.objects.filter(account__fee_area=area, year=year)
            .values("account_id")
            .annotate(t=Sum("amount_ore"))
            .values_list("account_id", "t")
        )
        billed = dict(
            InvoiceLine.objects.filter(
                schedule__account__fee_area=area,
                schedule__year=year,
                invoice__status=InvoiceStatus.FINALISED,
            )
            .values("schedule__account_id")
            .annotate(t=Sum("amount_ore"))
            .values_list("schedule__account_id", "t")
        )
        horizon = recovery_years or area.recovery_years
        planned: list[
            tuple[int, int, str, int, int, int]
        ] = []  # account, year, kind, part, parts, amount
        for account in Account.objects.filter(fee_area=area, organisation__isnull=False).order_by(
            "id"
        ):
            difference = (year_fees.get(account.pk) or 0) - cost_by_account.get(account.pk, 0)
            settlement = (due.get(account.pk) or 0) - (billed.get(account.pk) or 0)  # left unbilled
            if difference < 0:
                parts = list(
                    reversed(split_evenly(-difference, horizon))
                )  # the last takes the leftover öre
                planned.extend(
                    (account.pk, year + index, ScheduleKind.INSTALMENT, index, horizon, amount)
                    for index, amount in enumerate(parts, start=1)
                    if amount
                )
            else:
                settlement -= difference
            if settlement:
                planned.append((account.pk, year + 1, ScheduleKind.SETTLEMENT, 1, 1, settlement))

        figures = year_figures(area, year, full_cost)
        previous = (
            YearEndClose.objects.filter(fee_area=area, year__lt=year).order_by("-year").first()
        )
        balances_before = (
            LedgerEntry.objects.filter(account__fee_area=area, year__lte=year).aggregate(
                t=Sum("amount_ore")
            )["t"]
            or 0
        )
        balances = balances_before - sum(allocations.values())
        # The first close starts from the ledger as it stands; later ones must reconcile (I-02).
        accumulated_before = (
            previous.figures.get("accumulated_ore", 0)
            if previous
            else balances - figures["result_ore"]
        )
        accumulated = accumulated_before + figures["result_ore"]
        if balances != accumulated:
            raise BusinessRuleViolation(
                _(
                    "The ledger does not reconcile with the accumulated result (%(balances)s ≠ %(accumulated)s öre)."
                ),
                balances=balances,
                accumulated=accumulated,
            )
        figures.update(accumulated_before_ore=accumulated_before, accumulated_ore=accumulated)
        surplus = accumulated > 0 and accumulated * 10 > figures["revenue_ore"]
        recent = list(
            YearEndClose.objects.filter(fee_area=area, year__lt=year).order_by("-year")[:horizon]
        )
        alert = (
            accumulated < 0
            and len(recent) >= horizon
            and all(c.figures.get("accumulated_ore", 0) < 0 for c in recent)
        )
        content = {
            "year": year,
            "area": area.code,
            "allocation": run.input_hash,
            "figures": figures,
            "costs": sorted(cost_by_account.items()),
            "schedules": planned,
        }
        close = YearEndClose.objects.create(
            fee_area=area,
            year=year,
            input_hash=_digest(content),
            figures=figures,
            surplus_flag=surplus,
            deficit_alert=alert,
            closed_at=timezone.now(),
        )
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    account_id=account_id,
                    year=year,
                    period=datetime.date(year, 12, 1),
                    kind=LedgerKind.ALLOCATED_COST,
                    amount_ore=-amount,
                    close=close,
                    idempotency_key=f"close:{area.code}:{year}:cost:{account_id}",
                )
                for account_id, amount in sorted(cost_by_account.items())
            ]
        )
        RecoverySchedule.objects.bulk_create(
            [
                RecoverySchedule(
                    account_id=account_id,
                    close=close,
                    origin_year=year,
                    year=due_year,
                    kind=kind,
                    part=part,
                    parts=parts,
                    amount_ore=amount,
                )
                for account_id, due_year, kind, part, parts, amount in planned
            ]
        )
        audit_record(
            actor=actor,
            action="billing.year_closed",
            obj=close,
            after={"figures": figures, "surplus_flag": surplus, "deficit_alert": alert},
        )
    return close


def _allocate_to_agencies(
    area: FeeArea, year: int, full_cost: dict[int, int]
) -> dict[tuple[int | None, int], int]:
    """Each service's full cost over its agencies by actual volume of the year (largest remainder,
    ties by agency name); months connected when nothing is metered; else the unallocated account."""
    names = dict(Organisation.objects.values_list("id", "name"))
    allocations: dict[tuple[int | None, int], int] = {}
    for bs in BillableService.objects.filter(fee_area=area).order_by("service__code"):
        cost = full_cost.get(bs.service_id, 0)
        if cost == 0:
            continue
        weights: dict[Any, Decimal | int] = {
            (names[row["organisation_id"]], row["organisation_id"]): row["t"]
            for row in Usage.objects.filter(service_id=bs.service_id, period__year=year)
            .values("organisation_id")
            .annotate(t=Sum("quantity"))
            if row["t"] > 0
        }
        if not weights:
            weights = _connected_months(bs.service_id, year, names)
        if not weights:
            allocations[(None, bs.service_id)] = cost
            continue
        for (_name, org_id), amount in largest_remainder(cost, weights).items():
            allocations[(org_id, bs.service_id)] = amount
    return allocations


def _connected_months(
    service_id: int, year: int, names: dict[int, str]
) -> dict[Any, Decimal | int]:
    weights: dict[Any, Decimal | int] = defaultdict(int)
    for sub in Subscription.objects.filter(
        service_id=service_id,
        agreement_basis__in=BILLED_BASES,
        start_date__lte=datetime.date(year, 12, 31),
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=datetime.date(year, 1, 1))):
        for month in months_of(year):
            if sub.start_date <= period_end(month) and (
                sub.end_date is None or sub.end_date >= month
            ):
                weights[(names[sub.organisation_id], sub.organisation_id)] += 1
    return dict(weights)


# --------------------------------------------------------------------------------------------
# Fee proposal
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeProposal:
    service_code: str
    current_price: Decimal | None
    unit_cost: Decimal | None
    proposed_price: Decimal | None
    change_pct: Decimal | None
    forecast_cost_ore: int
    forecast_volume: Decimal
    unscheduled_balance_ore: int


def propose_fees(
    *,
    actor: Actor,
    year: int,
    years: int | None = None,
    forecast_volume: dict[str, Decimal] | None = None,
    forecast_cost_ore: dict[str, int] | None = None,
) -> list[FeeProposal]:
    """For `year`+1, per service: the price that covers forecast full cost and recovers, within
    `years`, the part of the accumulated balance no recovery schedule already covers.

    Forecast defaults: this year's full cost and volume (ADR 0202). Read-only.
    """
    if not can_manage(actor) and not actor.has_provider_role("account_manager"):
        raise PermissionDenied(_("Only the provider's finance function sees fee proposals."))
    from decimal import ROUND_HALF_UP

    proposals = []
    cost_by_segment: dict[str, dict[int, int]] = {}
    for bs in BillableService.objects.select_related("service", "fee_area").order_by(
        "service__code"
    ):
        segment = bs.fee_area.segment
        if segment not in cost_by_segment:
            run = AllocationRun.objects.filter(year=year).order_by("-id").first()
            cost_by_segment[segment] = full_cost_by_service(year, segment, run)
        code = bs.service.code
        cost = (forecast_cost_ore or {}).get(code, cost_by_segment[segment].get(bs.service_id, 0))
        volume = (forecast_volume or {}).get(code) or (
            Usage.objects.filter(service=bs.service, period__year=year).aggregate(
                t=Sum("quantity")
            )["t"]
            or Decimal(0)
        )
        balance = (
            LedgerEntry.objects.filter(account__service=bs.service, year__lte=year).aggregate(
                t=Sum("amount_ore")
            )["t"]
            or 0
        )
        scheduled = (
            RecoverySchedule.objects.filter(account__service=bs.service, year__gt=year).aggregate(
                t=Sum("amount_ore")
            )["t"]
            or 0
        )
        unscheduled = balance + scheduled
        horizon = years or bs.fee_area.recovery_years
        current = _Prices([bs.service_id], datetime.date(year, 12, 1)).version(
            bs.service_id, datetime.date(year, 12, 1)
        )
        current_price = Decimal(current.unit_price) if current else None
        if volume:
            # Volume is the sum of monthly measurements; a year price divides it by 12 (unit-years).
            units = (
                volume / 12 if current is not None and current.basis == PriceBasis.YEAR else volume
            )
            unit_cost = (Decimal(cost) / 100 / units).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            proposed = ((Decimal(cost) - Decimal(unscheduled) / horizon) / 100 / units).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        else:
            unit_cost = proposed = None  # type: ignore[assignment]
        change = None
        if proposed is not None and current_price:
            change = ((proposed - current_price) / current_price * 100).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            )
        proposals.append(
            FeeProposal(
                code, current_price, unit_cost, proposed, change, cost, Decimal(volume), unscheduled
            )
        )
    return proposals


# --------------------------------------------------------------------------------------------
# Exit settlement
# --------------------------------------------------------------------------------------------


def settle_exit(
    *, actor: Actor, organisation_id: int, period: str | datetime.date, reason: str
) -> list[Invoice]:
    """An agency leaves: one final invoice per seller brings each of its accounts to zero (I-13).

    A line per account with a balance: the agency pays what it still owes (balance < 0) or is
    credited what it paid in advance. Later instalments and settlements of those accounts are no
    longer billed. Finalised at once, in one transaction.
    """
    _require_manager(actor)
    month = _period_or_error(period)
    if not reason.strip():
        raise ValidationFailed(
            _("An exit settlement needs a reason."), errors={"reason": [str(_("required"))]}
        )
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound("organisation")
    with transaction.atomic():
        balances = list(
            LedgerEntry.objects.filter(account__organisation_id=organisation_id)
            .values(
                "account_id",
                "account__service_id",
                "account__service__provider_id",
                "account__service__name_sv",
                "account__service__name_en",
                "account__service__code",
            )
            .annotate(t=Sum("amount_ore"))
            .order_by("account__service__code")
        )
        open_rows = [row for row in balances if row["t"]]
        if not open_rows:
            raise BusinessRuleViolation(_("The agency has no balance to settle."))
        buyer = _Recipients().of(organisation_id) or organisation_id
        invoices: list[Invoice] = []
        issued = timezone.localdate()
        for seller_id in sorted({row["account__service__provider_id"] for row in open_rows}):
            invoice = Invoice.objects.create(
                kind=InvoiceKind.INVOICE,
                seller_id=seller_id,
                buyer_id=buyer,
                period=month,
                issue_date=issued,
                due_date=issued + datetime.timedelta(days=PAYMENT_DAYS),
                reason=reason.strip()[:300],
                buyer_reference=_Recipients().reference(buyer, month),
            )
            rows = [row for row in open_rows if row["account__service__provider_id"] == seller_id]
            InvoiceLine.objects.bulk_create(
                [
                    InvoiceLine(
                        invoice=invoice,
                        position=position,
                        organisation_id=organisation_id,
                        service_id=row["account__service_id"],
                        kind=LineKind.EXIT,
                        text_sv=f"{row['account__service__name_sv']}: slutavräkning",
                        text_en=f"{row['account__service__name_en']}: exit settlement",
                        quantity=Decimal(1 if -row["t"] > 0 else -1),
                        unit_code="C62",
                        unit_price=ore_to_decimal(abs(row["t"])),
                        base_quantity=Decimal(1),
                        amount_ore=-row["t"],
                    )
                    for position, row in enumerate(rows, start=1)
                ]
            )
            invoices.append(invoice)
        _seal(invoices, timezone.now())
        audit_record(
            actor=actor,
            action="billing.exit_settled",
            obj=organisation,
            organisation_id=organisation_id,
            after={"invoices": [i.number for i in invoices], "reason": reason.strip()},
        )
    return invoices
