"""The site-wide search's page (issue 21 item 3, ADR 0702): the header's box sends here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from samdrift.core.search.query import MAX_INPUT_CHARS, EmptyQuery

from .search import KINDS, site_search


@require_GET
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Results grouped by kind with their counts; an empty box, a box without a word in it and an
    empty result each say what was searched and what to try. Never an error page: the answer is
    200 whatever was typed."""
    query = request.GET.get("q", "")
    context: dict[str, Any] = {
        "q": query[:MAX_INPUT_CHARS],
        "truncated": len(query) > MAX_INPUT_CHARS,
        "result": None,
        "error": "",
        "kinds": [kind.label for kind in KINDS],
    }
    if query.strip():
        try:
            result = site_search(actor=request.actor, query=query)  # type: ignore[attr-defined]
            context.update(result=result, words=" ".join(result.words))
        except EmptyQuery as error:
            context["error"] = error.message
    return render(request, "ui/search.html", context)
