"""Pages of the foundation apps for the accessibility test (with the 2021 demo data loaded)."""

from __future__ import annotations

from samdrift.onboarding.models import ConnectionCase
from samdrift.organisations.models import Organisation


def pages() -> list[str]:
    case = (
        ConnectionCase.objects.filter(phase="plan").order_by("id").first()
        or ConnectionCase.objects.first()
    )
    umbrella = Organisation.objects.get(name="Domstolsverket")
    return [
        "/",
        "/agencies/",
        "/agencies/?q=l%C3%A4nsstyrelsen",
        f"/agencies/{umbrella.id}/",
        "/catalogue/",
        "/catalogue/SAFOS/",
        "/connections/",
        f"/connections/{case.id if case else 0}/",
        "/connections/new/",
        "/connections/requests/",
        "/connections/requests/new/",
        "/connections/demand/?year=2021&basis=assignment",
        "/connections/checklists/",
        "/accounts/login/",
        "/accounts/tokens/",
    ]
