"""Every foundation list endpoint (and the case detail) costs the same number of queries with
5 rows as with 50: nothing is fetched per row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samdrift.accounts.selectors import actor_for_user
from samdrift.accounts.services import token_create
from samdrift.catalogue.models import ServiceDependency
from samdrift.onboarding.models import CaseChecklistItem
from samdrift.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ServiceFactory,
    ServiceRequestFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.api.support import call, checklist_templates, open_case

pytestmark = pytest.mark.django_db

MAX_QUERIES = 14  # session, user, memberships, hierarchy levels, count, rows, prefetches


def _agencies(n: int, world: dict[str, Any]) -> None:
    for _ in range(n):
        parent = OrganisationFactory(parent=None)
        OrganisationFactory(parent=parent)


def _agencies_of_parent(n: int, world: dict[str, Any]) -> None:
    for _ in range(n):
        child = OrganisationFactory(parent=world["parent"])
        SubscriptionFactory(organisation=child, service=world["service"])


def _services(n: int, world: dict[str, Any]) -> None:
    for _ in range(n):
        service = ServiceFactory()
        ServiceDependency.objects.create(service=service, depends_on=world["service"])
        SubscriptionFactory(organisation=world["agency"], service=service)


def _cases(n: int, world: dict[str, Any]) -> None:
    for _ in range(n):
        open_case(world["agency"].id, [ServiceFactory().code, world["service"].code])


def _requests(n: int, world: dict[str, Any]) -> None:
    for _ in range(n):
        ServiceRequestFactory(organisation=world["agency"], service=ServiceFactory())


def _subscriptions(n: int, world: dict[str, Any]) -> None:
    for _ in range(n):
        SubscriptionFactory(organisation=OrganisationFactory(), service=world["service"])


def _demand(n: int, world: dict[str, Any]) -> None:
    for _ in range(n):
        service = ServiceFactory()
        org = OrganisationFactory(parent=world["parent"])
        ServiceRequestFactory(organisation=org, service=service)
        SubscriptionFactory(organisation=org, service=service)


def _tokens(n: int, world: dict[str, Any]) -> None:
    for index in range(n):
        token_create(actor=actor_for_user(world["user"]), name=f"token {index}")


def _case_detail(n: int, world: dict[str, Any]) -> None:
    case = world["case"]
    for index in range(n):
        CaseChecklistItem.objects.create(
            case=case, phase=case.phase, text_sv=f"p{index}", text_en=f"i{index}"
        )
        case.services.add(ServiceFactory())


@pytest.fixture
def world(provider, account_manager):
    checklist_templates(per_phase=1)
    parent = OrganisationFactory(name="Domstolsverket")
    contact = UserFactory(username="dv_kontakt")
    MembershipFactory(user=contact, organisation=parent, role="contact")
    agency = OrganisationFactory(name="Skatteverket")
    service = ServiceFactory(code="EFOS")
    return {
        "parent": parent,
        "parent_contact": contact,
        "agency": agency,
        "service": service,
        "user": account_manager,
        "case": open_case(agency.id, ["EFOS"]),
    }


Grow = Callable[[int, dict[str, Any]], None]
ENDPOINTS: list[tuple[str, str, str, Grow]] = [
    ("agencies as staff", "user", "/agencies?limit=500", _agencies),
    ("agencies as parent contact", "parent_contact", "/agencies?limit=500", _agencies_of_parent),
    ("agency detail", "parent_contact", "/agencies/{parent}", _agencies_of_parent),
    ("services", "user", "/services?limit=500", _services),
    ("service detail", "user", "/services/EFOS", _services),
    ("cases", "user", "/cases?limit=500", _cases),
    ("case detail", "user", "/cases/{case}", _case_detail),
    ("requests", "user", "/requests?limit=500", _requests),
    ("subscriptions", "user", "/subscriptions?limit=500", _subscriptions),
    ("demand report", "user", "/reports/demand?year=2030&basis=all", _demand),
    ("my tokens", "user", "/me/tokens", _tokens),
]


@pytest.mark.parametrize(
    ("who", "template", "grow"),
    [(who, template, grow) for _name, who, template, grow in ENDPOINTS],
    ids=[name for name, *_rest in ENDPOINTS],
)
def test_query_count_does_not_grow_with_rows(
    client_for, world, django_assert_max_num_queries, django_assert_num_queries, who, template, grow
):
    # given
    client = client_for(world[who])
    path = template.format(parent=world["parent"].id, case=world["case"].id)
    grow(5, world)
    call(client, "GET", path)  # warm the session and the content-type caches
    with CaptureQueriesContext(connection) as five:
        small = call(client, "GET", path)
    assert small.status_code == 200
    # when
    grow(45, world)
    # then
    with django_assert_max_num_queries(MAX_QUERIES), django_assert_num_queries(len(five)):
        large = call(client, "GET", path)
    assert large.status_code == 200
    assert len(large.content) > len(small.content)  # the 45 new rows are really in the answer
