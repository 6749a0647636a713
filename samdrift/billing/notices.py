"""Who is told that an invoice was issued (notifications, ADR 0023).

Called by the sealing service inside its transaction: an invoice run that rolls back tells no one.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet
from django.urls import reverse

from samdrift.core.actor import Actor
from samdrift.core.notifications.kinds import INVOICE_ISSUED
from samdrift.core.notifications.services import notify
from samdrift.organisations.choices import Role
from samdrift.organisations.selectors import members_in_roles

from .choices import InvoiceKind, InvoiceStatus
from .models import Invoice
from .money import format_kronor, ore_to_decimal


def _finance_people(buyer_ids: set[int]) -> dict[int, set[int]]:
    """Per agency: its members in the finance role; an agency without one has its contacts
    (customer agencies hold no finance role today, ADR 0023). One query."""
    by_role: dict[tuple[int, str], set[int]] = defaultdict(set)
    for org_id, role, user_id in members_in_roles(buyer_ids, (Role.FINANCE, Role.CONTACT)):
        by_role[(org_id, role)].add(user_id)
    return {
        org_id: by_role[(org_id, Role.FINANCE)] or by_role[(org_id, Role.CONTACT)]
        for org_id in buyer_ids
    }


def invoices_issued(*, actor: Actor, invoices: QuerySet[Invoice]) -> None:
    """Each finalised invoice (not credit notes) to its buyer's finance people."""
    issued = list(
        invoices.filter(kind=InvoiceKind.INVOICE, status=InvoiceStatus.FINALISED).values(
            "id", "number", "buyer_id", "buyer_name", "total_ore", "vat_ore", "due_date"
        )
    )
    people = _finance_people({row["buyer_id"] for row in issued})
    for row in issued:
        if not people[row["buyer_id"]]:
            continue
        due = row["total_ore"] + row["vat_ore"]
        notify(
            people[row["buyer_id"]],
            INVOICE_ISSUED.code,
            {
                "agency": row["buyer_name"],
                "number": row["number"],
                "amount": {"sv": f"{format_kronor(due)} kr", "en": f"SEK {ore_to_decimal(due):,}"},
                "due_date": row["due_date"].isoformat(),
            },
            link=reverse("billing:invoice", args=[row["id"]]),
            actor=actor,
        )
