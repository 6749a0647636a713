"""factory_boy factories for the foundation models; every app's tests build on these."""

from __future__ import annotations

import datetime

import factory

from samdrift.accounts.models import User
from samdrift.catalogue.models import Category, Service
from samdrift.onboarding.models import ConnectionCase, ServiceRequest, Subscription
from samdrift.organisations.models import Membership, Organisation


def luhn_complete(first_nine: str) -> str:
    """Append the Luhn check digit to nine digits and format as NNNNNN-NNNN."""
    total = 0
    for index, char in enumerate(reversed(first_nine)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    check = (10 - total % 10) % 10
    digits = f"{first_nine}{check}"
    return f"{digits[:6]}-{digits[6:]}"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Testmyndigheten {n}")
    # Modulo: the number is not unique (courts share one) and must stay NNNNNN-NNNN long.
    org_number = factory.Sequence(lambda n: luhn_complete(f"202199{n % 1000:03d}"))
    ministry = "Finansdepartementet"
    kind = "customer"


class ProviderFactory(OrganisationFactory):
    kind = "provider"


class SecondProviderFactory(ProviderFactory):
    """A second provider agency (the SITSSAM agencies may also provide): its staff must see
    none of Försäkringskassan's customers (ADR 0041)."""

    name = "SITSSAM-myndigheten"
    org_number = "202100-6016"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password("demo-password")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "member"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = "infrastructure"
    name_sv = "Infrastruktur"
    name_en = "Infrastructure"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SVC-{n}")
    name_sv = factory.Sequence(lambda n: f"Tjänst {n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")
    category = factory.SubFactory(CategoryFactory)
    provider = factory.SubFactory(
        ProviderFactory, name="Försäkringskassan", org_number="202100-5521"
    )
    lifecycle = "active"


class ServiceRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRequest

    organisation = factory.SubFactory(OrganisationFactory)
    service = factory.SubFactory(ServiceFactory)
    requested_on = datetime.date(2021, 3, 1)


class ConnectionCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConnectionCase

    organisation = factory.SubFactory(OrganisationFactory)
    scope = "single"
    opened_on = datetime.date(2021, 2, 1)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    organisation = factory.SubFactory(OrganisationFactory)
    service = factory.SubFactory(ServiceFactory)
    start_date = datetime.date(2021, 6, 1)
    agreement_basis = "assignment"
