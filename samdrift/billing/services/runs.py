"""Monthly invoice runs: build a period's drafts and write them, all or nothing (§5.4 steps 1–3).

Each provider agency runs its own months (ADR 0668): a run drafts the invoices whose seller is
its provider, numbered at finalising from that seller's own series, and one provider's run of a
month neither waits for nor blocks another's.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor
from samdrift.core.exceptions import BusinessRuleViolation

from ..choices import InvoiceKind, InvoiceStatus, RunStatus
from ..models import Invoice, InvoiceLine, InvoiceRun
from ..periods import label, next_period
from .common import (
    PAYMENT_DAYS,
    Progress,
    insert_rows,
    invoice_totals,
    is_closed_year,
    period_or_error,
    require_fee_model_manager,
)
from .drafting import PARTY_FIELDS, DraftInvoice, build_period
from .sealing import finalise_run

INVOICE_COLUMNS = (
    "run",
    "kind",
    "status",
    "seller",
    "buyer",
    "period",
    "issue_date",
    "due_date",
    "total_ore",
    "vat_ore",
    "vat_regime",
    "buyer_reference",
    "reason",
    *PARTY_FIELDS,
)
LINE_COLUMNS = (
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
    "subject_name",
)


@dataclass
class RunOutcome:
    run: InvoiceRun
    created: bool
    unchanged: bool
    invoices: int
    lines: int
    warnings: list[str]


@dataclass
class DraftRows:
    """Exactly what a run writes, as plain rows: hashed to decide whether anything changed (I-06)
    and then inserted as they are. Lines point at their invoice by its index in `invoices`."""

    invoices: list[tuple[Any, ...]]
    lines: list[tuple[Any, ...]]

    @classmethod
    def of(cls, drafts: list[DraftInvoice], issued: datetime.date) -> DraftRows:
        due = (issued + datetime.timedelta(days=PAYMENT_DAYS)).isoformat()
        invoices: list[tuple[Any, ...]] = []
        lines: list[tuple[Any, ...]] = []
        for index, draft in enumerate(drafts):
            totals = invoice_totals(draft.total_ore, draft.vat_regime)
            invoices.append(
                (
                    InvoiceKind.INVOICE.value,
                    InvoiceStatus.DRAFT.value,
                    draft.seller_id,
                    draft.buyer_id,
                    issued.isoformat(),
                    due,
                    totals["total_ore"],
                    totals["vat_ore"],
                    draft.vat_regime,
                    draft.buyer_reference,
                    "",
                    *draft.party_fields().values(),
                )
            )
            lines.extend(
                (
                    index,
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
                    draft.subject_of(line),
                )
                for position, line in enumerate(draft.lines, start=1)
            )
        return cls(invoices, lines)

    def digest(self, period: datetime.date) -> str:
        # repr() of tuples of str/int/Decimal/None is stable across processes and much cheaper
        # than JSON for the tens of thousands of lines of a national run.
        return hashlib.sha256(repr((label(period), self.invoices, self.lines)).encode()).hexdigest()


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """A month's drafts are some 100,000 small tuples that all live until the run is written;
    the cyclic collector rescans them again and again while they are made (7 % of a year's
    runs, measured with gc.callbacks; ADR 0221). They hold no cycles, so it pauses meanwhile;
    reference counting still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check_run(
    *, actor: Actor, period: str | datetime.date, provider_id: int | None = None
) -> tuple[datetime.date, int]:
    """What `run_period` refuses before any work, so a page can answer at once before it queues
    the run as a job (`billing.tasks.run_invoices`): the month, and whose run it is (the
    provider asked for, else the actor's first; another provider's is missing, ADR 0668)."""
    provider = require_fee_model_manager(actor, provider_id)
    return period_or_error(period), provider


def run_period(
    *,
    actor: Actor,
    period: str | datetime.date,
    issue_date: datetime.date | None = None,
    finalise: bool = False,
    progress: Progress | None = None,
    provider_id: int | None = None,
) -> RunOutcome:
    """Build (or rebuild) a provider's month's drafts (the provider asked for, else the actor's
    first, the default provider first; ADR 0668); optionally finalise them in a second
    transaction.

    Running a finalised month again changes nothing and returns the run. Running a draft month
    with the same inputs changes nothing either; with changed inputs only the drafts are replaced
    (I-06). Because drafts are written in one transaction, a crash leaves the old drafts or the new.
    A year the provider has closed refuses its months; another provider's close does not.
    """
    provider = require_fee_model_manager(actor, provider_id)
    month = period_or_error(period)
    existing = InvoiceRun.objects.filter(provider_id=provider, period=month).first()
    if existing is not None and existing.status == RunStatus.FINALISED:
        return RunOutcome(existing, False, True, existing.invoices.count(), 0, [])
    if is_closed_year(month.year, provider):
        raise BusinessRuleViolation(_("The year is closed; its months cannot be invoiced again."))
    say = progress or (lambda _message: None)
    say(f"{label(month)}: building drafts")
    issued = issue_date or next_period(month)
    with _no_cyclic_gc():
        drafts, warnings = build_period(month, provider)
        rows = DraftRows.of(drafts, issued)
        content_hash = rows.digest(month)
    line_count = sum(len(d.lines) for d in drafts)
    with transaction.atomic():
        run = (
            InvoiceRun.objects.select_for_update()
            .filter(provider_id=provider, period=month)
            .first()
        )
        if run is not None and (
            run.status == RunStatus.FINALISED or run.input_hash == content_hash
        ):
            outcome = RunOutcome(run, False, True, len(drafts), line_count, warnings)
        else:
            created = run is None
            if run is None:
                run = InvoiceRun.objects.create(
                    provider_id=provider, period=month, input_hash=content_hash, issue_date=issued
                )
            else:
                InvoiceLine.objects.filter(
                    invoice__run=run, invoice__status=InvoiceStatus.DRAFT
                ).delete()
                Invoice.objects.filter(run=run, status=InvoiceStatus.DRAFT).delete()
                run.input_hash, run.issue_date = content_hash, issued
                run.save(update_fields=["input_hash", "issue_date"])
            write_drafts(run, rows)
            audit_record(
                actor=actor,
                action="billing.run_drafted",
                obj=run,
                after={
                    "period": label(month),
                    "provider": provider,
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
        finalise_run(actor=actor, period=month, progress=progress, provider_id=provider)
        outcome.run.refresh_from_db()
    return outcome


def write_drafts(run: InvoiceRun, rows: DraftRows) -> None:
    """Plain bulk INSERTs of the invoices and their lines: no per-object ORM cost (bench)."""
    with _no_cyclic_gc():  # the lines are rebuilt with their invoice ids: as many tuples again
        _write_drafts(run, rows)


def _write_drafts(run: InvoiceRun, rows: DraftRows) -> None:
    period = run.period.isoformat()
    insert_rows(
        Invoice,
        INVOICE_COLUMNS,
        [(run.pk, *row[:4], period, *row[4:]) for row in rows.invoices],
    )
    by_parties = {
        (seller, buyer): pk
        for seller, buyer, pk in Invoice.objects.filter(
            run=run, kind=InvoiceKind.INVOICE, status=InvoiceStatus.DRAFT
        ).values_list("seller_id", "buyer_id", "id")
    }
    invoice_ids = [by_parties[(row[2], row[3])] for row in rows.invoices]
    insert_rows(
        InvoiceLine, LINE_COLUMNS, [(invoice_ids[line[0]], *line[1:]) for line in rows.lines]
    )
