"""Security headers on real responses through the whole middleware stack (ADR 0037)."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client

from samdrift.core.headers import allow_form_action

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().partition(" ") for part in header.split(";") if part.strip())
    return {name: value for name, _, value in parts}


def assert_hardened(response: HttpResponse) -> None:
    csp = directives(response["Content-Security-Policy"])
    assert csp == EXPECTED_CSP
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/healthz", "/api/v1/openapi.json", "/no-such-page/"]
)
def test_anonymous_responses_carry_the_headers(path: str) -> None:
    response = Client().get(path)
    assert response.status_code in (200, 404)
    assert_hardened(response)


@pytest.mark.parametrize("path", ["/", "/catalogue/", "/connections/", "/inbox/", "/jobs/"])
def test_logged_in_pages_carry_the_headers(client_for, provider_admin, path: str) -> None:
    response = client_for(provider_admin).get(path)
    assert response.status_code == 200, path
    assert_hardened(response)


def test_pages_hold_no_inline_style_or_script(client_for, provider_admin) -> None:
    """What the policy would block is not there to begin with (templates are checked by grep in
    the docs; this reads rendered pages)."""
    client = client_for(provider_admin)
    for path in ("/", "/catalogue/", "/connections/", "/accounts/tokens/", "/inbox/"):
        html = client.get(path).content.decode()
        assert " style=" not in html, path
        assert "<style" not in html, path
        assert "<script>" not in html and "<script " not in html.replace('<script src="', ""), path


def test_allow_form_action_adds_only_the_origin() -> None:
    response = allow_form_action(
        HttpResponse(), "https://idp.example.se/authorize?x=1", "javascript:alert(1)"
    )
    assert response._csp_update == {"form-action": ["https://idp.example.se"]}  # type: ignore[attr-defined]


def test_allow_form_action_reaches_the_header() -> None:
    """Through django-csp's middleware: the widened directive is in that response only."""
    from csp.middleware import CSPMiddleware
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    widened = CSPMiddleware(
        lambda r: allow_form_action(HttpResponse(), "https://rp.example.se/cb")
    )(request)
    plain = CSPMiddleware(lambda r: HttpResponse())(RequestFactory().get("/"))
    assert directives(widened["Content-Security-Policy"])["form-action"] == (
        "'self' https://rp.example.se"
    )
    assert directives(plain["Content-Security-Policy"])["form-action"] == "'self'"


def test_allow_form_target_on_the_request_reaches_the_page_header(settings) -> None:
    """Through the real middleware stack: a view (or a template tag) that only has the request
    widens `form-action` of that response alone."""
    from django.http import HttpResponse as Plain
    from django.urls import path

    from samdrift.core.headers import allow_form_target

    def login_buttons(request):  # type: ignore[no-untyped-def]
        allow_form_target(request, "https://eid.example.se/authorize?client_id=x")
        return Plain("ok")

    settings.ROOT_URLCONF = type("urls", (), {"urlpatterns": [path("buttons", login_buttons)]})
    widened = Client().get("/buttons")
    assert directives(widened["Content-Security-Policy"])["form-action"] == (
        "'self' https://eid.example.se"
    )
