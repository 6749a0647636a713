"""The list pages page through core.paging (issue 10 item 7, ADR 0095): the same number of
queries with 10 and with 200 rows, any page number answered with a page, filters kept in the
pager's links, and rows that tie on the list's order shown once."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samdrift.core.notifications.models import Notification
from samdrift.onboarding.models import ConnectionCase
from samdrift.tests.factories import OrganisationFactory, ServiceFactory, ServiceRequestFactory

pytestmark = pytest.mark.django_db


def _agencies(world: dict[str, Any], n: int) -> None:
    # Names are unique (ADR 0002): no ties here, only pages.
    start = world.setdefault("agencies", 0)
    for i in range(start, start + n):
        OrganisationFactory(name=f"Samma namn {i:04d}")
    world["agencies"] = start + n


def _requests(world: dict[str, Any], n: int) -> None:
    service = world.setdefault("service", ServiceFactory())
    for _ in range(n):
        ServiceRequestFactory(organisation=world["agency"], service=service)


def _cases(world: dict[str, Any], n: int) -> None:
    ConnectionCase.objects.bulk_create(
        ConnectionCase(
            organisation=world["agency"],
            scope="total",
            phase="plan",
            state="open",
            opened_on=datetime.date(2024, 1, 1),
        )
        for _ in range(n)
    )


def _inbox(world: dict[str, Any], n: int) -> None:
    same = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient=world["user"], kind="k", channel="in_app", language="sv",
            subject=f"Meddelande {i}", body="b", created_at=same,
        )
        for i in range(n)
    )  # fmt: skip


# (name, list URL with a filter, the filter as it must reappear in the pager, rows, row link)
LISTS: list[tuple[str, str, str, Callable[[dict[str, Any], int], None], str]] = [
    ("agencies", "/agencies/?q=Samma", "q=Samma", _agencies, r'href="/agencies/(\d+)/"'),
    ("requests", "/connections/requests/?status=requested", "status=requested", _requests, ""),
    ("cases", "/connections/?phase=plan", "phase=plan", _cases, r'href="/connections/(\d+)/"'),
    ("inbox", "/inbox/?show=all", "show=all", _inbox, ""),
]


@pytest.fixture
def world(agency: Any, account_manager: Any) -> dict[str, Any]:
    return {"agency": agency, "user": account_manager}


@pytest.mark.parametrize(("name", "url", "kept", "grow", "link"), LISTS, ids=[x[0] for x in LISTS])
def test_query_count_is_flat_from_10_to_200_rows(
    world: dict[str, Any], client_for: Any, name: str, url: str, kept: str, grow: Any, link: str
) -> None:
    client = client_for(world["user"])
    grow(world, 10)
    client.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(world, 190)
    client.get(url)
    with CaptureQueriesContext(connection) as large:
        response = client.get(f"{url}&page=2")
    assert response.status_code == 200
    assert len(large) == len(small), name
    html = response.content.decode()
    assert f'href="?{kept}&amp;page=3"' in html  # the filter survives paging
    assert 'page=2" aria-current="page"' in html


@pytest.mark.parametrize(("name", "url", "kept", "grow", "link"), LISTS, ids=[x[0] for x in LISTS])
@pytest.mark.parametrize("page", ["x", "0", "-3", "100000", "9" * 30, "%00"])
def test_any_page_number_gives_a_page(
    world: dict[str, Any], client_for: Any, name: str, url: str, kept: str, grow: Any, link: str,
    page: str,
) -> None:  # fmt: skip
    grow(world, 60)
    assert client_for(world["user"]).get(f"{url}&page={page}").status_code == 200


@pytest.mark.parametrize(
    ("name", "url", "kept", "grow", "link"), [x for x in LISTS if x[4]], ids=["agencies", "cases"]
)
def test_tied_rows_show_once_across_pages(
    world: dict[str, Any], client_for: Any, name: str, url: str, kept: str, grow: Any, link: str
) -> None:
    grow(world, 120)
    client = client_for(world["user"])
    seen: list[str] = []
    for number in (1, 2, 3):
        seen += re.findall(link, client.get(f"{url}&page={number}").content.decode())
    assert len(seen) == len(set(seen)) >= 120
