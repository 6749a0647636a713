"""A small operations world: Försäkringskassan (FK) runs BASE (around the clock) and APP (office
hours), APP depends on BASE; agency A uses APP, B uses BASE, C uses only the second provider's
OWN service. People in each, an FK operator and an FK finance officer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from samdrift.accounts.models import User
from samdrift.accounts.selectors import actor_for_user
from samdrift.catalogue.models import Service, ServiceDependency
from samdrift.core.actor import Actor
from samdrift.operations.calendars import STOCKHOLM
from samdrift.organisations.models import Organisation
from samdrift.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProviderFactory,
    SecondProviderFactory,
    ServiceFactory,
    SubscriptionFactory,
)

MONDAY = dt.datetime(2026, 11, 30, 8, 0, tzinfo=STOCKHOLM)


@dataclass
class OpsWorld:
    fk: Organisation
    second: Organisation
    a: Organisation
    b: Organisation
    c: Organisation
    base: Service
    app: Service
    own: Service
    users: dict[str, User] = field(default_factory=dict)

    def actor(self, name: str) -> Actor:
        return actor_for_user(self.users[name])


@pytest.fixture
def ops(db) -> OpsWorld:
    fk = ProviderFactory(name="Försäkringskassan", org_number="202100-5521")
    second = SecondProviderFactory()
    a = OrganisationFactory(name="Myndighet A")
    b = OrganisationFactory(name="Myndighet B")
    c = OrganisationFactory(name="Myndighet C")
    base = ServiceFactory(code="BASE", provider=fk, support_hours="24x7")
    app = ServiceFactory(code="APP", provider=fk, support_hours="office")
    own = ServiceFactory(code="OWN", provider=second, support_hours="office")
    ServiceDependency.objects.create(service=app, depends_on=base)
    SubscriptionFactory(organisation=a, service=app)
    SubscriptionFactory(organisation=b, service=base)
    SubscriptionFactory(organisation=c, service=own)
    world = OpsWorld(fk=fk, second=second, a=a, b=b, c=c, base=base, app=app, own=own)
    for name, org, role in [
        ("operator", fk, "service_manager"),
        ("finance", fk, "finance"),
        ("a_member", a, "member"),
        ("a_contact", a, "contact"),
        ("b_member", b, "member"),
        ("c_member", c, "member"),
        ("second_admin", second, "provider_admin"),
    ]:
        membership = MembershipFactory(
            organisation=org, role=role, user__username=name, user__email=f"{name}@example.se"
        )
        world.users[name] = membership.user
    return world
