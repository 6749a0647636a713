"""Fixtures of the security tests: a provider's SOC, a component used by one service that
another depends on, and agencies subscribed to each."""

from __future__ import annotations

from pathlib import Path

import pytest

from samdrift.accounts.selectors import actor_for_user
from samdrift.catalogue.models import ServiceDependency
from samdrift.security import services
from samdrift.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ServiceFactory,
    SubscriptionFactory,
    UserFactory,
)

DATA = Path(__file__).parent / "data"


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def soc(security_officer):
    return actor_for_user(security_officer)


@pytest.fixture
def landscape(soc, provider):
    """EFOS runs the `efos-web` image; SAFOS depends on EFOS; KAP stands alone. Myndighet A
    subscribes to SAFOS, Myndighet B to KAP, Myndighet C to EFOS (and ended a SAFOS one)."""
    efos = ServiceFactory(code="EFOS", provider=provider)
    safos = ServiceFactory(code="SAFOS", provider=provider)
    kap = ServiceFactory(code="KAP", provider=provider)
    ServiceDependency.objects.create(service=safos, depends_on=efos)
    a = OrganisationFactory(name="Myndighet A")
    b = OrganisationFactory(name="Myndighet B")
    c = OrganisationFactory(name="Myndighet C")
    SubscriptionFactory(organisation=a, service=safos)
    SubscriptionFactory(organisation=b, service=kap)
    SubscriptionFactory(organisation=c, service=efos)
    SubscriptionFactory(organisation=c, service=safos, end_date="2022-01-01")
    component = services.component_register(
        actor=soc, name="efos-web", kind="image", version="3.17", service_codes=["EFOS"]
    )
    return {"efos": efos, "safos": safos, "kap": kap, "a": a, "b": b, "c": c,
            "component": component}  # fmt: skip


def member_of(org, username, role="member"):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=org, role=role)
    return actor_for_user(user)
