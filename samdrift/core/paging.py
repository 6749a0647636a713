"""One way to page a list, for every list page (and, through `core.api.Page`, every API list).

ADR 0095: numbered offset pages (Django's `Paginator`) over a queryset whose order is made total
by `stable_order` (the list's own order, then the primary key), so a row never shows on two pages
nor on none while nothing changes. A page number that is not a number gives the first page, one
beyond the end the last (Django's `get_page`): a link kept from a longer list still lands
somewhere, and no page number can make a 404 or a 500. Two queries per page whatever the length:
one `COUNT`, one slice.

In a view::

    paged = paginate(invoice_list(actor=actor, year=year), params=request.GET)
    return render(request, "billing/invoice_list.html", {**paged.context(), "year": year})

and in the template ``{% include "core/includes/pager.html" %}``, which keeps every other query
parameter (the list's filters) in its links. Class-based list views use
`samdrift.core.views.PagedListMixin`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import QueryDict

PER_PAGE = 50
PAGE_PARAM = "page"
# How many page numbers either side of the current one the pager links to.
WINDOW = 2

_PK_NAMES = frozenset({"pk", "-pk", "id", "-id"})

M = TypeVar("M", bound=Model)


def stable_order(queryset: QuerySet[M]) -> QuerySet[M]:
    """The queryset in its own order (or its model's `Meta.ordering`) with the primary key as the
    last key, so rows that tie on the list's order keep one order from page to page."""
    query = queryset.query
    fields: list[Any] = list(query.order_by)
    if not fields and query.default_ordering:
        fields = list(queryset.model._meta.ordering or ())
    names = {f for f in fields if isinstance(f, str)}
    if names & _PK_NAMES:
        return queryset if query.order_by else queryset.order_by(*fields)
    return queryset.order_by(*fields, "pk")


class Mapped(Sequence[Any]):
    """A queryset in `stable_order` whose rows are turned into answers (`make`) only for the
    page taken: for an API list that builds a dict per row, so it can be paged by
    `core.api.Page` without building (or querying for) the rows of other pages. The length is
    one `COUNT`."""

    def __init__(self, queryset: QuerySet[Any], make: Callable[[Any], Any]) -> None:
        self.queryset = stable_order(queryset)
        self.make = make

    def __len__(self) -> int:
        return int(self.queryset.count())

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self.make(row) for row in self.queryset[index]]
        return self.make(self.queryset[index])


@dataclass(frozen=True)
class PageLink:
    """One entry of the pager: a page number (`current` for the page shown) or a gap (None)."""

    number: int | None
    current: bool = False


@dataclass(frozen=True)
class Paged:
    """One page of a list and what the pager template needs to link to the others."""

    page: Page
    # The request's other query parameters, url-encoded, each link's prefix (ends with `&`).
    query_prefix: str
    param: str = PAGE_PARAM
    links: tuple[PageLink, ...] = field(default=())

    @property
    def object_list(self) -> Any:
        return self.page.object_list

    @property
    def count(self) -> int:
        return int(self.page.paginator.count)

    @property
    def num_pages(self) -> int:
        return int(self.page.paginator.num_pages)

    @property
    def is_paginated(self) -> bool:
        return bool(self.page.has_other_pages())

    def context(self, name: str = "object_list") -> dict[str, Any]:
        """Template context: the rows as `name`, the pager as `pager`, and the names Django's
        `ListView` uses (`page_obj`, `paginator`, `is_paginated`)."""
        return {
            name: self.page.object_list,
            "pager": self,
            "page_obj": self.page,
            "paginator": self.page.paginator,
            "is_paginated": self.is_paginated,
        }


def page_links(number: int, num_pages: int, window: int = WINDOW) -> tuple[PageLink, ...]:
    """First, last and `window` pages either side of `number`; a gap (None) where pages are
    left out. 1 … 4 5 [6] 7 8 … 20."""
    shown = {1, num_pages, *range(number - window, number + window + 1)}
    links: list[PageLink] = []
    previous = 0
    for n in sorted(p for p in shown if 1 <= p <= num_pages):
        if n > previous + 1:
            links.append(PageLink(None))
        links.append(PageLink(n, current=n == number))
        previous = n
    return tuple(links)


def query_prefix(params: Mapping[str, Any] | QueryDict, param: str = PAGE_PARAM) -> str:
    """The query string without the page parameter, ready to have `page=N` appended."""
    if isinstance(params, QueryDict):
        kept = params.copy()
    else:
        kept = QueryDict(mutable=True)
        for key, value in params.items():
            kept[key] = str(value)
    kept.pop(param, None)
    encoded = kept.urlencode()
    return f"{encoded}&" if encoded else ""


def paginate(
    rows: QuerySet[Any] | Sequence[Any],
    *,
    params: Mapping[str, Any] | QueryDict,
    per_page: int = PER_PAGE,
    param: str = PAGE_PARAM,
) -> Paged:
    """The page `params[param]` of `rows` (a queryset is put in `stable_order` first; a list is
    taken in the order given). Not a number → the first page; past the end → the last."""
    if isinstance(rows, QuerySet):
        rows = stable_order(rows)
    page = Paginator(rows, per_page).get_page(params.get(param))
    return Paged(
        page=page,
        query_prefix=query_prefix(params, param),
        param=param,
        links=page_links(page.number, page.paginator.num_pages),
    )
