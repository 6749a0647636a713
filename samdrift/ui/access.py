"""What a person may open, from the apps' own abilities (issue 21 item 2, ADR 0701).

One place answers two questions for the whole site, and each answer is read from the
`permissions` module (and, where a page needs it, the selector) of the app that enforces it, so
a rule is never restated in a template:

* `navigation(actor)`: which main-menu entries this person may open (the page would not answer
  403 or 404 for them);
* `needed_for(namespace)`: for a refused page, which roles open it and who grants them, so the
  403 page can tell the person whom to ask.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from samdrift.accessibility.permissions import checker_abilities
from samdrift.audit.permissions import trail_abilities
from samdrift.billing.permissions import CUSTOMER_READERS, can_use_billing
from samdrift.billing.permissions import READERS as BILLING_READERS
from samdrift.continuity.permissions import sites_abilities
from samdrift.core.actor import Actor
from samdrift.efos import selectors as efos_selectors
from samdrift.efos.permissions import AGENCY_ADMIN_ROLES, OPERATOR_ROLES, can_use_efos_pages
from samdrift.organisations.choices import PROVIDER_ROLES, Role
from samdrift.reporting.permissions import EDITOR_ROLES, report_abilities


def can_open_efos(actor: Actor) -> bool:
    """The EFOS start page: an EFOS administrator or operator, or an official who signs."""
    return can_use_efos_pages(actor) or efos_selectors.signer_for(actor) is not None


def navigation(actor: Actor) -> dict[str, bool]:
    """Main-menu entries by key: True when the page would open for this actor."""
    logged_in = actor.is_authenticated
    return {
        "start": logged_in,
        "dashboard": logged_in,
        "agencies": logged_in,
        "catalogue": logged_in,
        "cases": logged_in,
        "requests": logged_in,
        "demand": logged_in,
        "billing": logged_in and can_use_billing(actor),
        "efos": logged_in and can_open_efos(actor),
        "efos_admin": logged_in and can_use_efos_pages(actor),
        "accessibility": logged_in and checker_abilities(actor=actor)["check"],
        "jobs": logged_in,
        "reporting": logged_in and report_abilities(actor=actor)["view"],
        "sites": logged_in and sites_abilities(actor=actor)["view"],
        "audit": logged_in and trail_abilities(actor)["search"],
    }


@dataclass(frozen=True)
class Needed:
    """The roles that open an area, and who grants each kind."""

    roles: tuple[str, ...]

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in self.roles]

    def granted_by(self) -> list[str]:
        grantors: list[str] = []
        if any(role in PROVIDER_ROLES for role in self.roles):
            grantors.append(
                _("provider roles: the provider's administrator (%(role)s)")
                % {"role": Role.PROVIDER_ADMIN.label}
            )
        if any(role not in PROVIDER_ROLES for role in self.roles):
            grantors.append(
                _("agency roles: your agency's contact (%(role)s)") % {"role": Role.CONTACT.label}
            )
        return grantors


NEEDED = {
    "efos": Needed(roles=(*AGENCY_ADMIN_ROLES, *OPERATOR_ROLES)),
    "billing": Needed(roles=(*CUSTOMER_READERS, *BILLING_READERS)),
    "reporting": Needed(roles=EDITOR_ROLES),
}


def needed_for(namespace: str | None) -> Needed | None:
    return NEEDED.get(namespace or "")
