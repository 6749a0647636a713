"""samdrift's OpenID provider for the homeserver's sign-in (ADR 0657), through Django's client:
the request checks, who may sign in and at which level, the code's single use, PKCE, the client
secret and the ID token (verified with the published key). The whole flow with the real Synapse
is in test_sso_engine.py."""

from __future__ import annotations

import base64
import stat
import urllib.parse
from datetime import timedelta

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from samdrift.audit.models import AuditEvent
from samdrift.chat import homeserver, selectors, sso
from samdrift.chat.models import ChatRoom, SsoGrant
from samdrift.collaboration import selectors as collab_selectors
from samdrift.collaboration import services as collab
from samdrift.core.oidc import pkce

pytestmark = pytest.mark.django_db

VERIFIER = pkce.new_verifier()


@pytest.fixture
def op(settings, tmp_path):
    settings.CHAT_DIR = tmp_path / "chat"
    settings.CHAT_PUBLIC_BASEURL = "http://127.0.0.1:8448"
    settings.CHAT_SSO_ISSUER = "http://testserver/chat/sso"
    sso._keys.clear()
    return settings


def _params(**overrides):
    params = {
        "client_id": "synapse",
        "redirect_uri": "http://127.0.0.1:8448/_synapse/client/oidc/callback",
        "response_type": "code",
        "scope": "openid profile",
        "state": "s-123",
        "nonce": "n-456",
        "code_challenge": pkce.challenge(VERIFIER),
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def _workspace_with_room(safos, classification=1, members=("editor",)):
    workspace = collab.workspace_create(
        actor=safos.actor("owner"), name=f"Yta klass {classification}",
        classification=classification,
    )  # fmt: skip
    for name in members:
        collab.invite(
            actor=safos.actor("owner"), workspace_id=workspace.id,
            email=f"{name}@example.se", role="editor",
        )  # fmt: skip
        invitation = collab_selectors.my_invitations(actor=safos.actor(name)).get(
            workspace=workspace
        )
        collab.invitation_accept(actor=safos.actor(name), invitation_id=invitation.id)
    ChatRoom.objects.create(
        workspace=workspace,
        room_id=f"!r{workspace.id}:samdrift.localhost",
        alias=f"#ws{workspace.id}",
    )
    return workspace


def _code(response):
    assert response.status_code == 302, response.content[:300]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(response["Location"]).query)
    assert query["state"] == ["s-123"]
    return query["code"][0]


def _basic(secret=None):
    raw = f"synapse:{secret or sso.client_secret()}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def _redeem(client, code, *, verifier=VERIFIER, secret=None, **extra):
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://127.0.0.1:8448/_synapse/client/oidc/callback",
        "code_verifier": verifier,
        **extra,
    }
    return client.post("/chat/sso/token", form, HTTP_AUTHORIZATION=_basic(secret))


def test_discovery_and_keys_say_what_synapse_needs(client, op):
    document = client.get("/chat/sso/.well-known/openid-configuration").json()
    assert document["issuer"] == "http://testserver/chat/sso"
    assert document["authorization_endpoint"] == "http://testserver/chat/sso/authorize"
    assert document["token_endpoint_auth_methods_supported"] == ["client_secret_basic"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["id_token_signing_alg_values_supported"] == ["ES256"]
    keys = client.get("/chat/sso/jwks").json()["keys"]
    assert [(k["kty"], k["crv"], k["alg"]) for k in keys] == [("EC", "P-256", "ES256")]
    assert "d" not in keys[0]
    key_file = op.CHAT_DIR / "sso-signing-key.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_member_gets_a_code_and_synapse_an_id_token_naming_their_matrix_account(safos, op):
    _workspace_with_room(safos, classification=1)
    browser = safos.client("editor", loa=3)
    code = _code(browser.get("/chat/sso/authorize", _params()))
    grant = SsoGrant.objects.get()
    assert grant.code_hash != code and len(grant.code_hash) == 64  # only its hash is kept
    event = AuditEvent.objects.filter(action="chat.sign_in").get()
    assert event.actor_id == safos.users["editor"].id and event.after["level"] == 3

    answer = _redeem(browser, code)
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    body = answer.json()
    keys = KeySet.import_key_set(browser.get("/chat/sso/jwks").json())
    claims = jwt.decode(body["id_token"], keys, algorithms=["ES256"]).claims
    localpart = selectors.matrix_localpart(safos.users["editor"].id)
    assert claims["iss"] == "http://testserver/chat/sso" and claims["aud"] == "synapse"
    assert claims["sub"] == claims["preferred_username"] == localpart
    assert claims["nonce"] == "n-456" and claims["exp"] - claims["iat"] == 300

    again = _redeem(browser, code)  # a code is redeemed once
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_the_level_asked_is_the_highest_any_of_the_persons_rooms_needs(safos, op):
    _workspace_with_room(safos, classification=1)
    _workspace_with_room(safos, classification=3)
    weak = safos.client("editor", loa=2).get("/chat/sso/authorize", _params())
    assert weak.status_code == 302 and weak["Location"].startswith("/identity/step-up/")
    assert "level=3" in weak["Location"] and not SsoGrant.objects.exists()
    assert selectors.sign_in_level(safos.users["editor"].id) == 3
    _code(safos.client("editor", loa=3).get("/chat/sso/authorize", _params()))


def test_someone_in_no_workspace_with_a_room_is_told_so_and_gets_no_code(safos, op, client):
    _workspace_with_room(safos, classification=1, members=("editor",))
    refused = safos.client("reader", loa=3).get("/chat/sso/authorize", _params())
    assert refused.status_code == 403
    assert "inte medlem i någon samarbetsyta" in refused.content.decode()
    anonymous = client.get("/chat/sso/authorize", _params())
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/identity/login/")
    assert not SsoGrant.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"client_id": "element"},
        {"redirect_uri": "https://evil.example/_synapse/client/oidc/callback"},
        {"redirect_uri": "http://127.0.0.1:8448/_synapse/client/oidc/callback/"},
        {"client_id": None},
    ],
)
def test_a_foreign_client_or_address_gets_samdrifts_page_and_no_redirect(safos, op, overrides):
    _workspace_with_room(safos)
    answer = safos.client("editor").get("/chat/sso/authorize", _params(**overrides))
    assert answer.status_code == 400 and "Location" not in answer
    assert "Ingenting skickades någonstans" in answer.content.decode()
    assert not SsoGrant.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "profile"}, "invalid_scope"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"nonce": "n" * 256}, "invalid_request"),
    ],
)
def test_a_wrong_request_is_answered_at_the_homeserver_with_its_error(safos, op, overrides, error):
    _workspace_with_room(safos)
    answer = safos.client("editor").get("/chat/sso/authorize", _params(**overrides))
    assert answer.status_code == 302
    location = urllib.parse.urlsplit(answer["Location"])
    assert location.path == "/_synapse/client/oidc/callback"
    query = urllib.parse.parse_qs(location.query)
    assert query["error"] == [error] and query["state"] == ["s-123"]
    assert not SsoGrant.objects.exists()


