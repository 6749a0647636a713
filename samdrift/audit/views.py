"""The provider's trail search page and its CSV export (issue 10 item 4)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.views import View
from django.views.generic import ListView

from samdrift.core.exceptions import NotFound
from samdrift.core.views import PagedListMixin

from .forms import TrailSearchForm
from .permissions import trail_abilities
from .selectors import trail_search
from .services import audit_read

CSV_COLUMNS = ["id", "at", "actor", "action", "object_type", "object_id", "organisation_id",
               "before", "after", "hash"]  # fmt: skip
#: An export holds at most this many events, the newest first; narrow the search for older ones.
EXPORT_LIMIT = 100_000


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


class TrailView(LoginRequiredMixin, PagedListMixin, ListView):
    template_name = "audit/trail.html"
    paginate_by = 50
    context_object_name = "events"

    def get_queryset(self) -> Any:
        self.form = TrailSearchForm(self.request.GET or None)
        try:
            return trail_search(actor=_actor(self.request), filters=self.form.filters())
        except NotFound:
            raise Http404 from None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        query = self.request.GET.copy()
        query.pop("page", None)
        return {
            **super().get_context_data(**kwargs),
            "form": self.form,
            "querystring": query.urlencode(),
            "abilities": trail_abilities(_actor(self.request)),
        }


class _Echo:
    def write(self, value: str) -> str:
        return value


def _rows(events: Any) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events[:EXPORT_LIMIT].iterator(chunk_size=2000):
        yield writer.writerow(
            [
                event.id,
                event.at.isoformat(),
                event.actor_label,
                event.action,
                event.object_type,
                event.object_id,
                event.organisation_id or "",
                json.dumps(event.before, ensure_ascii=False) if event.before is not None else "",
                json.dumps(event.after, ensure_ascii=False) if event.after is not None else "",
                event.hash,
            ]
        )


class TrailExportView(LoginRequiredMixin, View):
    """The search's rows as CSV (at most EXPORT_LIMIT). Exporting the trail is a recorded read."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = TrailSearchForm(request.GET or None)
        filters = form.filters()
        try:
            events = trail_search(actor=_actor(request), filters=filters)
        except NotFound:
            raise Http404 from None
        audit_read(
            actor=_actor(request), access="export", object_type="audit.trail", object_id="-",
            detail={"filters": {k: str(v) for k, v in vars(filters).items() if v}},
        )  # fmt: skip
        response = HttpResponse("".join(_rows(events)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        return response
