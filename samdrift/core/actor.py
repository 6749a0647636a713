"""The actor: who is asking, with which roles, able to see which agencies' data.

Built once per request (or per CLI run) and passed to every selector and service, so a read or a
write can never forget whose it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """`roles_by_org` already includes the contact role a parent's contact holds in each
    sub-agency, so `visible_org_ids` is simply its keys."""

    user_id: int | None
    label: str
    is_superuser: bool = False
    provider_roles: frozenset[str] = frozenset()
    roles_by_org: dict[int, frozenset[str]] = field(default_factory=dict)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None or self.is_superuser

    @property
    def is_provider_staff(self) -> bool:
        return self.is_superuser or bool(self.provider_roles)

    @property
    def sees_all_agencies(self) -> bool:
        """Provider staff work across agencies; customers see only their own tree."""
        return self.is_provider_staff

    @property
    def visible_org_ids(self) -> frozenset[int]:
        return frozenset(self.roles_by_org)

    def has_provider_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.provider_roles.intersection(roles))

    def can_see_org(self, org_id: int) -> bool:
        return self.sees_all_agencies or org_id in self.roles_by_org

    def acts_for(self, org_id: int, *roles: str) -> bool:
        """True when the actor holds one of `roles` in that agency (directly or as parent contact)."""
        return bool(self.roles_by_org.get(org_id, frozenset()).intersection(roles))


SYSTEM = Actor(user_id=None, label="system", is_superuser=True)
ANONYMOUS = Actor(user_id=None, label="anonymous")
