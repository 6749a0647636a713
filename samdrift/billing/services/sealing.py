"""Finalising: gapless numbers, totals and ledger entries in one transaction; credit notes.

The Peppol document is not rendered here: it is a pure function of the sealed invoice and is
rendered when someone asks for it (samdrift.billing.documents, ADR 0209).
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed
from samdrift.core.text import LINE_BREAKS, is_single_line

from ..choices import InvoiceKind, InvoiceStatus, RunStatus
from ..documents import digits
from ..models import Invoice, InvoiceLine, InvoiceRun, NumberSeries
from ..notices import invoices_issued
from ..periods import label
from .common import (
    NUMBER_PREFIX,
    Progress,
    invoice_totals,
    period_or_error,
    require_fee_model_manager,
    require_manager,
)
from .drafting import PARTY_FIELDS
from .ledger import post_lines


def seal(drafts: QuerySet[Invoice], now: datetime.datetime) -> int:
    """Number and post the given drafts; returns how many invoices were sealed.

    Runs inside the caller's transaction. Numbers follow seller, kind, buyer name and id, taken
    from the seller's series under a row lock, so a rolled-back finalisation leaves no gap (I-05).
    Totals were fixed when the drafts were written (sum of their lines, VAT by regime).
    """
    invoices = list(
        drafts.filter(status=InvoiceStatus.DRAFT)
        .order_by("seller_id", "kind", "buyer_name", "id")
        .values_list(
            "id",
            "seller_id",
            "kind",
            "buyer_name",
            "seller_org_number",
            "buyer_org_number",
            "period",
        )
    )
    for _pk, _seller, _kind, buyer_name, seller_number, buyer_number, _period in invoices:
        if not digits(seller_number) or not digits(buyer_number):
            raise BusinessRuleViolation(
                _("%(name)s has no organisation number and cannot receive an e-invoice."),
                name=buyer_name,
            )
    series: dict[tuple[int, str], NumberSeries] = {}
    for key in sorted({(row[1], row[2]) for row in invoices}):
        NumberSeries.objects.get_or_create(seller_id=key[0], kind=key[1])
        series[key] = NumberSeries.objects.select_for_update().get(seller_id=key[0], kind=key[1])
    numbers: list[tuple[str, int]] = []
    for pk, seller_id, kind, *_rest in invoices:
        numbering = series[(seller_id, kind)]
        numbers.append((f"{NUMBER_PREFIX[kind]}{numbering.next_number:07d}", pk))
        numbering.next_number += 1
    _stamp(numbers, now)
    for numbering in series.values():
        numbering.save(update_fields=["next_number"])
    post_lines([row[0] for row in invoices], {row[0]: row[6] for row in invoices})
    return len(invoices)


def _stamp(numbers: list[tuple[str, int]], now: datetime.datetime) -> None:
    """Numbers and status of many invoices in one UPDATE … FROM per batch (PostgreSQL; SQLite
    ≥ 3.33) rather than one statement per invoice (bench)."""
    row = "(CAST(%s AS varchar(20)), CAST(%s AS bigint))"
    stamped = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for start in range(0, len(numbers), 500):
            chunk = numbers[start : start + 500]
            cursor.execute(
                f"WITH v (number, id) AS (VALUES {', '.join([row] * len(chunk))}) "  # noqa: S608 - placeholders only
                "UPDATE billing_invoice SET number = v.number, status = %s, finalised_at = %s "
                "FROM v WHERE billing_invoice.id = v.id",
                [
                    *(value for pair in chunk for value in pair),
                    InvoiceStatus.FINALISED.value,
                    stamped,
                ],
            )


def finalise_run(
    *,
    actor: Actor,
    period: str | datetime.date,
    progress: Progress | None = None,
    provider_id: int | None = None,
) -> InvoiceRun:
    """One transaction: gapless numbers, ledger entries, run finalised (I-04, I-05, §5.4 step 4).

    The provider's run of the month (the provider asked for, else the actor's first; ADR 0668):
    its invoices are the provider's own, numbered from its own series. Another provider's run is
    missing (NotFound), exactly like a month nobody has run.
    """
    provider = require_fee_model_manager(actor, provider_id)
    month = period_or_error(period)
    with transaction.atomic():
        run = (
            InvoiceRun.objects.select_for_update()
            .filter(provider_id=provider, period=month)
            .first()
        )
        if run is None:
            raise NotFound("run")
        if run.status == RunStatus.FINALISED:
            return run
        now = timezone.now()
        sealed = seal(Invoice.objects.filter(run=run), now)
        invoices_issued(actor=actor, invoices=Invoice.objects.filter(run=run))
        run.status, run.finalised_at = RunStatus.FINALISED, now
        run.save(update_fields=["status", "finalised_at"])
        audit_record(
            actor=actor,
            action="billing.run_finalised",
            obj=run,
            after={"period": label(month), "provider": provider, "invoices": sealed},
        )
    if progress:
        progress(f"{label(month)}: finalised {sealed} invoices")
    return run


def credit_invoice(
    *, actor: Actor, invoice_id: int, reason: str, line_ids: list[int] | None = None
) -> Invoice:
    """A credit note (UBL 381) for a finalised invoice, finalised at once with its own number.

    The original never changes (I-04); its ledger entries are reversed by the credit note's. A
    credited instalment or settlement becomes due again and is billed by the next monthly run.
    Only the seller's finance function credits: another seller's invoice is missing (ADR 0668).
    """
    sellers = require_manager(actor)
    if not reason.strip():
        raise ValidationFailed(
            _("A credit note needs a reason."), errors={"reason": [str(_("required"))]}
        )
    if not is_single_line(reason):  # it goes into UBL and PDF: XML-safe (issue 19 item 3)
        raise ValidationFailed(LINE_BREAKS, errors={"reason": [str(LINE_BREAKS)]})
    with transaction.atomic():
        original = (
            Invoice.objects.select_for_update()
            .filter(pk=invoice_id, kind=InvoiceKind.INVOICE, seller_id__in=sellers)
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
            **invoice_totals(-sum(line.amount_ore for line in lines), original.vat_regime),
            **{name: getattr(original, name) for name in PARTY_FIELDS},
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
                    subject_name=line.subject_name,
                )
                for position, line in enumerate(lines, start=1)
            ]
        )
        seal(Invoice.objects.filter(pk=note.pk), timezone.now())
        note.refresh_from_db()
        audit_record(
            actor=actor,
            action="billing.invoice_credited",
            obj=note,
            organisation_id=original.buyer_id,
            after={"credits": original.number, "number": note.number, "total_ore": note.total_ore},
        )
    return note