def test_the_token_endpoint_refuses_and_keeps_the_code_for_the_right_client(safos, op, client):
    _workspace_with_room(safos)
    code = _code(safos.client("editor").get("/chat/sso/authorize", _params()))
    forged = _redeem(client, code, secret="not-the-secret")
    assert forged.status_code == 401 and forged.json()["error"] == "invalid_client"
    assert forged["WWW-Authenticate"].startswith("Basic")
    unauthenticated = client.post("/chat/sso/token", {"grant_type": "authorization_code"})
    assert unauthenticated.status_code == 401
    assert _redeem(client, code, verifier=pkce.new_verifier()).json()["error"] == "invalid_grant"
    wrong_uri = _redeem(client, code, redirect_uri="http://127.0.0.1:8448/other")
    assert wrong_uri.json()["error"] == "invalid_grant"
    assert _redeem(client, code, grant_type="password").json()["error"] == (
        "unsupported_grant_type"
    )
    assert not SsoGrant.objects.filter(redeemed_at__isnull=False).exists()
    assert _redeem(client, code).status_code == 200  # the refusals did not use the code up


def test_a_code_older_than_a_minute_is_refused(safos, op, client):
    _workspace_with_room(safos)
    code = _code(safos.client("editor").get("/chat/sso/authorize", _params()))
    SsoGrant.objects.update(created_at=SsoGrant.objects.get().created_at - timedelta(seconds=61))
    assert _redeem(client, code).json()["error"] == "invalid_grant"


def test_the_homeserver_is_configured_for_this_provider_only(op):
    provider = homeserver.homeserver_config(8448)["oidc_providers"][0]
    assert provider["issuer"] == "http://testserver/chat/sso"
    assert provider["client_secret"] == sso.client_secret()
    assert provider["pkce_method"] == "always"
    assert provider["enable_registration"] is False and provider["allow_existing_users"] is True
    assert homeserver.homeserver_config(8448)["password_config"] == {"enabled": False}
    assert sso.redirect_uri() == "http://127.0.0.1:8448/_synapse/client/oidc/callback"


def test_a_new_code_clears_the_persons_expired_unused_ones_only(safos, op, client):
    _workspace_with_room(safos, members=("editor", "reader"))
    old = _code(safos.client("editor").get("/chat/sso/authorize", _params()))
    used = _code(safos.client("editor").get("/chat/sso/authorize", _params()))
    assert _redeem(client, used).status_code == 200
    others = _code(safos.client("reader").get("/chat/sso/authorize", _params()))
    SsoGrant.objects.update(
        created_at=SsoGrant.objects.earliest("id").created_at - timedelta(seconds=61)
    )
    _code(safos.client("editor").get("/chat/sso/authorize", _params()))
    hashes = set(SsoGrant.objects.values_list("code_hash", flat=True))
    assert sso._hash(old) not in hashes  # expired, never redeemed: gone
    assert {sso._hash(used), sso._hash(others)} <= hashes  # a sign-in kept; another person's kept
