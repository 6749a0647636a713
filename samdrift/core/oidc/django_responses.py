"""Django responses built from `responses` (the only module here that imports Django)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, JsonResponse

from .responses import BEARER_STATUS, NO_STORE, bearer_challenge, error_body


def no_store(response: HttpResponse) -> HttpResponse:
    for name, value in NO_STORE.items():
        response[name] = value
    return response


def token_response(body: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    no_store(response)
    return response


def token_error(error: str, description: str, status: int = 400) -> JsonResponse:
    return token_response(error_body(error, description), status)


def bearer_error(error: str = "", description: str = "", realm: str = "") -> JsonResponse:
    """401/400/403 for a protected resource; no error code when no token was sent at all."""
    status = BEARER_STATUS.get(error, 401)
    response = token_response(error_body(error or "invalid_token", description), status)
    response["WWW-Authenticate"] = bearer_challenge(error, description, realm)
    return response
