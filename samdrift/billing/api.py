"""API of the billing app, mounted under /api/v1/billing.

Customers read only their own agencies' finalised invoices, usage and ledger; everything else is
provider finance. An invoice outside the caller's view is a 404, exactly like a missing one.
"""

# No `from __future__ import annotations`: ninja reads the real annotations.
import datetime
from typing import Annotated, Any, Literal

from annotated_types import Interval
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import BeforeValidator, StrictBool

from samdrift.core.api import ApiRequest, Page, errors
from samdrift.core.exceptions import ValidationFailed
from samdrift.core.paging import Mapped
from samdrift.core.text import NOT_BLANK_SINGLE_LINE_PATTERN, single_line

from . import documents, exports, selectors, services
from .money import ore_to_decimal, to_ore
from .periods import label, parse_period

router = Router(tags=["billing"])
# Accounting years samdrift keeps (dates need 1..9999; a year's neighbours are read too).
# A month, as the schema states it (the services check it again with their own message).
# The months `parse_period` accepts (2000-01 to 2100-12), so the schema says what is valid.
PERIOD = r"^(20\d{2}|2100)-(0[1-9]|1[0-2])$"
YEAR = Query(..., ge=2000, le=2999, description="Accounting year, e.g. 2021.")
YEAR_OR_ALL = Query(None, ge=2000, le=2999, description="Accounting year; all when left out.")
MAX_PAGE = 500
# The provider agency whose fee model (ADR 0664): one of the caller's; its first when left out.
PROVIDER_DESCRIPTION = (
    "Id of the provider agency whose fee model this is: one the caller works for (another is "
    "404 like a missing one); left out, the caller's first, the default provider first."
)
PROVIDER = Query(None, ge=1, le=10**12, description=PROVIDER_DESCRIPTION)
ProviderId = Annotated[int, Field(ge=1, le=10**12, description=PROVIDER_DESCRIPTION)]


class InvoiceOut(Schema):
    id: int
    kind: str
    status: str
    number: str | None
    period: str
    seller: str
    buyer: str
    buyer_id: int
    issue_date: datetime.date
    due_date: datetime.date
    total: str = Field(description="SEK, two decimals; net of VAT")
    vat: str
    credited_invoice_id: int | None


class LineOut(Schema):
    position: int
    organisation: str
    service: str | None
    kind: str
    text: str
    quantity: str
    unit_code: str
    unit_price: str
    base_quantity: str
    amount: str


class InvoiceDetailOut(InvoiceOut):
    lines: list[LineOut]
    ubl_sha256: str
    unreadable_text: list[str] = Field(
        default_factory=list,
        description="Stored text fields holding characters XML cannot carry (documents from "
        "before the boundary check): the UBL shows them replaced by U+FFFD (ADR 0070).",
    )


def _invoice(invoice: Any) -> dict[str, Any]:
    return {
        "id": invoice.pk,
        "kind": invoice.kind,
        "status": invoice.status,
        "number": invoice.number,
        "period": label(invoice.period),
        "seller": invoice.seller.name,
        "buyer": invoice.buyer.name,
        "buyer_id": invoice.buyer_id,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "total": str(ore_to_decimal(invoice.total_ore)),
        "vat": str(ore_to_decimal(invoice.vat_ore)),
        "credited_invoice_id": invoice.credited_invoice_id,
    }


def _period(text: str) -> datetime.date:
    try:
        return parse_period(text)
    except ValueError:
        raise ValidationFailed(
            _("A period is a month written YYYY-MM, e.g. 2024-01."), errors={"period": [text]}
        ) from None


class InvoiceFilters(Schema):
    period: str = Field("", pattern=r"^((20\d{2}|2100)-(0[1-9]|1[0-2]))?$", description="YYYY-MM")
    year: int | None = Field(None, ge=2000, le=2999, description="Accounting year.")
    status: Literal["", "draft", "finalised"] = ""  # InvoiceStatus; empty is every status


