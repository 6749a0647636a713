"""Billing's long lists are paged (issue 10 item 7, ADR 0095): the year's invoices 50 a page in
one total order, the year kept across pages, any page number answered, queries flat."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samdrift.billing.models import Invoice, InvoiceRun
from samdrift.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .builders import make_world

pytestmark = pytest.mark.django_db

PERIOD = datetime.date(2024, 3, 1)


@pytest.fixture
def world() -> Any:
    return make_world()


@pytest.fixture
def finance_client(world: Any, client_for: Any) -> Any:
    user = UserFactory(username="pager_finance")
    MembershipFactory(user=user, organisation=world.provider, role="finance")
    return client_for(user)


def _invoices(world: Any, n: int) -> None:
    """n draft invoices that tie on the list's whole order (period, buyer name, kind, number)."""
    Invoice.objects.bulk_create(
        Invoice(
            seller=world.provider,
            buyer=OrganisationFactory(name="Samma myndighet"),
            period=PERIOD,
            issue_date=PERIOD,
            due_date=PERIOD,
            buyer_reference="ref",
        )
        for _ in range(n)
    )


def _runs(world: Any, n: int) -> None:
    start = InvoiceRun.objects.count()
    InvoiceRun.objects.bulk_create(
        InvoiceRun(
            provider=world.provider,
            period=datetime.date(1900 + (start + i) // 12, (start + i) % 12 + 1, 1),
            input_hash="x",
            issue_date=PERIOD,
        )
        for i in range(n)
    )


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/billing/invoices/(\d+)/"', html)]


def test_the_year_is_paged_in_one_order_with_the_year_kept(world: Any, finance_client: Any) -> None:
    _invoices(world, 120)
    seen: list[int] = []
    for number in (1, 2, 3):
        response = finance_client.get(f"/billing/?year=2024&page={number}")
        assert response.status_code == 200
        html = response.content.decode()
        seen += _ids(html)
        assert 'href="?year=2024&amp;page=' in html  # the year survives paging
        assert f'page={number}" aria-current="page"' in html
    assert len(seen) == 120 == len(set(seen))
    assert seen == sorted(seen)  # ties broken by id


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "9" * 40, "1e3", ""])
def test_any_page_number_answers_200(world: Any, finance_client: Any, page: str) -> None:
    _invoices(world, 60)
    response = finance_client.get(f"/billing/?year=2024&page={page}")
    assert response.status_code == 200
    assert len(_ids(response.content.decode())) in {50, 10}


@pytest.mark.parametrize(
    ("path", "grow"),
    [
        ("/billing/?year=2024", _invoices),
        ("/billing/?year=2024&page=3", _invoices),
        ("/billing/runs/?page=2", _runs),
        ("/api/v1/billing/runs?limit=50&offset=50", _runs),
        ("/api/v1/billing/invoices?year=2024&limit=50&offset=50", _invoices),
    ],
)
def test_query_count_is_flat_from_10_to_200(
    world: Any, finance_client: Any, path: str, grow: Any
) -> None:
    grow(world, 10)
    finance_client.get(path)  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert finance_client.get(path).status_code == 200
    grow(world, 190)
    with CaptureQueriesContext(connection) as large:
        assert finance_client.get(path).status_code == 200
    assert len(large) == len(small)


def test_the_api_lists_page_in_one_order(world: Any, finance_client: Any) -> None:
    _invoices(world, 23)
    seen: list[int] = []
    for offset in range(0, 30, 10):
        body = finance_client.get(f"/api/v1/billing/invoices?limit=10&offset={offset}").json()
        assert body["count"] == 23
        seen += [row["id"] for row in body["items"]]
    assert len(seen) == 23 == len(set(seen))
    response = finance_client.get("/api/v1/billing/invoices?limit=501")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
