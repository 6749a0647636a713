"""The actor: who is asking, with which roles, able to see which agencies' data.

Built once per request (or per CLI run) and passed to every selector and service, so a read or a
write can never forget whose it is. The rules that use it are in `samdrift.core.tenancy`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    """Everything a tenancy decision needs, computed once (ADR 0040).

    * `roles_by_org`: customer roles per agency, already including the contact role a parent's
      contact holds in each sub-agency.
    * `provider_roles_by_org`: provider roles per *provider* agency the user works for.
    * `customer_org_ids`: the agencies that are customers of those provider agencies (a
      subscription, case or request with them, and their sub-agencies), see ADR 0041.
    * `prospect_org_ids`: for provider staff, the customer agencies that are nobody's customer
      yet: a register entry without any provider's data, so a first case or contact can be set
      up. Once any provider has a relation with it, only that provider sees it (ADR 0041).
    * `loa_rank`: the level of assurance of this login (0: no e-ID login, e.g. a password or a
      personal API token), ADR 0043.
    """

    user_id: int | None
    label: str
    is_superuser: bool = False
    roles_by_org: dict[int, frozenset[str]] = field(default_factory=dict)
    provider_roles_by_org: dict[int, frozenset[str]] = field(default_factory=dict)
    customer_org_ids: frozenset[int] = frozenset()
    prospect_org_ids: frozenset[int] = frozenset()
    loa_rank: int = 0
    # Facts derived from the database that a request asks for more than once (e.g. whether the
    # actor operates EFOS): computed at most once per actor, so per request.
    _memo: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    def remember(self, key: str, compute: Callable[[], T]) -> T:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None or self.is_superuser

    @property
    def sees_everything(self) -> bool:
        """Only the system and superusers stand above tenancy."""
        return self.is_superuser

    @property
    def provider_roles(self) -> frozenset[str]:
        """The provider roles held in any provider agency (the objects they act on are already
        limited to that provider's customers by the selectors)."""
        return frozenset().union(*self.provider_roles_by_org.values())

    @property
    def provider_org_ids(self) -> frozenset[int]:
        return frozenset(self.provider_roles_by_org)

    @property
    def is_provider_staff(self) -> bool:
        return self.is_superuser or bool(self.provider_roles_by_org)

    @property
    def member_org_ids(self) -> frozenset[int]:
        """Agencies the actor works for as a customer (directly or as a parent's contact)."""
        return frozenset(self.roles_by_org)

    @property
    def visible_org_ids(self) -> frozenset[int]:
        """Own agencies, own provider agencies, those providers' customers and prospects."""
        return (
            self.member_org_ids
            | self.provider_org_ids
            | self.customer_org_ids
            | self.prospect_org_ids
        )

    def has_provider_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.provider_roles.intersection(roles))

    def has_provider_role_in(self, provider_id: int | None, *roles: str) -> bool:
        """A provider role held in that very provider agency."""
        if self.is_superuser:
            return True
        held = self.provider_roles_by_org.get(provider_id or 0, frozenset())
        return bool(held.intersection(roles))

    def serves(self, org_id: int) -> bool:
        """True when the agency is a customer, a prospect or one of the actor's own providers."""
        return self.is_superuser or (
            org_id in self.customer_org_ids
            or org_id in self.prospect_org_ids
            or org_id in self.provider_org_ids
        )

    def can_see_org(self, org_id: int) -> bool:
        return self.is_superuser or org_id in self.visible_org_ids

    def acts_for(self, org_id: int, *roles: str) -> bool:
        """True when the actor holds one of `roles` in that agency (directly or as parent contact)."""
        return bool(self.roles_by_org.get(org_id, frozenset()).intersection(roles))


SYSTEM = Actor(user_id=None, label="system", is_superuser=True)
ANONYMOUS = Actor(user_id=None, label="anonymous")
