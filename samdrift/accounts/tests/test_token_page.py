from __future__ import annotations

import pytest

from samdrift.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_token_is_shown_once_and_works_then_revoked(
    agency_member, other_agency_contact, client_for
):
    client = client_for(agency_member)
    page = client.post("/accounts/tokens/", {"name": "skript"}).content.decode()
    token = ApiToken.objects.get(user=agency_member)
    secret = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert secret.startswith(token.prefix)
    assert secret not in client.get("/accounts/tokens/").content.decode()
    api = client_for()
    assert api.get("/api/v1/agencies", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200

    # someone else cannot revoke it
    client_for(other_agency_contact).post("/accounts/tokens/", {"revoke": token.id})
    token.refresh_from_db()
    assert token.revoked_at is None

    client.post("/accounts/tokens/", {"revoke": token.id})
    assert api.get("/api/v1/agencies", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_bad_input_explains_and_creates_nothing(agency_member, client_for):
    client = client_for(agency_member)
    assert "1–100" in client.post("/accounts/tokens/", {"name": ""}).content.decode()
    assert client.post("/accounts/tokens/", {"name": "x", "expires": "igår"}).status_code == 200
    assert not ApiToken.objects.exists()


def test_last_use_is_recorded(agency_member, client_for, django_capture_on_commit_callbacks):
    client = client_for(agency_member)
    page = client.post("/accounts/tokens/", {"name": "skript"}).content.decode()
    secret = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert ApiToken.objects.get().last_used_at is None
    # Last use is written after commit (ADR 0065); the test's transaction never commits.
    with django_capture_on_commit_callbacks(execute=True):
        client_for().get("/api/v1/services", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert ApiToken.objects.get().last_used_at is not None
