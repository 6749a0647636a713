"""Who may do what in billing: an abilities dict per object, and the role sets behind it.

Provider finance runs the fee model; provider admins may too. Account managers read everything
(they talk to the agencies about their invoices). "Everything" is their own provider's: the fee
model is the catalogue owner's, and another provider's staff read only the invoices and usage of
their own services (ADR 0041, 0042). A customer agency's contact or orderer reads
its own invoices, usage and ledger, never another agency's (tenancy, ADR 0205).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from samdrift.catalogue.selectors import default_provider_id
from samdrift.core.actor import Actor
from samdrift.organisations.choices import Role

from .choices import InvoiceStatus

if TYPE_CHECKING:
    from .models import Invoice

MANAGERS = (Role.FINANCE, Role.PROVIDER_ADMIN)
READERS = (*MANAGERS, Role.ACCOUNT_MANAGER)
CUSTOMER_READERS = (Role.CONTACT, Role.ORDERER)


def _in_fee_model_owner(actor: Actor, roles: tuple[str, ...]) -> bool:
    """The fee model (runs, cost pools, allocation, closes) names no provider: it is the
    catalogue owner's (ADR 0042), so only roles held in that very agency count. No query for a
    customer; one for provider staff."""
    if actor.is_superuser:
        return True
    if not actor.has_provider_role(*roles):
        return False
    return actor.has_provider_role_in(default_provider_id(), *roles)


def can_manage(actor: Actor) -> bool:
    return _in_fee_model_owner(actor, MANAGERS)


def can_read_all(actor: Actor) -> bool:
    return _in_fee_model_owner(actor, READERS)


def reads_as_seller(actor: Actor) -> bool:
    """Finance staff of any provider read their own provider's invoices and usage."""
    return actor.has_provider_role(*READERS)


def customer_org_ids(actor: Actor) -> frozenset[int]:
    """Agencies whose billing the actor reads as a customer (directly or as parent contact)."""
    return frozenset(
        org for org, roles in actor.roles_by_org.items() if roles.intersection(CUSTOMER_READERS)
    )


def can_use_billing(actor: Actor) -> bool:
    return reads_as_seller(actor) or bool(customer_org_ids(actor))


def invoice_abilities(actor: Actor, invoice: Invoice) -> dict[str, bool]:
    """The seller's finance staff act on it; the buyer's readers see it once it is final."""
    final = invoice.status == InvoiceStatus.FINALISED
    seller = actor.has_provider_role_in(invoice.seller_id, *READERS)
    manage = actor.has_provider_role_in(invoice.seller_id, *MANAGERS)
    buyer = final and invoice.buyer_id in customer_org_ids(actor)
    return {
        "view": seller or buyer,
        "finalise": manage and not final,
        "credit": manage and final and invoice.kind == "invoice",
        "export_ubl": final and (seller or buyer),
    }


def billing_abilities(actor: Actor) -> dict[str, bool]:
    manage = can_manage(actor)
    return {
        "read_all": can_read_all(actor),
        "import_costs": manage,
        "create_price": manage,
        "record_usage": manage,
        "run": manage,
        "finalise": manage,
        "close_year": manage,
    }
