"""Shared rules of the billing writes: who may write, periods, content hashes."""

from __future__ import annotations

import datetime
import hashlib
import json
import sqlite3
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _

from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    PermissionDenied,
    ValidationFailed,
)

from .. import ubl
from ..choices import (
    InvoiceKind,
    RunStatus,
    VatRegime,
)
from ..models import (
    InvoiceRun,
    YearEndClose,
)
from ..periods import parse_period
from ..permissions import MANAGERS, fee_model_provider, managed_providers

BILLED_BASES = ("assignment", "separate")  # own_use is the provider's own consumption (ADR 0205)
NUMBER_PREFIX: dict[str, str] = {InvoiceKind.INVOICE: "F", InvoiceKind.CREDIT_NOTE: "K"}
PAYMENT_DAYS = 30
Progress = Callable[[str], None]


def require_manager(actor: Actor) -> list[int]:
    """The provider agencies whose billing the actor changes (the default provider first):
    refused for someone who runs no provider's. Which provider an object is (an invoice's
    seller, a case's provider) is then checked against these (ADR 0668)."""
    providers = managed_providers(actor)
    if not providers:
        raise PermissionDenied(_("Only the provider's finance function may change billing data."))
    return providers


def require_fee_model_manager(actor: Actor, provider_id: int | None = None) -> int:
    """The provider whose fee model the actor changes: the one asked for, else its first; only
    its own finance function may (ADR 0664). Another provider is missing, like one that is not."""
    try:
        return fee_model_provider(actor, provider_id, MANAGERS)
    except PermissionDenied:
        raise PermissionDenied(
            _("Only the provider's finance function may change billing data.")
        ) from None


def content_digest(payload: Any) -> str:
    body = json.dumps(
        payload, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":")
    )
    return hashlib.sha256(body.encode()).hexdigest()


def period_or_error(text: str | datetime.date, field_name: str = "period") -> datetime.date:
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


def is_finalised_period(period: datetime.date, provider_id: int) -> bool:
    """Whether the provider's run of the month is finalised (each provider's is its own)."""
    return InvoiceRun.objects.filter(
        provider_id=provider_id, period=period, status=RunStatus.FINALISED
    ).exists()


def finalised_periods(provider_ids: list[int] | set[int]) -> dict[int, set[datetime.date]]:
    """The finalised months of each of these providers' runs."""
    found: dict[int, set[datetime.date]] = {provider: set() for provider in provider_ids}
    for provider, period in InvoiceRun.objects.filter(
        provider_id__in=list(provider_ids), status=RunStatus.FINALISED
    ).values_list("provider_id", "period"):
        found[provider].add(period)
    return found


def is_closed_year(year: int, provider_id: int | None = None) -> bool:
    """Whether a fee area closed the year: one of the provider's, or any when none is named."""
    closes = YearEndClose.objects.filter(year=year)
    if provider_id is not None:
        closes = closes.filter(fee_area__provider_id=provider_id)
    return closes.exists()


def insert_rows(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Bulk INSERT of plain rows: COPY on PostgreSQL, multi-row VALUES on SQLite.

    The ORM's per-object cost was most of a run's time (bench/bench_billing.py), and these rows
    need no signals, defaults or returned ids. Not executemany: on SQLite a row trigger (the
    immutability guard of 0002) is several times cheaper inside one statement than once per
    executed statement, and on PostgreSQL COPY saves a round trip and a query parse per row.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        # SQLite: straight to the driver with its own placeholders; Django's %s → ? rewrite of a
        # statement with thousands of parameters was a tenth of a run (bench), and even its
        # regex pass over a statement that has no %s cost 2 % of a year (ADR 0221).
        raw, one = cursor.cursor, "(" + ", ".join(["?"] * len(columns)) + ")"
        execute = sqlite3.Cursor.execute
        batch = max(1, min(500, 30000 // len(columns)))
        with connection.wrap_database_errors:
            for start in range(0, len(rows), batch):
                chunk = rows[start : start + batch]
                execute(
                    raw,
                    f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))}",  # noqa: S608 - names from _meta
                    [value for row in chunk for value in row],
                )


def invoice_totals(net_ore: int, vat_regime: str) -> dict[str, int]:
    """The stored totals of an invoice whose lines sum to `net_ore` (VAT by regime, ADR 0201)."""
    return {
        "total_ore": net_ore,
        "vat_ore": ubl.vat_of(net_ore, vat_regime != VatRegime.STATE_AGENCY),
    }
