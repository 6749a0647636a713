"""core.paging: a total order, page numbers that cannot fail, the filters kept, flat queries."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from samdrift.core.notifications.models import Notification
from samdrift.core.paging import PageLink, page_links, paginate, query_prefix, stable_order

_users = itertools.count()


def _rows(n: int) -> None:
    user = get_user_model().objects.create_user(username=f"pager{next(_users)}")
    same = timezone.now()  # every row ties on the list's own order
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind="k",
            channel="in_app",
            language="sv",
            subject=f"s{i}",
            body="b",
            created_at=same,
        )
        for i in range(n)
    )


def test_page_links_window_and_gaps() -> None:
    links = page_links(6, 20)
    assert [link.number for link in links] == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert [link.number for link in links if link.current] == [6]
    assert page_links(1, 1) == (PageLink(1, current=True),)
    assert [link.number for link in page_links(2, 4)] == [1, 2, 3, 4]


def test_query_prefix_keeps_filters_and_drops_the_page() -> None:
    params = QueryDict("year=2021&status=sent&status=paid&page=3&q=%C3%A5+%26")
    prefix = query_prefix(params)
    assert "page=" not in prefix
    assert prefix.endswith("&")
    assert QueryDict(prefix.rstrip("&")).getlist("status") == ["sent", "paid"]
    assert QueryDict(prefix.rstrip("&"))["q"] == "å &"
    assert query_prefix(QueryDict("page=2")) == ""
    assert query_prefix({"year": "2021"}) == "year=2021&"


@pytest.mark.django_db
def test_stable_order_appends_the_primary_key_to_ties() -> None:
    _rows(3)
    qs = stable_order(Notification.objects.order_by("-created_at"))
    assert qs.query.order_by == ("-created_at", "pk")
    # The model's own ordering is kept when the queryset has none, and a key already there stays.
    assert stable_order(Notification.objects.all()).query.order_by == ("-created_at", "-id")
    assert stable_order(Notification.objects.order_by("id")).query.order_by == ("id",)
    assert stable_order(Notification.objects.order_by()).query.order_by == ("pk",)


@pytest.mark.django_db
def test_pages_of_tied_rows_cover_every_row_once() -> None:
    _rows(23)
    qs = Notification.objects.order_by("created_at")
    seen: list[int] = []
    for number in range(1, 4):
        paged = paginate(qs, params={"page": str(number)}, per_page=10)
        seen += [n.id for n in paged.object_list]
    assert len(seen) == 23 == len(set(seen))
    assert seen == sorted(seen)
    assert paginate(qs, params={}, per_page=10).num_pages == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("abc", 1),
        ("", 1),
        ("1.5", 1),
        ("0", 3),
        ("-4", 3),
        ("99999999999999999999", 3),
        ("3", 3),
        ("2", 2),
        ("%00", 1),
    ],
)
def test_garbage_and_out_of_range_pages_land_on_a_page(asked: str, expected: int) -> None:
    _rows(23)
    paged = paginate(Notification.objects.all(), params={"page": asked}, per_page=10)
    assert paged.page.number == expected


@pytest.mark.django_db
def test_query_count_is_flat() -> None:
    _rows(10)
    with CaptureQueriesContext(connection) as small:
        list(paginate(Notification.objects.all(), params={"page": "1"}, per_page=5).object_list)
    _rows(190)
    with CaptureQueriesContext(connection) as large:
        list(paginate(Notification.objects.all(), params={"page": "7"}, per_page=5).object_list)
    assert len(small) == len(large) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sv", "en"])
def test_pager_marks_the_current_page_and_keeps_filters(language: str) -> None:
    _rows(120)
    paged = paginate(
        Notification.objects.all(), params=QueryDict("show=unread&page=2"), per_page=10
    )
    with translation.override(language):
        html = render_to_string("core/includes/pager.html", {"pager": paged})
    label = "Sidor" if language == "sv" else "Pages"
    assert f'<nav class="pager" aria-label="{label}">' in html
    assert 'href="?show=unread&amp;page=2" aria-current="page"' in html
    assert 'href="?show=unread&amp;page=1" rel="prev"' in html
    assert 'href="?show=unread&amp;page=3" rel="next"' in html
    assert 'href="?show=unread&amp;page=12"' in html
    assert ("Rad 11–20 av 120" if language == "sv" else "Rows 11–20 of 120") in html
    # One page only: no pager at all.
    single = paginate(Notification.objects.all(), params={}, per_page=500)
    assert render_to_string("core/includes/pager.html", {"pager": single}).strip() == ""
