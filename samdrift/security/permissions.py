"""Who may see and keep security findings (ADR 0952): the one place the rules live.

The provider's security operations centre (its administrators and security staff) sees and
imports the findings of its own components, with where they were found. A customer agency's
people see the findings that reach their agency through the services it subscribes to, and
never where on the provider's hosts they were found.
"""

from __future__ import annotations

from samdrift.core.actor import Actor

#: Provider roles of the security operations centre.
SOC = ("provider_admin", "security")


def security_abilities(*, actor: Actor) -> dict[str, bool]:
    soc = actor.has_provider_role(*SOC)
    return {
        "view": soc or bool(actor.member_org_ids) or actor.sees_everything,
        "soc": soc or actor.sees_everything,
        "import": soc or actor.sees_everything,
    }


def keeps_component(actor: Actor, provider_id: int | None) -> bool:
    """A component's findings are imported and seen in full by its provider's SOC."""
    return actor.has_provider_role_in(provider_id, *SOC)


def soc_provider_ids(actor: Actor) -> frozenset[int] | None:
    """The providers whose components the actor sees in full; None for every provider."""
    if actor.sees_everything:
        return None
    return frozenset(p for p in actor.provider_org_ids if actor.has_provider_role_in(p, *SOC))


def soc_sees_provider(actor: Actor, provider_id: int | None) -> bool:
    """Whether the actor sees this provider's findings in full (locations, imports, the services
    and agencies they reach): its own SOC, or the system."""
    providers = soc_provider_ids(actor)
    return providers is None or provider_id in providers


def summary_provider_ids(actor: Actor) -> frozenset[int] | None:
    """Whose components' yearly figures the actor may read (the report to the government,
    ADR 0966): any staff of a provider reads its own provider's counts, no finding and no
    location; the system reads all (None)."""
    if actor.sees_everything:
        return None
    return frozenset(actor.provider_org_ids)
