"""The Peppol BIS Billing 3.0 document of a stored invoice or credit note, rendered on demand.

Everything it needs is frozen with the invoice: the parties as they were when it was made and its
immutable lines, so the same invoice always renders to the same bytes (I-07) and finalising a run
does not pay for rendering thousands of documents nobody has asked for yet (ADR 0209).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from samdrift.core.exceptions import BusinessRuleViolation
from samdrift.core.text import xml_safe

from . import ubl
from .choices import InvoiceKind, InvoiceStatus, VatRegime
from .models import Invoice, InvoiceLine
from .periods import period_end

LINE_FIELDS = (
    "position",
    "text_sv",
    "quantity",
    "unit_code",
    "unit_price",
    "base_quantity",
    "amount_ore",
    "subject_name",
)


def digits(org_number: str) -> str:
    return "".join(ch for ch in org_number if ch.isdigit())


def ubl_document(invoice: Invoice, lines: Sequence[Sequence[Any]]) -> ubl.Document:
    """The UBL model of an invoice; credit notes show the credited amounts as positive.

    `lines` are rows of LINE_FIELDS in position order.
    """
    sign = -1 if invoice.kind == InvoiceKind.CREDIT_NOTE else 1
    doc_lines = []
    for position, text, quantity, unit, price, base, amount_ore, subject in lines:
        amount = sign * amount_ore
        if amount < 0 < quantity or amount > 0 > quantity:
            quantity = -quantity
        doc_lines.append(
            ubl.Line(
                line_id=str(position),
                name=xml_safe(text),
                quantity=quantity,
                unit_code=unit,
                price=price,
                base_quantity=base,
                amount_ore=amount,
                note=f"Avser: {xml_safe(subject)}" if subject else "",
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
        buyer_reference=xml_safe(invoice.buyer_reference),
        # Every stored text is made XML-safe when read: rows from before the boundary check
        # (ADR 0066, ADR 0070); for valid text the identity, so no document's bytes change.
        seller=ubl.Party(
            xml_safe(invoice.seller_name),
            digits(invoice.seller_org_number),
            xml_safe(invoice.seller_city),
        ),
        buyer=ubl.Party(
            xml_safe(invoice.buyer_name),
            digits(invoice.buyer_org_number),
            xml_safe(invoice.buyer_city),
        ),
        period=(invoice.period, period_end(invoice.period)),
        lines=tuple(doc_lines),
        with_vat=invoice.vat_regime != VatRegime.STATE_AGENCY,
        bankgiro=invoice.seller_bankgiro,
        note=xml_safe(invoice.reason),  # rows from before the boundary check (ADR 0066)
        billing_reference=reference,
    )


def unreadable_text(invoice: Invoice) -> list[str]:
    """The stored text fields of a document that hold characters XML cannot carry (legacy rows,
    ADR 0070): shown replaced by U+FFFD, and flagged by this list on the API and page."""
    names = ("reason", "buyer_reference", "seller_name", "seller_city", "buyer_name", "buyer_city")
    fields = [
        name
        for name in names
        if xml_safe(getattr(invoice, name) or "") != (getattr(invoice, name) or "")
    ]
    for position, text, *_rest, subject in InvoiceLine.objects.filter(invoice=invoice).values_list(
        *LINE_FIELDS
    ):
        if xml_safe(text or "") != (text or "") or xml_safe(subject or "") != (subject or ""):
            fields.append(f"line {position}")
    return fields


def invoice_ubl(invoice: Invoice) -> bytes:
    """The UBL bytes of a finalised invoice or credit note (drafts have no number to send)."""
    if invoice.status != InvoiceStatus.FINALISED:
        raise BusinessRuleViolation(_("Only a finalised invoice has a Peppol document."))
    lines = (
        InvoiceLine.objects.filter(invoice=invoice).order_by("position").values_list(*LINE_FIELDS)
    )
    return ubl.render(ubl_document(invoice, list(lines)))


def invoice_ubl_sha256(invoice: Invoice) -> str:
    return hashlib.sha256(invoice_ubl(invoice)).hexdigest()
