"""samdrift's own error pages (issue 21 item 1, ADR 0700).

Django's handlers (`handler400/403/404/500` in `config/urls.py`), the CSRF failure view
(`CSRF_FAILURE_VIEW`) and `MethodNotAllowedPageMiddleware` (405) land here. A page says what
happened and what the person can do, in the site's layout (header, language switch, navigation)
and their language. Every page carries a reference number that is also written to the server log
(logger `samdrift.errors`), so support can find the request a person reports.

The 500 page cannot use the site's layout: whatever failed (the database, a context processor)
may fail again while rendering it. It is rendered without a request (no context processors) from
`core/errors/minimal.html`, which reads nothing but its own context, and if even that fails a
fixed bilingual text is sent.

Under `/api/` the API's bilingual JSON error body is kept (`samdrift.core.api.error_body`).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samdrift.core.api import error_body

from .access import needed_for

logger = logging.getLogger("samdrift.errors")

API_PREFIX = "/api/"
FALLBACK_500 = (
    '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Serverfel / Server error'
    "</title></head><body><main><h1>Något gick fel hos oss.</h1>"
    '<p lang="en">Something went wrong on our side.</p><p>Referens / Reference: {ref}</p>'
    "</main></body></html>"
)


def new_reference() -> str:
    """Short enough to read out on the phone, random enough not to collide in a day's log."""
    return secrets.token_hex(4).upper()


def _log(request: HttpRequest, status: int, reference: str, detail: str = "", **kw: Any) -> None:
    user = getattr(request, "user", None)
    level = logging.ERROR if status >= 500 else logging.WARNING
    logger.log(
        level,
        "error reference %s: %s %s %s answered %s%s",
        reference,
        request.method,
        request.path,
        f"user {user.pk}" if user is not None and user.is_authenticated else "anonymous",
        status,
        f" ({detail})" if detail else "",
        **kw,
    )


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _api(status: int, code: str, message: Promise, reference: str) -> JsonResponse:
    return JsonResponse(error_body(code, message, reference=reference), status=status)


def _back_url(request: HttpRequest, *, same_page: bool = False) -> str | None:
    """The page the person came from, if it is ours (never an open redirect)."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(referer)
    back = parts.path + (f"?{parts.query}" if parts.query else "")
    return back if same_page or back != request.get_full_path() else None


def _login_url(request: HttpRequest, next_url: str | None) -> str:
    url = reverse(settings.LOGIN_URL)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _page(
    request: HttpRequest,
    status: int,
    title: Promise,
    lead: Promise,
    reference: str,
    **extra: Any,
) -> HttpResponse:
    user = getattr(request, "user", None)
    context = {
        "status": status,
        "title": title,
        "lead": lead,
        "reference": reference,
        "back_url": _back_url(request),
        "logged_in": bool(user is not None and user.is_authenticated),
        **extra,
    }
    try:
        return render(request, "ui/errors/page.html", context, status=status)
    except Exception:  # the layout itself failed (its context processors read the database)
        logger.exception("error reference %s: the error page's layout failed", reference)
        return _minimal(status, title, lead, reference)


def _minimal(status: int, title: Promise, lead: Promise, reference: str) -> HttpResponse:
    try:
        css = static("ui/samdrift.css")
    except Exception:  # a missing static manifest must not turn a 500 into a crash
        css = ""
    try:
        html: str = render_to_string(
            "core/errors/minimal.html",
            {
                "status": status,
                "title": title,
                "lead": lead,
                "reference": reference,
                "css": css,
                "language": get_language() or "sv",
            },
        )
    except Exception:
        html = FALLBACK_500.format(ref=reference)
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reference = new_reference()
    _log(request, 400, reference, type(exception).__name__ if exception else "")
    title = _("The request could not be understood")
    if _is_api(request):
        return _api(400, "bad_request", title, reference)
    lead = _(
        "Something in the address or the form was not as samdrift expects, so nothing was "
        "done. Go back and try again; if it happens again, contact support with the reference "
        "number below."
    )
    return _page(request, 400, title, lead, reference)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reference = new_reference()
    _log(request, 403, reference)
    title = _("You do not have access to this page")
    if _is_api(request):
        return _api(403, "forbidden", title, reference)
    match = request.resolver_match
    needed = needed_for(match.namespace if match else None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        lead = _("You are not logged in, or your session has ended. Log in and try again.")
    else:
        lead = _(
            "Your roles in your agency do not give access to this page. Nothing was changed. "
            "If your work needs it, ask for the role below."
        )
    return _page(
        request,
        403,
        title,
        lead,
        reference,
        needed=needed,
        login_url=_login_url(request, request.get_full_path()),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reference = new_reference()
    _log(request, 404, reference)
    title = _("The page was not found")
    if _is_api(request):
        return _api(404, "not_found", title, reference)
    lead = _(
        "There is no such page, or it belongs to something you cannot see. Check the address, "
        "or start again from the start page."
    )
    return _page(request, 404, title, lead, reference)


def server_error(request: HttpRequest) -> HttpResponse:
    reference = new_reference()
    _log(request, 500, reference, exc_info=True)
    title = _("Something went wrong on our side")
    if _is_api(request):
        return _api(500, "server_error", title, reference)
    lead = _(
        "samdrift could not finish your request; what you were doing may not have been saved. "
        "Try again in a moment. If it happens again, contact support and give them the "
        "reference number below."
    )
    return _minimal(500, title, lead, reference)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    reference = new_reference()
    _log(request, 403, reference, f"CSRF: {reason}")
    title = _("The form had expired")
    if _is_api(request):
        return _api(403, "csrf_failed", title, reference)
    back = _back_url(request, same_page=True)  # a form is often sent to its own page
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        lead = _(
            "You were logged out (or your session ended) before the form was sent, so nothing "
            "was saved. Log in again and fill in the form anew."
        )
    else:
        lead = _(
            "The form was open too long, or was sent from another tab or an old page, so "
            "nothing was saved. Open the page again and send the form anew."
        )
    return _page(
        request,
        403,
        title,
        lead,
        reference,
        csrf=True,
        login_url=_login_url(request, back),
    )


def method_not_allowed(request: HttpRequest, allowed: str) -> HttpResponse:
    reference = new_reference()
    _log(request, 405, reference, f"allowed {allowed}")
    title = _("This page cannot be used that way")
    lead = _(
        "The page was asked to do something it does not do (for example, a form was sent to "
        "an address that only shows a page). Nothing was changed. Go back and use the page's "
        "own buttons."
    )
    response = _page(request, 405, title, lead, reference)
    response["Allow"] = allowed
    return response


class MethodNotAllowedPageMiddleware:
    """A page's bare 405 (`require_http_methods`) becomes ours, with `Allow` kept; the API's
    own 405 keeps its JSON body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not _is_api(request):
            return method_not_allowed(request, response.get("Allow", ""))
        return response
