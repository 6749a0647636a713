"""App passwords (ADRs 0613, 0614): made on the page and by the API from a browser session, shown
once, a digest stored, limited to the classes the login's level reaches, revocable, never
another person's. Their use over WebDAV is tested in collaboration/tests/test_webdav.py."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from samdrift.accounts.app_passwords import app_password_login
from samdrift.accounts.models import AppPassword
from samdrift.accounts.selectors import actor_for_user
from samdrift.accounts.services import token_create
from samdrift.accounts.tokens import token_digest
from samdrift.audit.models import AuditEvent
from samdrift.core.tenancy import LOGIN_SESSION_KEY
from samdrift.tests.browser import axe_violations, chromium, page_as

pytestmark = pytest.mark.django_db


def _at_level(client, user, rank):
    session = client.session
    session[LOGIN_SESSION_KEY] = {"user_id": user.pk, "rank": rank}
    session.save()
    return client


def test_made_on_the_page_shown_once_then_revoked(agency_member, other_agency_contact, client_for):
    client = _at_level(client_for(agency_member), agency_member, 2)
    page = client.post("/accounts/app-passwords/", {"name": "Filhanteraren", "max_class": "2"})
    secret = page.content.decode().split('<code id="new-token">')[1].split("</code>")[0]
    row = AppPassword.objects.get(user=agency_member)
    assert (row.max_class, row.loa_rank, row.digest) == (2, 2, token_digest(secret))
    assert secret not in client.get("/accounts/app-passwords/").content.decode()
    login = app_password_login(username=agency_member.username, secret=secret, address="10.0.0.1")
    assert login is not None and login.actor.loa_rank == 2 and login.max_class == 2
    # another user's name with this password: refused
    assert (
        app_password_login(
            username=other_agency_contact.username, secret=secret, address="10.0.0.1"
        )
        is None
    )
    # someone else cannot revoke it
    client_for(other_agency_contact).post("/accounts/app-passwords/", {"revoke": row.id})
    row.refresh_from_db()
    assert row.revoked_at is None
    client.post("/accounts/app-passwords/", {"revoke": row.id})
    assert (
        app_password_login(username=agency_member.username, secret=secret, address="10.0.0.1")
        is None
    )
    assert AuditEvent.objects.filter(action="accounts.app_password_revoked").count() == 1
    assert secret not in str(list(AuditEvent.objects.values_list("after", flat=True)))


def test_a_class_above_the_login_level_is_refused_with_a_message(agency_member, client_for):
    client = client_for(agency_member)  # a password login: level 0, class 0 only
    page = client.post("/accounts/app-passwords/", {"name": "x", "max_class": "1"}).content.decode()
    assert "klass 0" in page or "class 0" in page
    assert not AppPassword.objects.exists()
    assert '<option value="1">' not in client.get("/accounts/app-passwords/").content.decode()


def test_the_api_makes_lists_and_revokes_from_a_session_only(agency_member, client_for):
    client = _at_level(client_for(agency_member), agency_member, 3)
    made = client.post(
        "/api/v1/me/app-passwords",
        {"name": "rclone", "max_class": 3},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["secret"].startswith(body["prefix"]) and body["max_class"] == 3
    listed = client.get("/api/v1/me/app-passwords").json()
    assert [p["id"] for p in listed["items"]] == [body["id"]] and "secret" not in listed["items"][0]
    assert client.delete(f"/api/v1/me/app-passwords/{body['id']}").status_code == 204
    assert AppPassword.objects.get().revoked_at is not None
    # an API token cannot make an app password
    _row, token = token_create(actor=actor_for_user(agency_member), name="t")
    refused = client_for().post(
        "/api/v1/me/app-passwords",
        {"name": "x", "max_class": 0},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert refused.status_code == 401
    too_high = _at_level(client_for(agency_member), agency_member, 2).post(
        "/api/v1/me/app-passwords", {"name": "x", "max_class": 3}, content_type="application/json"
    )
    assert too_high.status_code == 422 and too_high.json()["code"] == "class_above_login"
    assert AppPassword.objects.count() == 1


def test_wrong_passwords_are_throttled_like_the_login(agency_member, settings):
    settings.SAMDRIFT_LOGIN_THROTTLE = {"account": (3, 600), "address": (50, 600)}
    from django.core.cache import cache

    cache.clear()
    for _ in range(3):
        assert (
            app_password_login(
                username=agency_member.username, secret="sdp_nope", address="10.0.0.9"
            )
            is None
        )
    from samdrift.accounts.app_passwords import AppPasswordThrottled

    with pytest.raises(AppPasswordThrottled):
        app_password_login(username=agency_member.username, secret="sdp_nope", address="10.0.0.9")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_page_passes_axe(live_server, agency_member, language):
    client = Client()
    client.force_login(agency_member)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        page = page_as(browser, live_server.url, session, language)
        page.goto(f"{live_server.url}/accounts/app-passwords/")
        assert page.locator("html").get_attribute("lang") == language
        assert axe_violations(page) == []
        page.fill("#token-name", "Filhanteraren")
        page.keyboard.press("Enter")
        page.wait_for_selector("#new-token")
        assert axe_violations(page) == []
    assert AppPassword.objects.filter(user=agency_member, max_class=0).count() == 1