@router.get(
    "/invoices",
    response={200: list[InvoiceOut], **errors(422)},
    summary="List invoices and credit notes",
)
@paginate(Page)
def list_invoices(request: ApiRequest, filters: Query[InvoiceFilters]) -> Any:
    invoices = selectors.invoice_list(
        actor=request.auth,
        period=_period(filters.period) if filters.period else None,
        year=filters.year,
        status=filters.status,
    )
    return [_invoice(i) for i in invoices]


@router.get(
    "/invoices/{invoice_id}",
    response={200: InvoiceDetailOut, **errors(404, 422)},
    summary="One invoice with its lines",
)
def get_invoice(request: ApiRequest, invoice_id: int) -> dict[str, Any]:
    invoice = selectors.invoice_get(actor=request.auth, invoice_id=invoice_id)
    lines = [
        {
            "position": line.position,
            "organisation": line.organisation.name,
            "service": line.service.code if line.service else None,
            "kind": line.kind,
            "text": line.text,
            "quantity": str(line.quantity.normalize()),
            "unit_code": line.unit_code,
            "unit_price": str(line.unit_price.normalize()),
            "base_quantity": str(line.base_quantity.normalize()),
            "amount": str(ore_to_decimal(line.amount_ore)),
        }
        for line in selectors.invoice_lines(actor=request.auth, invoice=invoice)
    ]
    digest = documents.invoice_ubl_sha256(invoice) if invoice.is_final else ""
    return {
        **_invoice(invoice),
        "lines": lines,
        "ubl_sha256": digest,
        "unreadable_text": documents.unreadable_text(invoice),
    }


