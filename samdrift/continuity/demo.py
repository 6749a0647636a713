"""Program 2032 demo data (ADR 0914): six data-centre sites run by the Program 2032 agencies, one
in each civil area, and every running service placed through the real services (validated,
audited): a primary and, for most, a secondary in another civil area. The sites are
illustrative: names, classes and capacities are plausible, not the agencies' real facilities.

Left on purpose for the check and the "what if" page to find: the service with the most
preparedness agencies among its customers has no secondary (a preparedness violation), and every
fourth service's secondary is a cold standby that cannot meet its RTO. Idempotent: does nothing when a site exists.
"""

from __future__ import annotations

from typing import Any

from samdrift.catalogue.selectors import service_list
from samdrift.core.actor import SYSTEM
from samdrift.organisations.selectors import agencies_with_org_number

from . import placements
from .models import Site
from .selectors import RUNNING, landscape

# code, name, operator's organisation number, civil area, security class, capacity, NIS
SITES = [
    ("FK-SYD", "Försäkringskassan, datahall Syd", "202100-5521", "syd", 3, 24, True),
    ("SKV-STHLM", "Skatteverket, datahall Stockholm", "202100-5448", "stockholm", 3, 24, True),
    ("TRV-NORD", "Trafikverket, datahall Nord", "202100-6297", "nord", 2, 12, True),
    ("LM-MITT", "Lantmäteriet, datahall Mitt", "202100-4888", "mitt", 2, 12, False),
    ("FORTV-VAST", "Fortifikationsverket, skyddad hall Väst", "202100-4607", "vast", 4, 8, True),
    ("TS-OST", "Transportstyrelsen, datahall Öst", "202100-6099", "ost", 1, 10, False),
]
PRIMARIES = ("FK-SYD", "SKV-STHLM")
SECONDARIES = ("TRV-NORD", "LM-MITT", "FORTV-VAST", "TS-OST")


def load(*, stdout: Any) -> None:
    if Site.objects.exists():
        stdout.write("continuity: demo sites already there\n")
        return
    operators = dict(
        agencies_with_org_number([row[2] for row in SITES]).values_list("org_number", "id")
    )
    made = []
    for code, name, number, region, klass, capacity, nis in SITES:
        if number not in operators:
            continue
        placements.site_create(
            actor=SYSTEM, code=code, name=name, operator_id=operators[number], region=region,
            security_class=klass, capacity=capacity, nis_relevant=nis,
        )  # fmt: skip
        made.append(code)
    primaries = [c for c in PRIMARIES if c in made]
    secondaries = [c for c in SECONDARIES if c in made]
    if not primaries or not secondaries:
        stdout.write("continuity: the Program 2032 agencies are missing, no placements\n")
        return
    services = list(service_list(actor=SYSTEM).filter(lifecycle__in=RUNNING))
    prepared = {fact.code: fact.preparedness_customers for fact in landscape(actor=SYSTEM).facts}
    lonely = max(services, key=lambda s: (prepared.get(s.code, 0), s.code)).code
    placed = 0
    for index, service in enumerate(services):
        target = service.rto_hours
        placements.place_service(
            actor=SYSTEM, service_code=service.code, site_code=primaries[index % len(primaries)],
            role="primary", rto_hours=max(1, target // 2),
        )  # fmt: skip
        placed += 1
        if service.code == lonely:
            continue  # the one left on a single site
        cold = index % 4 == 3
        placements.place_service(
            actor=SYSTEM, service_code=service.code,
            site_code=secondaries[index % len(secondaries)], role="secondary",
            rto_hours=target * 3 if cold else target,
        )  # fmt: skip
        placed += 1
    stdout.write(f"continuity: {len(made)} sites, {placed} placements\n")
