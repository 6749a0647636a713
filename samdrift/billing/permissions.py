"""Who may do what in billing: an abilities dict per object, and the role sets behind it.

Provider finance runs the fee model; provider admins may too. Account managers read everything
(they talk to the agencies about their invoices). "Everything" is their own provider's: each
provider agency has its own fee model (fee areas, costs, allocation, closes, schedules, ledger,
the outcome report; ADR 0664) and its own monthly invoice runs, project time and exit
settlements (ADR 0668), and its staff read and run those only; each provider decides its own
services' prices and records their usage. A customer agency's contact or orderer reads its own
invoices, usage and ledger, never another agency's (tenancy, ADR 0205).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.selectors import default_provider_id
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, PermissionDenied
from samdrift.organisations.choices import Role
from samdrift.organisations.selectors import provider_agencies

from .choices import InvoiceStatus

if TYPE_CHECKING:
    from .models import Invoice

MANAGERS = (Role.FINANCE, Role.PROVIDER_ADMIN)
READERS = (*MANAGERS, Role.ACCOUNT_MANAGER)
CUSTOMER_READERS = (Role.CONTACT, Role.ORDERER)


def fee_model_providers(actor: Actor, roles: tuple[str, ...] = READERS) -> list[int]:
    """The provider agencies whose fee model the actor reads (READERS) or runs (MANAGERS): those
    where it holds one of `roles`, every provider agency for the system. The default provider
    comes first, then by id, so the first is the one a page shows when none is chosen (ADR 0664).
    No query for a customer, nor for staff of one provider."""
    if actor.is_superuser:
        held = list(provider_agencies().values_list("pk", flat=True))
    else:
        held = [org for org, own in actor.provider_roles_by_org.items() if own.intersection(roles)]
    if len(held) < 2:
        return list(held)
    first = default_provider_id()
    return sorted(held, key=lambda org: (org != first, org))


def fee_model_provider(
    actor: Actor, provider_id: int | None = None, roles: tuple[str, ...] = READERS
) -> int:
    """The provider agency whose fee model the actor reads or runs: the one asked for, else its
    first (`fee_model_providers`). Someone who holds `roles` in no provider agency is refused
    (PermissionDenied); a provider that is not one of the actor's is missing, exactly like one
    that does not exist (NotFound), so a person in two providers picks one and no other."""
    held = fee_model_providers(actor, roles)
    if not held:
        raise PermissionDenied(_("Only the provider's finance function may read the fee model."))
    if provider_id is None:
        return held[0]
    if provider_id not in held:
        raise NotFound("provider")
    return provider_id


def manages_fee_model(actor: Actor, provider_id: int) -> bool:
    """Runs that provider's billing: its fee areas, costs, allocation and closes (ADR 0664), its
    monthly invoice runs, project time, exit settlements and credit notes (ADR 0668)."""
    return actor.has_provider_role_in(provider_id, *MANAGERS)


def managed_providers(actor: Actor) -> list[int]:
    """The provider agencies whose billing the actor runs (MANAGERS), the default provider
    first; every provider agency for the system. No query for a customer or one provider's
    staff."""
    return fee_model_providers(actor, MANAGERS)


def billing_provider(actor: Actor, provider_id: int | None = None, *, manage: bool = False) -> int:
    """The provider agency whose invoice runs, project time or exits the actor reads, or runs
    with `manage`: the fee model's rule (`fee_model_provider`), since a run, a time entry and an
    exit settlement are one provider's like its fee areas (ADR 0668). Someone who holds the
    roles in no provider is refused; another provider is missing, like one that does not exist."""
    return fee_model_provider(actor, provider_id, MANAGERS if manage else READERS)


def _own_fee_model(actor: Actor, provider_id: int | None) -> int | None:
    try:
        return fee_model_provider(actor, provider_id)
    except (PermissionDenied, NotFound):
        return None


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


def billing_abilities(actor: Actor, provider_id: int | None = None) -> dict[str, bool]:
    """What the actor may do in billing, for the provider asked for (the actor's first when none
    is): its fee model (ADR 0664) and its monthly runs, project time and exits (ADR 0668)."""
    own = _own_fee_model(actor, provider_id)
    manage_own = own is not None and manages_fee_model(actor, own)
    return {
        "read_all": own is not None,
        "read_runs": own is not None,
        "manage_fee_areas": manage_own,
        "import_costs": manage_own,
        "allocate": manage_own,
        "close_year": manage_own,
        "create_price": manage_own,
        "record_usage": manage_own,
        "run": manage_own,
        "finalise": manage_own,
        "record_project_time": manage_own,
        "settle_exit": manage_own,
    }