@router.get(
    "/invoices/{invoice_id}/ubl",
    summary="The Peppol BIS Billing 3.0 UBL of a finalised invoice or credit note",
    response={200: None, **errors(404, 409, 422)},
    openapi_extra={"responses": {200: {"content": {"application/xml": {}}}}},
)
def get_ubl(request: ApiRequest, invoice_id: int) -> HttpResponse:
    invoice = selectors.invoice_get(actor=request.auth, invoice_id=invoice_id)
    if not invoice.is_final:
        raise ValidationFailed("A draft has no UBL yet.", errors={"status": [invoice.status]})
    response = HttpResponse(documents.invoice_ubl(invoice), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.xml"'
    return response


class CreditIn(Schema):
    reason: str = single_line(min_length=1, description="Why; required; one line.")
    line_positions: list[Annotated[int, Field(ge=1, le=100_000)]] | None = Field(
        None, description="Lines to credit (1 = the first); all when left out."
    )


@router.post(
    "/invoices/{invoice_id}/credit",
    response={201: InvoiceOut, **errors(403, 404, 409, 422)},
    summary="Credit a finalised invoice",
)
def credit(request: ApiRequest, invoice_id: int, payload: CreditIn) -> Status:
    invoice = selectors.invoice_get(actor=request.auth, invoice_id=invoice_id)
    line_ids = None
    if payload.line_positions is not None:
        line_ids = list(
            invoice.lines.filter(position__in=payload.line_positions).values_list("id", flat=True)
        )
    note = services.credit_invoice(
        actor=request.auth, invoice_id=invoice.pk, reason=payload.reason, line_ids=line_ids
    )
    return Status(201, _invoice(note))


class CorrectIn(Schema):
    texts: dict[str, str] | None = Field(
        None,
        description="Replacement texts by field (buyer_name, seller_name, buyer_city, "
        "seller_city, buyer_reference, 'line N', 'subject N'); each one line without control "
        "characters. Fields left out take the suggested cleaned text.",
    )


class CorrectionOut(Schema):
    credit_note: InvoiceOut
    replacement: InvoiceOut


@router.post(
    "/invoices/{invoice_id}/correct",
    response={201: CorrectionOut, **errors(403, 404, 409, 422)},
    summary="Correct a finalised invoice whose stored text is unreadable",
    description="Credits the invoice in full and issues a replacement with the same lines and "
    "readable text, in one transaction (ADR 0217). The original never changes. 409 when the "
    "invoice is a draft, its text is readable, or it is already credited; 422 for a bad text.",
)
def correct(request: ApiRequest, invoice_id: int, payload: CorrectIn) -> Status:
    invoice = selectors.invoice_get(actor=request.auth, invoice_id=invoice_id)
    note, replacement = services.correct_unreadable_invoice(
        actor=request.auth, invoice_id=invoice.pk, texts=payload.texts
    )
    return Status(201, {"credit_note": _invoice(note), "replacement": _invoice(replacement)})


class UsageOut(Schema):
    organisation: str
    organisation_id: int
    service: str
    period: str
    billed_period: str
    quantity: str
    source: str
    key: str


class UsageRow(Schema):
    organisation: str = Field(description="Agency name, exactly as registered")
    service: str = Field(description="Service code")
    period: str = Field(pattern=PERIOD, description="YYYY-MM")
    quantity: str = Field(description="A number ≥ 0; decimal comma or point")
    source: str = "api"
    key: str = Field("", description="Natural key for deduplication; default agency:service:period")


class UsageIn(Schema):
    rows: list[UsageRow]
    late: str = Field(
        "reject", description="reject, or adjust: bill late data in the next open month"
    )


class ImportOut(Schema):
    created: int
    unchanged: int
    adjustments: int


@router.get(
    "/usage",
    response={200: list[UsageOut], **errors(422)},
    summary="Usage measurements the caller may see",
)
@paginate(Page)
def list_usage(request: ApiRequest, year: int | None = YEAR_OR_ALL) -> Any:
    return [
        {
            "organisation": u.organisation.name,
            "organisation_id": u.organisation_id,
            "service": u.service.code,
            "period": label(u.period),
            "billed_period": label(u.billed_period),
            "quantity": str(u.quantity.normalize()),
            "source": u.source,
            "key": u.source_key,
        }
        for u in selectors.usage_list(actor=request.auth, year=year)
    ]


@router.post(
    "/usage",
    response={201: ImportOut, **errors(403, 404, 409, 422)},
    summary="Record usage (all rows or none)",
)
def post_usage(request: ApiRequest, payload: UsageIn) -> Status:
    if payload.late not in ("reject", "adjust"):
        raise ValidationFailed("late must be reject or adjust.", errors={"late": [payload.late]})
    result = services.record_usage(
        actor=request.auth, rows=[r.dict() for r in payload.rows], late=payload.late
    )
    return Status(
        201,
        {
            "created": result.created,
            "unchanged": result.unchanged,
            "adjustments": result.adjustments,
        },
    )


class CostRow(Schema):
    period: str  # checked per row by the import, whose message names the row
    cost_pool: str
    amount: str = Field(description="SEK")
    voucher: str
    gl_account: str = ""
    service: str = ""
    funding_source: str = "avgift"
    segment: str = "core"
    vat_compensated: bool = False
    description: str = ""


@router.post(
    "/costs",
    response={201: ImportOut, **errors(403, 404, 409, 422)},
    summary="Import cost entries (all rows or none)",
)
def post_costs(
    request: ApiRequest, payload: list[CostRow], provider: int | None = PROVIDER
) -> Status:
    result = services.import_costs(
        actor=request.auth,
        rows=[
            {**row.dict(), "vat_compensated": "1" if row.vat_compensated else ""} for row in payload
        ],
        provider_id=provider,
    )
    return Status(201, {"created": result.created, "unchanged": result.unchanged, "adjustments": 0})


@router.get(
    "/costs",
    response={200: list[dict[str, Any]], **errors(404, 422)},
    summary="A provider's cost per pool and tag for a year",
)
def get_costs(
    request: ApiRequest, year: int = YEAR, provider: int | None = PROVIDER
) -> list[dict[str, Any]]:
    return [
        {**row, "total": str(ore_to_decimal(row.pop("total")))}
        for row in selectors.cost_pools(actor=request.auth, year=year, provider_id=provider)
    ]


class PriceOut(Schema):
    id: int
    service: str
    version: int
    model: str
    basis: str
    unit_price: str
    valid_from: datetime.date
    decision_ref: str
    decision_date: datetime.date


class PriceIn(Schema):
    service: str
    unit_price: str
    valid_from: datetime.date
    decision_ref: str
    decision_date: datetime.date
    model: str = "per_unit"
    basis: str = "month"
    tiers: list[list[Any]] | None = None
    package_size: str | None = None


def _price(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "service": p.service.code,
        "version": p.version,
        "model": p.model,
        "basis": p.basis,
        "unit_price": str(p.unit_price.normalize()),
        "valid_from": p.valid_from,
        "decision_ref": p.decision_ref,
        "decision_date": p.decision_date,
    }


@router.get(
    "/prices",
    response={200: list[PriceOut], **errors(422)},
    summary="Decided prices, every version",
)
@paginate(Page)
def list_prices(request: ApiRequest) -> Any:
    return Mapped(selectors.price_list(actor=request.auth), _price)


@router.post(
    "/prices",
    response={201: PriceOut, **errors(403, 404, 409, 422)},
    summary="Decide a new price version",
)
def post_price(request: ApiRequest, payload: PriceIn) -> Status:
    version = services.create_price_version(
        actor=request.auth,
        service_code=payload.service,
        unit_price=payload.unit_price,
        valid_from=payload.valid_from,
        decision_ref=payload.decision_ref,
        decision_date=payload.decision_date,
        model=payload.model,
        basis=payload.basis,
        tiers=payload.tiers,
        package_size=payload.package_size,
    )
    return Status(201, _price(version))


class RunIn(Schema):
    period: str = Field(pattern=PERIOD, description="YYYY-MM")
    finalise: StrictBool = False  # JSON true/false only; 0 and "no" are not answers
    provider: ProviderId | None = None


class FinaliseIn(Schema):
    provider: ProviderId | None = None


class RunOut(Schema):
    period: str
    provider_id: int = Field(description="The provider agency whose run (the seller)")
    status: str
    input_hash: str
    invoices: int
    unchanged: bool = False
    warnings: list[str] = []


@router.get(
    "/runs",
    response={200: list[RunOut], **errors(404, 422)},
    summary="A provider's invoice runs",
    description="Each provider agency's own monthly runs (ADR 0668), newest first.",
)
@paginate(Page)
def list_runs(request: ApiRequest, provider: int | None = PROVIDER) -> Any:
    runs = selectors.run_list_counted(actor=request.auth, provider_id=provider)
    return Mapped(
        runs,
        lambda r: {
            "period": label(r.period),
            "provider_id": r.provider_id,
            "status": r.status,
            "input_hash": r.input_hash,
            "invoices": r.invoice_count,
        },
    )


@router.post(
    "/runs",
    response={200: RunOut, **errors(403, 404, 409, 422)},
    summary="Run a provider's month (idempotent); optionally finalise",
    description="Drafts the provider's own invoices of the month, numbered from its own series "
    "when finalised; another provider's month is neither blocked nor changed (ADR 0668).",
)
def post_run(request: ApiRequest, payload: RunIn) -> dict[str, Any]:
    outcome = services.run_period(
        actor=request.auth,
        period=_period(payload.period),
        finalise=payload.finalise,
        provider_id=payload.provider,
    )
    return {
        "period": label(outcome.run.period),
        "provider_id": outcome.run.provider_id,
        "status": outcome.run.status,
        "input_hash": outcome.run.input_hash,
        "invoices": outcome.invoices,
        "unchanged": outcome.unchanged,
        "warnings": outcome.warnings,
    }


@router.post(
    "/runs/{period}/finalise",
    response={200: RunOut, **errors(403, 404, 409, 422)},
    summary="Finalise a provider's month's drafts",
    description="The run of the provider in the body (the caller's first when left out); "
    "another provider's run is 404 like a month nobody has run (ADR 0668).",
)
def finalise(
    request: ApiRequest,
    payload: FinaliseIn | None = None,
    period: str = Path(..., pattern=PERIOD, description="YYYY-MM"),
) -> dict[str, Any]:
    run = services.finalise_run(
        actor=request.auth,
        period=_period(period),
        provider_id=payload.provider if payload is not None else None,
    )
    return {
        "period": label(run.period),
        "provider_id": run.provider_id,
        "status": run.status,
        "input_hash": run.input_hash,
        "invoices": selectors.run_invoices(run=run).count(),
    }


class AccountOut(Schema):
    account_id: int
    organisation: str | None
    service: str
    fee_area: str
    balance: str = Field(description="SEK at the end of the year; negative: the agency owes")
    year_fees: str
    year_allocated_cost: str
    scheduled_after: str = Field(
        description="Instalments (+) and credits (−) scheduled after the year"
    )


@router.get(
    "/ledger",
    response={200: list[AccountOut], **errors(404, 422)},
    summary="Carry-forward accounts with balances",
    description="Every account the caller reads; with `provider`, that provider's fee model only.",
)
def get_ledger(
    request: ApiRequest,
    year: int = YEAR,
    provider: int | None = Query(None, ge=1, le=10**12, description=PROVIDER_DESCRIPTION),
) -> list[dict[str, Any]]:
    return [
        {
            "account_id": row.account.pk,
            "organisation": row.account.organisation.name if row.account.organisation else None,
            "service": row.account.service.code,
            "fee_area": row.account.fee_area.code,
            "balance": str(ore_to_decimal(row.balance_ore)),
            "year_fees": str(ore_to_decimal(row.year_fee_ore)),
            "year_allocated_cost": str(ore_to_decimal(row.year_cost_ore)),
            "scheduled_after": str(ore_to_decimal(row.scheduled_ore)),
        }
        for row in selectors.ledger(actor=request.auth, year=year, provider_id=provider)
    ]


def _a_json_number(value: Any) -> Any:
    if isinstance(value, bool | str):
        raise ValueError("a JSON number")  # pydantic turns a ValueError into a 422
    return value


JsonInt = Annotated[int, BeforeValidator(_a_json_number)]


class CloseIn(Schema):
    # JSON numbers only: `false` or `"3"` is not a number of years (pydantic would coerce it),
    # 2075.0 is; the bounds are the service's and the fee area's (at least one year).
    year: JsonInt = Field(ge=2000, le=2100, description="Accounting year.")
    fee_area: str | None = None
    # The bounds sit on the number, not the union, so the document shows them (OpenAPI anyOf).
    recovery_years: (
        Annotated[int, Interval(ge=1, le=50), BeforeValidator(_a_json_number)] | None
    ) = Field(
        None,
        description="Years to recover a deficit over; the fee area's when left out.",
    )
    provider: ProviderId | None = None


@router.post(
    "/closes",
    response={200: list[dict[str, Any]], **errors(403, 404, 409, 422)},
    summary="Year-end close of a provider's fee areas (idempotent per fee area and year)",
)
def post_close(request: ApiRequest, payload: CloseIn) -> list[dict[str, Any]]:
    closes = services.close_year(
        actor=request.auth,
        year=payload.year,
        fee_area_code=payload.fee_area,
        recovery_years=payload.recovery_years,
        provider_id=payload.provider,
    )
    return [
        {
            "fee_area": c.fee_area.code,
            "fee_area_id": c.fee_area_id,
            "year": c.year,
            "figures": c.figures,
            "surplus_flag": c.surplus_flag,
            "deficit_alert": c.deficit_alert,
            "input_hash": c.input_hash,
        }
        for c in closes
    ]


@router.get(
    "/report",
    response={200: dict[str, Any], **errors(404, 422)},
    summary="A provider's outcome per fee area and year (Intäkter, Kostnader, +/-, Ack.)",
)
def get_report(
    request: ApiRequest, year: int | None = YEAR_OR_ALL, provider: int | None = PROVIDER
) -> dict[str, Any]:
    return {
        "rows": exports.report_records(
            selectors.outcome_report(actor=request.auth, year=year, provider_id=provider)
        ),
        "note": exports.ROUNDING_NOTE_EN,
    }


@router.get(
    "/fee-proposal",
    response={200: list[dict[str, Any]], **errors(404, 422)},
    summary="Next year's cost-covering price per service",
)
def get_fee_proposal(
    request: ApiRequest,
    year: int = YEAR,
    years: int | None = Query(None, ge=1, le=50, description="Years of history to forecast from."),
    provider: int | None = PROVIDER,
) -> list[dict[str, Any]]:
    return [
        {
            "service": p.service_code,
            "current_price": str(p.current_price) if p.current_price is not None else None,
            "unit_cost": str(p.unit_cost) if p.unit_cost is not None else None,
            "proposed_price": str(p.proposed_price) if p.proposed_price is not None else None,
            "change_pct": str(p.change_pct) if p.change_pct is not None else None,
            "forecast_cost": str(ore_to_decimal(p.forecast_cost_ore)),
            "forecast_volume": str(p.forecast_volume),
            "unscheduled_balance": str(ore_to_decimal(p.unscheduled_balance_ore)),
        }
        for p in services.propose_fees(
            actor=request.auth, year=year, years=years, provider_id=provider
        )
    ]


class RuleIn(Schema):
    year: int = Field(ge=2000, le=2999, description="Accounting year.")
    cost_pool: str
    method: Literal["direct", "proportional", "driver", "fixed_pct", "even"]  # AllocationMethod
    # Not blank (the service's `decision_ref.strip()` rule): at least one non-space character.
    decision_ref: str = Field(pattern=NOT_BLANK_SINGLE_LINE_PATTERN)  # one line, not blank
    target_service: str = ""
    weights: dict[str, str] | None = Field(None, description="fixed_pct: {service code: percent}")
    provider: ProviderId | None = None


@router.post(
    "/allocation-rules",
    response={201: dict, **errors(403, 404, 409, 422)},
    summary="Decide a new version of a pool's allocation rule",
)
def post_rule(request: ApiRequest, payload: RuleIn) -> Status:
    rule = services.create_allocation_rule(
        actor=request.auth,
        year=payload.year,
        cost_pool=payload.cost_pool,
        method=payload.method,
        decision_ref=payload.decision_ref,
        target_service=payload.target_service,
        weights=payload.weights,
        provider_id=payload.provider,
    )
    return Status(
        201,
        {
            "year": rule.year,
            "cost_pool": rule.cost_pool,
            "version": rule.version,
            "method": rule.method,
        },
    )


class AllocationIn(Schema):
    year: JsonInt = Field(ge=2000, le=2100, description="Accounting year.")
    segment: Literal["core", "efos", "sitssam", "program_2032"] = "core"  # Segment
    provider: ProviderId | None = None


class AllocationPartOut(Schema):
    cost_pool: str
    service: str
    amount: str = Field(description="SEK")


class AllocationRunOut(Schema):
    id: int
    year: int
    input_hash: str
    total: str = Field(description="SEK allocated in all")
    parts: list[AllocationPartOut]


def _allocation_row(row: Any) -> dict[str, Any]:
    return {
        "id": row.run.pk,
        "year": row.run.year,
        "input_hash": row.run.input_hash,
        "total": str(ore_to_decimal(row.total_ore)),
        "parts": [
            {
                "cost_pool": pool.cost_pool,
                "service": part.service.code,
                "amount": str(ore_to_decimal(part.amount_ore)),
            }
            for pool in row.pools
            for part in pool.parts
        ],
    }


@router.get(
    "/allocation-runs",
    response={200: list[AllocationRunOut], **errors(404, 422)},
    summary="A provider's allocation runs of a year, newest first",
)
@paginate(Page)
def list_allocation_runs(
    request: ApiRequest, year: int = YEAR, provider: int | None = PROVIDER
) -> Any:
    return [
        _allocation_row(row)
        for row in selectors.allocation_runs(actor=request.auth, year=year, provider_id=provider)
    ]


@router.post(
    "/allocation-runs",
    response={200: AllocationRunOut, **errors(403, 404, 409, 422)},
    summary="Allocate a provider's year's cost pools over its services (idempotent)",
)
def post_allocation_run(request: ApiRequest, payload: AllocationIn) -> dict[str, Any]:
    run = services.run_allocation(
        actor=request.auth, year=payload.year, segment=payload.segment, provider_id=payload.provider
    )
    (row,) = [
        row
        for row in selectors.allocation_runs(
            actor=request.auth, year=run.year, provider_id=run.provider_id
        )
        if row.run.pk == run.pk
    ]
    return _allocation_row(row)


class FeeAreaOut(Schema):
    id: int
    provider_id: int
    code: str
    name_sv: str
    name_en: str
    segment: str
    economic_goal: str
    recovery_years: int
    services: list[str] = Field(description="Codes of the services billed in it")


class FeeAreaIn(Schema):
    code: str = Field(pattern=r"^[-a-zA-Z0-9_]{1,50}$", description="Unique within the provider")
    name_sv: str = single_line(min_length=1, max_length=120)
    name_en: str = single_line(min_length=1, max_length=120)
    segment: Literal["core", "efos", "sitssam", "program_2032"] = "core"  # Segment
    economic_goal: Literal["full", "partial"] = "full"  # EconomicGoal
    recovery_years: Annotated[int, Interval(ge=1, le=50), BeforeValidator(_a_json_number)] = 3
    provider: ProviderId | None = None


class BillServiceIn(Schema):
    service: str = Field(
        min_length=1, max_length=32, description="Code of one of the provider's own services"
    )
    unit_code: str = Field("C62", pattern=r"^[A-Za-z0-9]{1,3}$", description="UN/ECE Rec 20")
    unit_sv: str = single_line("st", min_length=1, max_length=40)
    unit_en: str = single_line("pcs", min_length=1, max_length=40)


def _fee_area(area: Any, codes: list[str]) -> dict[str, Any]:
    return {
        "id": area.pk,
        "provider_id": area.provider_id,
        "code": area.code,
        "name_sv": area.name_sv,
        "name_en": area.name_en,
        "segment": area.segment,
        "economic_goal": area.economic_goal,
        "recovery_years": area.recovery_years,
        "services": codes,
    }


def _fee_area_detail(request: ApiRequest, fee_area_id: int) -> dict[str, Any]:
    area = selectors.fee_area_get(actor=request.auth, fee_area_id=fee_area_id)
    codes = [
        row.service.code for row in selectors.fee_area_services(actor=request.auth, fee_area=area)
    ]
    return _fee_area(area, codes)


@router.get(
    "/fee-areas",
    response={200: list[FeeAreaOut], **errors(404, 422)},
    summary="A provider's fee areas",
)
@paginate(Page)
def list_fee_areas(request: ApiRequest, provider: int | None = PROVIDER) -> Any:
    areas = list(selectors.fee_area_list(actor=request.auth, provider_id=provider))
    billed = selectors.billed_codes(fee_area_ids=[area.pk for area in areas])
    return [_fee_area(area, billed.get(area.pk, [])) for area in areas]


@router.post(
    "/fee-areas",
    response={201: FeeAreaOut, **errors(403, 404, 409, 422)},
    summary="Create a fee area of a provider",
)
def post_fee_area(request: ApiRequest, payload: FeeAreaIn) -> Status:
    area = services.create_fee_area(
        actor=request.auth,
        code=payload.code,
        name_sv=payload.name_sv,
        name_en=payload.name_en,
        segment=payload.segment,
        economic_goal=payload.economic_goal,
        recovery_years=payload.recovery_years,
        provider_id=payload.provider,
    )
    return Status(201, _fee_area(area, []))


@router.get(
    "/fee-areas/{fee_area_id}",
    response={200: FeeAreaOut, **errors(404, 422)},
    summary="One fee area with the services billed in it",
)
def get_fee_area(request: ApiRequest, fee_area_id: int) -> dict[str, Any]:
    return _fee_area_detail(request, fee_area_id)


@router.post(
    "/fee-areas/{fee_area_id}/services",
    response={201: FeeAreaOut, **errors(403, 404, 409, 422)},
    summary="Bill one of the provider's own services in its fee area",
    description="422 in both languages, with nothing stored, for another provider's service or "
    "an unknown one (the same answer), or a service already billed in a fee area.",
)
def post_fee_area_service(request: ApiRequest, fee_area_id: int, payload: BillServiceIn) -> Status:
    services.bill_service(
        actor=request.auth,
        fee_area_id=fee_area_id,
        service_code=payload.service,
        unit_code=payload.unit_code,
        unit_sv=payload.unit_sv,
        unit_en=payload.unit_en,
    )
    return Status(201, _fee_area_detail(request, fee_area_id))


class ProjectTimeIn(Schema):
    case_id: int
    period: str = Field(pattern=PERIOD, description="YYYY-MM")
    hours: str
    hourly_rate: str = Field(description="The cost price per hour (självkostnad), SEK")
    external_cost: str = "0"
    description: str
    key: str = Field(description="Natural key; sending it again changes nothing")


@router.post(
    "/project-time",
    response={201: dict, **errors(403, 404, 409, 422)},
    summary="Book time and material on a connection case",
)
def post_project_time(request: ApiRequest, payload: ProjectTimeIn) -> Status:
    entry = services.record_project_time(
        actor=request.auth,
        case_id=payload.case_id,
        period=_period(payload.period),
        hours=payload.hours,
        hourly_rate=payload.hourly_rate,
        external_cost=payload.external_cost,
        description=payload.description,
        key=payload.key,
    )
    return Status(
        201,
        {
            "key": entry.source_key,
            "billed_period": label(entry.billed_period),
            "amount": str(
                ore_to_decimal(to_ore(entry.hours * entry.hourly_rate) + entry.external_cost_ore)
            ),
        },
    )


class ExitIn(Schema):
    organisation_id: int
    period: str = Field(pattern=PERIOD, description="YYYY-MM")
    reason: str = single_line(min_length=1, description="Why; required; one line.")
    provider: ProviderId | None = None


@router.post(
    "/exit-settlements",
    response={201: list[InvoiceOut], **errors(403, 404, 409, 422)},
    summary="Settle a leaving agency's accounts with a provider to zero",
    description="The provider's final invoice for the agency's accounts of its services (the "
    "provider in the body, else the caller's first); an agency that used several providers' "
    "services is settled by each of them. An agency with no account with the provider is 404 "
    "like a missing one (ADR 0668).",
)
def post_exit(request: ApiRequest, payload: ExitIn) -> Status:
    invoices = services.settle_exit(
        actor=request.auth,
        organisation_id=payload.organisation_id,
        period=_period(payload.period),
        reason=payload.reason,
        provider_id=payload.provider,
    )
    return Status(201, [_invoice(i) for i in invoices])
