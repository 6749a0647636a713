"""Personal API tokens: GET/POST /api/v1/me/tokens, DELETE /api/v1/me/tokens/{id}, and the
bearer authentication they give."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from samdrift.accounts.models import ApiToken
from samdrift.accounts.tokens import token_digest
from samdrift.audit.models import AuditEvent
from tests.api.support import audit_count, bearer_client, call, row_state

pytestmark = pytest.mark.django_db


def test_create_shows_the_secret_once_and_stores_only_its_digest(client_for, agency_contact):
    # given
    client = client_for(agency_contact)
    before = audit_count()
    # when
    created = call(client, "POST", "/me/tokens", {"name": "Skript"})
    listed = call(client, "GET", "/me/tokens").json()["items"]
    # then
    assert created.status_code == 201
    body = created.json()
    secret = body["secret"]
    assert secret.startswith("sd_")
    assert len(secret) > 40
    token = ApiToken.objects.get(id=body["id"])
    assert token.digest == token_digest(secret)
    assert secret not in {token.name, token.prefix, token.digest}
    assert (token.user_id, token.name, token.prefix) == (agency_contact.id, "Skript", secret[:12])
    assert listed == [{key: value for key, value in body.items() if key != "secret"}]
    assert "secret" not in listed[0]
    event = AuditEvent.objects.get(action="accounts.token_created", object_id=str(token.id))
    assert token.digest not in str(event.after)
    assert secret not in str(event.after)
    assert audit_count() == before + 1


def test_the_bearer_token_authenticates_as_its_user(agency_contact, agency, other_agency):
    client, _secret = bearer_client(agency_contact)
    response = call(client, "GET", "/agencies")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["items"]] == [agency.id]


def test_a_token_cannot_mint_another_token(agency_contact):
    client, _secret = bearer_client(agency_contact)
    before = ApiToken.objects.count()
    response = call(client, "POST", "/me/tokens", {"name": "Nästa"})
    assert response.status_code == 401
    assert ApiToken.objects.count() == before


def test_revoke_makes_the_token_useless(client_for, agency_contact):
    # given
    client, secret = bearer_client(agency_contact)
    token = ApiToken.objects.get(digest=token_digest(secret))
    assert call(client, "GET", "/me/tokens").status_code == 200
    # when
    response = call(client_for(agency_contact), "DELETE", f"/me/tokens/{token.id}")
    # then
    assert response.status_code == 204
    assert ApiToken.objects.get(id=token.id).revoked_at is not None
    assert call(client, "GET", "/me/tokens").status_code == 401
    assert AuditEvent.objects.filter(
        action="accounts.token_revoked", object_id=str(token.id)
    ).exists()


def test_revoking_twice_changes_nothing_the_second_time(client_for, agency_contact):
    _client, secret = bearer_client(agency_contact)
    token = ApiToken.objects.get(digest=token_digest(secret))
    client = client_for(agency_contact)
    assert call(client, "DELETE", f"/me/tokens/{token.id}").status_code == 204
    before_row, before_audit = row_state(token), audit_count()
    assert call(client, "DELETE", f"/me/tokens/{token.id}").status_code == 204
    assert row_state(token) == before_row
    assert audit_count() == before_audit


def test_another_users_token_is_404_and_stays_valid(
    client_for, agency_contact, other_agency_contact
):
    # given
    victim_client, secret = bearer_client(other_agency_contact)
    token = ApiToken.objects.get(digest=token_digest(secret))
    before_row, before_audit = row_state(token), audit_count()
    # when
    response = call(client_for(agency_contact), "DELETE", f"/me/tokens/{token.id}")
    listed = call(client_for(agency_contact), "GET", "/me/tokens").json()["items"]
    # then
    assert response.status_code == 404
    assert listed == []
    assert row_state(token) == before_row
    assert audit_count() == before_audit
    assert call(victim_client, "GET", "/me/tokens").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 101},
        {"name": "Gammal", "expires_at": "2020-01-01T00:00:00Z"},
    ],
)
def test_bad_input_is_422_and_creates_nothing(client_for, agency_contact, body):
    before = audit_count()
    response = call(client_for(agency_contact), "POST", "/me/tokens", body)
    assert response.status_code == 422
    assert response.json()["message_en"]
    assert not ApiToken.objects.exists()
    assert audit_count() == before


@pytest.mark.parametrize(
    "header",
    ["Bearer sd_unknown", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer sd_" + "x" * 43],
)
def test_an_unknown_token_is_401(agency_contact, header):
    response = call(Client(headers={"Authorization": header}), "GET", "/agencies")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_an_expired_token_is_401(agency_contact):
    client, secret = bearer_client(agency_contact)
    ApiToken.objects.filter(digest=token_digest(secret)).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert call(client, "GET", "/agencies").status_code == 401


def test_the_token_of_a_deactivated_user_is_401(agency_contact):
    # given: the user left the agency and was deactivated, the token was never revoked
    client, _secret = bearer_client(agency_contact)
    agency_contact.is_active = False
    agency_contact.save(update_fields=["is_active"])
    # when
    response = call(client, "GET", "/services")
    # then: not an anonymous actor that still reads the catalogue
    assert response.status_code == 401


def test_anonymous_gets_401(client_for):
    assert call(client_for(), "GET", "/me/tokens").status_code == 401
    assert call(client_for(), "POST", "/me/tokens", {"name": "x"}).status_code == 401
    assert call(client_for(), "DELETE", "/me/tokens/1").status_code == 401
