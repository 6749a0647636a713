"""Swedish first: the language is the user's explicit choice (the switch's cookie), else Swedish.

The browser's Accept-Language is ignored on purpose: officials in Swedish agencies often run
English-language browsers, and the issue is clear that the product speaks Swedish unless asked.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class SwedishFirstMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
