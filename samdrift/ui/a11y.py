"""Pages of the foundation apps for the accessibility test (with the 2021 demo data loaded)."""

from __future__ import annotations

from samdrift.core.actor import SYSTEM
from samdrift.onboarding.selectors import case_list
from samdrift.organisations.selectors import organisation_list


def pages() -> list[str]:
    # Read like any page does, through the apps' selectors (as the system, which sees all).
    cases = case_list(actor=SYSTEM).order_by("id")
    case = cases.filter(phase="plan").first() or cases.first()
    umbrella = organisation_list(actor=SYSTEM, search="Domstolsverket").get(name="Domstolsverket")
    return [
        "/",
        "/overview/",
        "/agencies/",
        "/agencies/?q=l%C3%A4nsstyrelsen",
        f"/agencies/{umbrella.id}/",
        "/catalogue/",
        "/catalogue/SAFOS/",
        "/catalogue/SAFOS/edit/",
        "/catalogue/new/",
        "/catalogue/graph/",
        "/catalogue/categories/",
        "/connections/",
        f"/connections/{case.id if case else 0}/",
        "/connections/new/",
        "/connections/requests/",
        "/connections/requests/new/",
        "/connections/demand/?year=2021&basis=assignment",
        "/connections/demand/?year=2021&basis=all&providers=all",
        "/connections/checklists/",
        "/accounts/login/",
        "/accounts/tokens/",
        "/profile/",
    ]
