"""The audited repair of a finalised invoice whose stored text XML cannot carry (issue 19 item 3).

The finalised row never changes (I-04, ADR 0203). Instead, in one transaction, a credit note
credits the whole original and a replacement invoice carries the same lines with readable text;
both take their numbers from the seller's normal series (gapless, I-05), both are posted to the
ledger like any other, and one audit record holds the before and after (ADR 0217).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor
from samdrift.core.exceptions import BusinessRuleViolation, NotFound, ValidationFailed
from samdrift.core.text import LINE_BREAKS, is_single_line

from ..choices import InvoiceKind, InvoiceStatus
from ..documents import unreadable_text
from ..models import Invoice, InvoiceLine
from .common import invoice_totals, require_manager
from .drafting import PARTY_FIELDS
from .sealing import seal

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
TEXT_FIELDS = ("buyer_reference", "seller_name", "seller_city", "buyer_name", "buyer_city")


def cleaned(text: str) -> str:
    """The suggested readable text: control characters dropped, runs of spaces made one."""
    return " ".join(_CONTROL.sub(" ", text or "").split())


def suggested_texts(invoice: Invoice) -> dict[str, str]:
    """The cleaned defaults the finance officer confirms or changes: the party fields, the
    buyer reference and each line's text ("line N") and subject ("subject N")."""
    texts = {name: cleaned(getattr(invoice, name)) for name in TEXT_FIELDS}
    for line in invoice.lines.order_by("position"):
        texts[f"line {line.position}"] = cleaned(line.text_sv)
        texts[f"subject {line.position}"] = cleaned(line.subject_name)
    return texts


def correct_unreadable_invoice(
    *, actor: Actor, invoice_id: int, texts: dict[str, str] | None = None
) -> tuple[Invoice, Invoice]:
    """Credit a finalised invoice with unreadable text in full and issue its replacement.

    `texts` overrides the suggested cleaned texts (keys as `suggested_texts`); every text must
    be one line without control characters. Returns (credit note, replacement invoice).
    """
    sellers = require_manager(actor)  # the seller's finance function only (ADR 0668)
    with transaction.atomic():
        original = (
            Invoice.objects.select_for_update().filter(pk=invoice_id, seller_id__in=sellers).first()
        )
        if original is None:
            raise NotFound("invoice")
        if original.kind != InvoiceKind.INVOICE:
            raise BusinessRuleViolation(
                _(
                    "A credit note is not corrected by new documents: its amounts and reference "
                    "are right and its text is shown readable (ADR 0218)."
                )
            )
        if original.status != InvoiceStatus.FINALISED:
            raise BusinessRuleViolation(
                _("Only a finalised invoice can be corrected; change the draft instead.")
            )
        bad = unreadable_text(original)
        if not bad:
            raise BusinessRuleViolation(
                _("This invoice's text is readable; credit it instead if it is wrong.")
            )
        if InvoiceLine.objects.filter(invoice__credited_invoice=original).exists():
            raise BusinessRuleViolation(
                _("This invoice is already credited in part or in full; it cannot be corrected.")
            )
        final = suggested_texts(original)
        unknown = sorted(set(texts or {}) - set(final))
        if unknown:
            raise ValidationFailed(
                _("Unknown text fields."), errors={name: [str(_("unknown"))] for name in unknown}
            )
        final.update({name: value.strip() for name, value in (texts or {}).items()})
        wrong = {
            name: [str(LINE_BREAKS)] for name, value in final.items() if not is_single_line(value)
        }
        if wrong:
            raise ValidationFailed(LINE_BREAKS, errors=wrong)
        for required in ("buyer_name", "seller_name", "buyer_reference"):
            if not final[required]:
                raise ValidationFailed(
                    _("This text is required."), errors={required: [str(_("required"))]}
                )
        lines = list(original.lines.order_by("position"))
        today = timezone.localdate()
        parties = {name: getattr(original, name) for name in PARTY_FIELDS}
        parties.update({name: final[name] for name in TEXT_FIELDS if name in parties})
        common = {
            "seller_id": original.seller_id,
            "buyer_id": original.buyer_id,
            "period": original.period,
            "issue_date": today,
            "vat_regime": original.vat_regime,
            "buyer_reference": final["buyer_reference"][:100],
            **parties,
        }
        note = Invoice.objects.create(
            kind=InvoiceKind.CREDIT_NOTE,
            due_date=today,
            credited_invoice=original,
            reason=f"Rättelse av {original.number}: oläslig text / unreadable text"[:300],
            **invoice_totals(-original.total_ore, original.vat_regime),
            **common,
        )
        replacement = Invoice.objects.create(
            kind=InvoiceKind.INVOICE,
            due_date=max(original.due_date, today),
            reason=f"Ersätter {original.number} / replaces {original.number}"[:300],
            **invoice_totals(original.total_ore, original.vat_regime),
            **common,
        )

        def copy(line: InvoiceLine, invoice: Invoice, sign: int) -> InvoiceLine:
            return InvoiceLine(
                invoice=invoice,
                position=line.position,
                organisation_id=line.organisation_id,
                service_id=line.service_id,
                kind=line.kind,
                text_sv=final[f"line {line.position}"],
                text_en=cleaned(line.text_en),
                quantity=line.quantity,
                unit_code=line.unit_code,
                unit_price=line.unit_price,
                base_quantity=line.base_quantity,
                amount_ore=sign * line.amount_ore,
                price_version_id=line.price_version_id,
                schedule_id=line.schedule_id,
                credited_line=line if sign < 0 else None,
                subject_name=final[f"subject {line.position}"],
            )

        InvoiceLine.objects.bulk_create(
            [copy(line, note, -1) for line in lines]
            + [copy(line, replacement, 1) for line in lines]
        )
        seal(Invoice.objects.filter(pk__in=[note.pk, replacement.pk]), timezone.now())
        note.refresh_from_db()
        replacement.refresh_from_db()
        audit_record(
            actor=actor,
            action="billing.invoice_corrected",
            obj=replacement,
            organisation_id=original.buyer_id,
            before={
                "number": original.number,
                "unreadable": bad,
                "texts": {name: repr(getattr(original, name)) for name in TEXT_FIELDS},
            },
            after={
                "credit_note": note.number,
                "replacement": replacement.number,
                "corrects": original.number,
                "total_ore": replacement.total_ore,
                "texts": final,
            },
        )
    return note, replacement
