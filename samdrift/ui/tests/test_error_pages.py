"""samdrift's own error pages (issue 21 item 1, ADR 0700): in the site's layout and language,
saying what to do, with a reference number that is in the server log; the API keeps its JSON."""

from __future__ import annotations

import logging
import re

import pytest
from django.conf import settings
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("samdrift.ui.tests.error_urls")]


def _in(language: str, user=None, **kwargs) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


def _reference(response) -> str:
    found = re.search(r"<strong>([0-9A-F]{8})</strong>", response.content.decode())
    assert found, response.content.decode()[:2000]
    return found.group(1)


@pytest.mark.parametrize(
    ("language", "heading"),
    [("sv", "Sidan finns inte"), ("en", "The page was not found")],
)
def test_404_in_the_sites_layout_and_language(language, heading, agency_member, caplog):
    with caplog.at_level(logging.WARNING, logger="samdrift.errors"):
        response = _in(language, agency_member).get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in html
    assert heading in html
    assert 'class="site-header"' in html and 'action="/i18n/setlang/"' in html
    assert 'aria-label="' in html and 'class="nav"' in html  # the main menu
    assert _reference(response) in caplog.text


@pytest.mark.parametrize("url", ["/connections/abc/", "/agencies/1x/", "/efos/officials/%27/"])
def test_a_non_numeric_id_is_our_404(url, agency_member):
    response = _in("sv", agency_member).get(url)
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()


def test_403_names_the_roles_and_who_grants_them(agency_member, caplog):
    with caplog.at_level(logging.WARNING, logger="samdrift.errors"):
        response = _in("en", agency_member).get("/billing/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "You do not have access to this page" in html
    assert "Finance" in html and "Orderer" in html  # roles that open billing
    assert "your agency&#x27;s contact" in html  # who grants a customer role
    assert _reference(response) in caplog.text


def test_405_for_a_page_is_ours_and_keeps_allow(agency_member):
    response = _in("sv", agency_member).post("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "Sidan kan inte användas så" in response.content.decode()


def test_400_is_ours(agency_member):
    response = _in("en", agency_member).get("/suspicious/")
    assert response.status_code == 400
    assert "The request could not be understood" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "heading"),
    [("sv", "Något gick fel hos oss"), ("en", "Something went wrong on our side")],
)
def test_500_is_minimal_and_logs_the_reference_with_the_error(
    language, heading, agency_member, caplog
):
    with caplog.at_level(logging.ERROR, logger="samdrift.errors"):
        response = _in(language, agency_member).get("/fails/")
    html = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}">' in html and heading in html
    assert 'class="nav"' not in html  # the minimal layout: nothing that reads the database
    reference = _reference(response)
    record = next(r for r in caplog.records if reference in r.getMessage())
    assert record.exc_info and "deliberate failure" in str(record.exc_info[1])


def test_the_api_keeps_its_json_error_body(agency_member):
    client = _in("en", agency_member)
    failed = client.get("/api/fails/")
    assert failed.status_code == 500
    assert failed.json()["code"] == "server_error"
    assert failed.json()["message_sv"] == "Något gick fel hos oss"
    missing = client.get("/api/nothing-here/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    ninja_missing = client.get("/api/v1/nothing-here")
    assert ninja_missing.status_code == 404 and ninja_missing.json()["code"]
    ninja_method = client.delete("/api/v1/agencies")
    assert ninja_method.status_code == 405 and ninja_method.json()["code"]


def test_csrf_after_logout_offers_to_log_in_again_and_changes_nothing(agency_member):
    client = _in("sv", agency_member, enforce_csrf_checks=True)
    client.get("/")
    client.logout()
    response = client.post(
        "/connections/requests/new/",
        {"service": "1"},
        HTTP_REFERER="http://testserver/connections/requests/new/",
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "Formuläret hade gått ut" in html
    assert 'href="/accounts/login/?next=%2Fconnections%2Frequests%2Fnew%2F"' in html
    assert "inget sparades" in html


def test_csrf_for_the_api_keeps_the_json_body(agency_member):
    client = _in("en", agency_member, enforce_csrf_checks=True)
    response = client.post("/api/v1/requests", {}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
