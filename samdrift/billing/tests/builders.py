"""Test data for billing, built with the shared factories (the lead's demo data is separate)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from samdrift.accounts.selectors import actor_for_user
from samdrift.billing import services
from samdrift.billing.models import BillableService, BillingProfile, FeeArea
from samdrift.catalogue.models import Service
from samdrift.core.actor import Actor
from samdrift.organisations.models import Organisation
from samdrift.tests.factories import (
    ConnectionCaseFactory,
    MembershipFactory,
    OrganisationFactory,
    ProviderFactory,
    ServiceFactory,
    SubscriptionFactory,
    UserFactory,
)


@dataclass
class World:
    provider: Organisation
    finance: Actor
    area: FeeArea
    services: dict[str, Service]
    agencies: dict[str, Organisation] = field(default_factory=dict)


def finance_actor(provider: Organisation, username: str = "ekonomi") -> Actor:
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=provider, role="finance")
    return actor_for_user(user)


def make_world(
    codes: tuple[str, ...] = ("ARBETSPLATS", "LAGRING"), recovery_years: int = 3
) -> World:
    provider = ProviderFactory(name="Försäkringskassan", org_number="202100-5521")
    BillingProfile.objects.get_or_create(
        organisation=provider, defaults={"bankgiro": "50501055", "city": "Stockholm"}
    )
    area = FeeArea.objects.create(
        code="it-drift",
        name_sv="Samordnad it-drift",
        name_en="Coordinated IT operations",
        recovery_years=recovery_years,
    )
    made = {}
    units = {"ARBETSPLATS": ("C62", "användare", "users"), "LAGRING": ("E35", "TB", "TB")}
    for code in codes:
        service = ServiceFactory(
            code=code, name_sv=code.capitalize(), name_en=code.capitalize(), provider=provider
        )
        unit = units.get(code, ("C62", "st", "pcs"))
        BillableService.objects.create(
            service=service, fee_area=area, unit_code=unit[0], unit_sv=unit[1], unit_en=unit[2]
        )
        made[code] = service
    return World(provider, finance_actor(provider), area, made)


def agency(world: World, name: str, **kwargs: object) -> Organisation:
    org = OrganisationFactory(name=name, **kwargs)
    world.agencies[name] = org
    return org


def subscribe(
    org: Organisation, service: Service, start: datetime.date = datetime.date(2021, 1, 1)
) -> None:
    SubscriptionFactory(
        organisation=org, service=service, start_date=start, agreement_basis="assignment"
    )


def price(
    world: World, code: str, amount: str, valid_from: datetime.date, **kwargs: object
) -> None:
    services.create_price_version(
        actor=world.finance,
        service_code=code,
        unit_price=amount,
        valid_from=valid_from,
        decision_ref=f"FK beslut {valid_from.year}-{code}",
        decision_date=valid_from - datetime.timedelta(days=30),
        **kwargs,  # type: ignore[arg-type]
    )


def own_fee_area(b: Actor, service_code: str, year: int, unit_price: str = "50") -> FeeArea:
    """A second provider's own fee area, billing its `service_code` at `unit_price` from the
    year's first day, decided by its own finance function `b`."""
    area = services.create_fee_area(
        actor=b, code="it-drift", name_sv="B:s it-drift", name_en="B's IT operations"
    )
    services.bill_service(actor=b, fee_area_id=area.pk, service_code=service_code)
    services.create_price_version(
        actor=b,
        service_code=service_code,
        unit_price=unit_price,
        valid_from=datetime.date(year, 1, 1),
        decision_ref="B beslut",
        decision_date=datetime.date(year - 1, 12, 1),
    )
    return area


def usage_rows(
    org: Organisation, code: str, year: int, quantity: Decimal | int, months: range = range(1, 13)
) -> list[dict[str, object]]:
    return [
        {
            "organisation": org.name,
            "service": code,
            "period": f"{year}-{month:02d}",
            "quantity": str(quantity),
            "source": "test",
            "key": f"{org.name}:{code}:{year}-{month:02d}",
        }
        for month in months
    ]


def project_case(org: Organisation, service: Service) -> int:
    case = ConnectionCaseFactory(organisation=org)
    case.services.add(service)
    return int(case.pk)
