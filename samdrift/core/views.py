"""Page-side mapping of domain errors: 404 for missing-or-forbidden, a message for the rest."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponseBase

from .exceptions import NotFound
from .paging import PER_PAGE, paginate


class DomainErrorMixin:
    """A missing and a forbidden object give the same 404 page."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except NotFound:
            raise Http404 from None


class PagedListMixin:
    """For a `ListView`: pages of `paginate_by` rows through `core.paging` (a total order, a
    page number that is not one gives the first page and one past the end the last, never a
    404), and `pager` in the context for ``{% include "core/includes/pager.html" %}``."""

    paginate_by = PER_PAGE
    request: HttpRequest

    def paginate_queryset(self, queryset: Any, page_size: int) -> tuple[Any, Any, Any, bool]:
        paged = paginate(queryset, params=self.request.GET, per_page=page_size)
        self.pager = paged
        return paged.page.paginator, paged.page, paged.page.object_list, paged.is_paginated

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["pager"] = getattr(self, "pager", None)
        return context
