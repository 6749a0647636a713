"""A busy database is a 503 with Retry-After, not a 500 (issue 19 item 2).

SQLite answers `database is locked` once its busy timeout passes while another connection holds
the write lock; PostgreSQL answers lock_not_available (55P03), serialization_failure (40001),
deadlock_detected (40P01) or query_canceled (57014, a statement timeout). Each means "try again
shortly", so the caller gets that, in Swedish and English, and nothing was changed (the request's
transaction, if any, rolled back).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import get_language

RETRY_AFTER_SECONDS = 5
BUSY_CODE = "busy"
BUSY_SV = "Databasen är upptagen just nu. Försök igen om en stund."
BUSY_EN = "The database is busy right now. Please try again shortly."
BUSY_TITLE_SV = "Upptaget just nu"
BUSY_TITLE_EN = "Busy right now"
logger = logging.getLogger("samdrift.errors")
_PG_BUSY = {"55P03", "40001", "40P01", "57014"}


def is_busy(exc: BaseException) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in _PG_BUSY or getattr(cause, "pgcode", None) in _PG_BUSY:
        return True
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text


def busy_body() -> dict[str, str]:
    """The API's error body (`samdrift.core.api.ErrorOut`)."""
    swedish = (get_language() or "sv").startswith("sv")
    return {
        "code": BUSY_CODE,
        "message": BUSY_SV if swedish else BUSY_EN,
        "message_sv": BUSY_SV,
        "message_en": BUSY_EN,
    }


def with_retry_after(response: HttpResponse) -> HttpResponse:
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class BusyDatabaseMiddleware:
    """Pages: a busy database gives a short bilingual 503 page with Retry-After."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not is_busy(exc):
            return None
        reference = secrets.token_hex(4).upper()
        logger.warning(
            "error reference %s: %s %s answered 503 (busy)", reference, request.method, request.path
        )
        swedish = (get_language() or "sv").startswith("sv")
        try:  # the page of the site's error pages that reads nothing (ADR 0700)
            page: str = render_to_string(
                "core/errors/minimal.html",
                {
                    "status": 503,
                    "title": BUSY_TITLE_SV if swedish else BUSY_TITLE_EN,
                    "lead": BUSY_SV if swedish else BUSY_EN,
                    "other_lead": BUSY_EN if swedish else BUSY_SV,
                    "other_language": "en" if swedish else "sv",
                    "reference": reference,
                    "css": static("ui/samdrift.css"),
                    "language": "sv" if swedish else "en",
                },
            )
        except Exception:
            page = (
                '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">'
                "<title>Upptagen / Busy</title></head><body><main>"
                f'<h1>{BUSY_SV}</h1><p lang="en">{BUSY_EN}</p></main></body></html>'
            )
        return with_retry_after(HttpResponse(page, status=503))
