"""Every error the API answers has our bilingual body, whoever refuses the request: a CSRF check
on a session write, a missing login, an unknown path or method."""

from __future__ import annotations

import pytest
from django.test import Client

from samdrift.accounts.models import ApiToken
from tests.api.support import API, audit_count, call

pytestmark = pytest.mark.django_db


def _is_our_body(response, code: str) -> dict:
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert body["message_sv"] and body["message_en"]
    assert body["message_sv"] != body["message_en"], "the Swedish text is missing"
    assert body["message"] == body["message_sv"]  # no language chosen: Swedish
    return body


def _logged_in_browser(user) -> Client:
    """A browser that logged in through the login form, so it holds a real session and the
    CSRF cookie, and enforces CSRF like a browser's requests would be."""
    browser = Client(enforce_csrf_checks=True)
    browser.get("/accounts/login/")
    response = browser.post(
        "/accounts/login/",
        {
            "username": user.username,
            "password": "demo-password",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302, response.content
    return browser


def test_a_session_write_without_the_csrf_token_gets_our_403(agency_contact):
    # given
    browser = _logged_in_browser(agency_contact)
    before = audit_count()
    # when: a page on another site makes the browser post with the session cookie, no token
    response = call(browser, "POST", "/me/tokens", {"name": "stolen"})
    # then
    assert response.status_code == 403
    body = _is_our_body(response, "csrf_failed")
    assert "CSRF" in body["message_en"]
    assert not ApiToken.objects.exists()
    assert audit_count() == before
    # and: the same browser with its token is let through
    token = browser.cookies["csrftoken"].value
    allowed = call(browser, "POST", "/me/tokens", {"name": "mine"}, HTTP_X_CSRFTOKEN=token)
    assert allowed.status_code == 201, allowed.content


def test_a_write_without_session_or_token_is_401_not_a_csrf_failure():
    response = call(Client(enforce_csrf_checks=True), "POST", "/requests", {})
    assert response.status_code == 401
    _is_our_body(response, "unauthenticated")


def test_an_unknown_api_path_is_our_404_for_any_method():
    for method in ("GET", "POST", "DELETE"):
        response = call(Client(enforce_csrf_checks=True), method, "/no-such-thing", {})
        assert response.status_code == 404, method
        _is_our_body(response, "not_found")


def test_an_unknown_method_is_our_405_with_allow(client_for, agency_contact):
    response = client_for(agency_contact).put(
        f"{API}/agencies", data="{}", content_type="application/json"
    )
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    _is_our_body(response, "method_not_allowed")


def test_invalid_input_is_our_422_in_both_languages(client_for, agency_contact):
    response = call(client_for(agency_contact), "GET", "/agencies/not-a-number")
    assert response.status_code == 422
    assert _is_our_body(response, "invalid")["errors"]
