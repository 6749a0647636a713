"""Page-side mapping of domain errors: 404 for missing-or-forbidden, a message for the rest."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponseBase

from .exceptions import NotFound


class DomainErrorMixin:
    """A missing and a forbidden object give the same 404 page."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except NotFound:
            raise Http404 from None
