"""Fixtures of the Program 2032 sites tests: four sites, and three services placed on them with
customers of which some are (or stand above) preparedness agencies."""

from __future__ import annotations

import pytest

from samdrift.accounts.selectors import actor_for_user
from samdrift.continuity import placements
from samdrift.tests.factories import OrganisationFactory, ServiceFactory, SubscriptionFactory


@pytest.fixture
def admin(provider_admin):
    return actor_for_user(provider_admin)


@pytest.fixture
def sites(admin):
    operator = OrganisationFactory(name="Skatteverket")
    made = {}
    for code, region, klass, capacity in [
        ("NORR-1", "nord", 3, 10),
        ("NORR-2", "nord", 2, 10),
        ("SYD-1", "syd", 3, 10),
        ("STHLM-1", "stockholm", 0, 1),
    ]:
        made[code] = placements.site_create(
            actor=admin, code=code, name=f"Hall {code}", operator_id=operator.id, region=region,
            security_class=klass, capacity=capacity, nis_relevant=True,
        )  # fmt: skip
    return made


@pytest.fixture
def landscape(admin, sites):
    """EFOS on two civil areas; SAFOS on one site only, with a preparedness customer (through
    an umbrella); KAP on a single site with a long RTO from its secondary."""
    efos = ServiceFactory(code="EFOS", rto_hours=8)
    safos = ServiceFactory(code="SAFOS", rto_hours=24)
    kap = ServiceFactory(code="KAP", rto_hours=8)
    ServiceFactory(code="UTKAST", lifecycle="draft")
    umbrella = OrganisationFactory(name="Länsstyrelserna", is_group=True)
    OrganisationFactory(name="Länsstyrelsen i Norrbottens län", parent=umbrella, preparedness=True)
    OrganisationFactory(name="Länsstyrelsen i Skåne län", parent=umbrella, preparedness=True)
    msb = OrganisationFactory(name="MSB", preparedness=True)
    plain = OrganisationFactory(name="Konsumentverket")
    SubscriptionFactory(organisation=umbrella, service=safos)
    SubscriptionFactory(organisation=plain, service=safos)
    SubscriptionFactory(organisation=msb, service=efos)
    SubscriptionFactory(organisation=plain, service=kap)
    for code, site, role, hours in [
        ("EFOS", "NORR-1", "primary", 2),
        ("EFOS", "SYD-1", "secondary", 6),
        ("SAFOS", "NORR-1", "primary", 4),
        ("KAP", "NORR-2", "primary", 2),
        ("KAP", "SYD-1", "secondary", 48),
    ]:
        placements.place_service(
            actor=admin, service_code=code, site_code=site, role=role, rto_hours=hours
        )
    return {"efos": efos, "safos": safos, "kap": kap}
