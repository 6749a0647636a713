"""Exit settlement: an agency leaving brings its accounts to zero (I-13), each provider agency
its own (ADR 0668): one final invoice per provider whose services the agency used."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor
from samdrift.core.exceptions import (
    BusinessRuleViolation,
    NotFound,
    ValidationFailed,
)
from samdrift.organisations.selectors import organisations_by_id

from ..choices import (
    InvoiceKind,
    LineKind,
)
from ..models import (
    Invoice,
    InvoiceLine,
    LedgerEntry,
)
from ..money import ore_to_decimal
from .common import PAYMENT_DAYS, invoice_totals, period_or_error, require_fee_model_manager
from .drafting import Recipients
from .sealing import seal


def settle_exit(
    *,
    actor: Actor,
    organisation_id: int,
    period: str | datetime.date,
    reason: str,
    provider_id: int | None = None,
) -> list[Invoice]:
    """An agency leaves: the provider's final invoice brings each of the agency's accounts with
    it to zero (I-13). The provider asked for, else the actor's first (ADR 0668); an agency that
    used several providers' services is settled by each of them, each its own accounts.

    A line per account with a balance: the agency pays what it still owes (balance < 0) or is
    credited what it paid in advance. Later instalments and settlements of those accounts are no
    longer billed. Finalised at once, in one transaction. An agency with no account with the
    provider is missing (NotFound), exactly like one that does not exist.
    """
    seller_id = require_fee_model_manager(actor, provider_id)
    month = period_or_error(period)
    if not reason.strip():
        raise ValidationFailed(
            _("An exit settlement needs a reason."), errors={"reason": [str(_("required"))]}
        )
    with transaction.atomic():
        balances = list(
            LedgerEntry.objects.filter(
                account__organisation_id=organisation_id, account__service__provider_id=seller_id
            )
            .values(
                "account_id",
                "account__service_id",
                "account__service__name_sv",
                "account__service__name_en",
                "account__service__code",
            )
            .annotate(t=Sum("amount_ore"))
            .order_by("account__service__code")
        )
        if not balances:
            raise NotFound("organisation")
        rows = [row for row in balances if row["t"]]
        if not rows:
            raise BusinessRuleViolation(_("The agency has no balance to settle."))
        organisation = organisations_by_id([organisation_id]).get()
        recipients = Recipients()
        buyer = recipients.of(organisation_id) or organisation_id
        subject = organisation.name if buyer != organisation_id else ""
        issued = timezone.localdate()
        draft = recipients.invoice(seller_id, buyer, month)
        invoice = Invoice.objects.create(
            kind=InvoiceKind.INVOICE,
            seller_id=seller_id,
            buyer_id=buyer,
            period=month,
            issue_date=issued,
            due_date=issued + datetime.timedelta(days=PAYMENT_DAYS),
            reason=reason.strip()[:300],
            buyer_reference=draft.buyer_reference,
            vat_regime=draft.vat_regime,
            **invoice_totals(-sum(row["t"] for row in rows), draft.vat_regime),
            **draft.party_fields(),
        )
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
                    subject_name=subject,
                )
                for position, row in enumerate(rows, start=1)
            ]
        )
        seal(Invoice.objects.filter(pk=invoice.pk), timezone.now())
        invoice.refresh_from_db()
        audit_record(
            actor=actor,
            action="billing.exit_settled",
            obj=organisation,
            organisation_id=organisation_id,
            after={
                "invoices": [invoice.number],
                "provider": seller_id,
                "reason": reason.strip(),
            },
        )
    return [invoice]
