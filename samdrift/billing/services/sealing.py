"""Finalising: gapless numbers, totals and ledger entries in one transaction; credit notes.

The Peppol document is not rendered here: it is a pure function of the sealed invoice and is
rendered when someone asks for it (samdrift.billing.documents, ADR 0209).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed

from .. import ubl
from ..choices import InvoiceKind, InvoiceStatus, RunStatus, VatRegime
from ..documents import digits
from ..models import Invoice, InvoiceLine, InvoiceRun, NumberSeries
from ..periods import label
from .common import NUMBER_PREFIX, Progress, period_or_error, require_manager
from .ledger import post_lines

if TYPE_CHECKING:
    from samdrift.accounts.actor import Actor

PARTY_FIELDS = (
    "seller_name",
    "seller_org_number",
    "seller_city",
    "seller_bankgiro",
    "buyer_name",
    "buyer_org_number",
    "buyer_city",
)


def seal(invoice_ids: Sequence[int], now: datetime.datetime) -> int:
    """Number, total and post the given drafts; returns the ledger entries written.

    Runs inside the caller's transaction. Numbers follow seller, kind, buyer name and id, taken
    from the seller's series under a row lock, so a rolled-back finalisation leaves no gap (I-05).
    """
    invoices = list(
        Invoice.objects.filter(pk__in=list(invoice_ids), status=InvoiceStatus.DRAFT)
        .order_by("seller_id", "kind", "buyer_name", "id")
        .values_list(
            "id",
            "seller_id",
            "kind",
            "buyer_name",
            "seller_org_number",
            "buyer_org_number",
            "vat_regime",
            "period",
        )
    )
    for _pk, _seller, _kind, buyer_name, seller_number, buyer_number, *_rest in invoices:
        if not digits(seller_number) or not digits(buyer_number):
            raise BusinessRuleViolation(
                _("%(name)s has no organisation number and cannot receive an e-invoice."),
                name=buyer_name,
            )
    totals = dict(
        InvoiceLine.objects.filter(invoice_id__in=[row[0] for row in invoices])
        .values("invoice_id")
        .annotate(total=Sum("amount_ore"))
        .values_list("invoice_id", "total")
    )
    series: dict[tuple[int, str], NumberSeries] = {}
    for key in sorted({(row[1], row[2]) for row in invoices}):
        NumberSeries.objects.get_or_create(seller_id=key[0], kind=key[1])
        series[key] = NumberSeries.objects.select_for_update().get(seller_id=key[0], kind=key[1])
    stamped = connection.ops.adapt_datetimefield_value(now)
    updates = []
    for pk, seller_id, kind, _name, _s, _b, regime, _period in invoices:
        numbering = series[(seller_id, kind)]
        number = f"{NUMBER_PREFIX[kind]}{numbering.next_number:07d}"
        numbering.next_number += 1
        total = totals.get(pk) or 0
        vat = ubl.vat_of(total, regime != VatRegime.STATE_AGENCY)
        updates.append((number, total, vat, InvoiceStatus.FINALISED.value, stamped, pk))
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE billing_invoice SET number = %s, total_ore = %s, vat_ore = %s, status = %s, "
            "finalised_at = %s WHERE id = %s",
            updates,
        )
    for numbering in series.values():
        numbering.save(update_fields=["next_number"])
    return post_lines([row[0] for row in invoices], {row[0]: row[7] for row in invoices})


def finalise_run(
    *, actor: Actor, period: str | datetime.date, progress: Progress | None = None
) -> InvoiceRun:
    """One transaction: gapless numbers, ledger entries, run finalised (I-04, I-05, §5.4 step 4)."""
    require_manager(actor)
    month = period_or_error(period)
    with transaction.atomic():
        run = InvoiceRun.objects.select_for_update().filter(period=month).first()
        if run is None:
            raise NotFound("run")
        if run.status == RunStatus.FINALISED:
            return run
        drafts = list(
            Invoice.objects.filter(run=run, status=InvoiceStatus.DRAFT).values_list("id", flat=True)
        )
        now = timezone.now()
        entry_count = seal(drafts, now)
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
    require_manager(actor)
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
        seal([note.pk], timezone.now())
        note.refresh_from_db()
        audit_record(
            actor=actor,
            action="billing.invoice_credited",
            obj=note,
            organisation_id=original.buyer_id,
            after={"credits": original.number, "number": note.number, "total_ore": note.total_ore},
        )
    return note
