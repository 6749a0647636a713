"""The development provider's token endpoint enforces private_key_jwt and PKCE S256."""

from __future__ import annotations

import json
import time
import urllib.parse

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import ECKey

from samdrift.identity import loa, oidc

from .conftest import CLIENT_ID, REDIRECT_URI, official_key


def _code(dev_idp, verifier: str, **extra) -> str:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid",
        "state": "s" * 43,
        "nonce": "n" * 43,
        "code_challenge": oidc.code_challenge(verifier),
        "code_challenge_method": "S256",
        **extra,
    }
    answer = requests.post(
        dev_idp.issuer + "/authorize",
        data={**params, "official": official_key("anna"), "acr": loa.LOA3},
        allow_redirects=False,
        timeout=10,
    )
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))
    return query.get("code") or query["error"]


def _assertion(key: ECKey, audience: str, jti: str | None = None) -> str:
    now = int(time.time())
    claims = {
        "iss": CLIENT_ID,
        "sub": CLIENT_ID,
        "aud": audience,
        "iat": now,
        "exp": now + 60,
        "jti": jti or f"j{time.monotonic_ns()}",
    }
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


@pytest.fixture
def rp_key(rp_key_file):
    return ECKey.import_key(json.loads(rp_key_file.read_text()))


def _token(dev_idp, code, verifier, assertion):
    return requests.post(
        dev_idp.issuer + "/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
            "client_assertion": assertion,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        },
        timeout=10,
    )


def test_discovery_follows_the_swedish_profile(dev_idp):
    meta = requests.get(dev_idp.issuer + "/.well-known/openid-configuration", timeout=10).json()
    assert meta["issuer"] == dev_idp.issuer
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert meta["claims_parameter_supported"] is True
    assert set(meta["ui_locales_supported"]) >= {"sv", "en"}
    assert loa.LOA3 in meta["acr_values_supported"]


def test_good_exchange_then_code_is_single_use(dev_idp, rp_key):
    verifier = oidc.new_code_verifier()
    code = _code(dev_idp, verifier)
    first = _token(dev_idp, code, verifier, _assertion(rp_key, dev_idp.issuer + "/token"))
    assert first.status_code == 200
    assert first.json()["id_token"].count(".") == 2
    again = _token(dev_idp, code, verifier, _assertion(rp_key, dev_idp.issuer + "/token"))
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_wrong_pkce_verifier_is_refused(dev_idp, rp_key):
    code = _code(dev_idp, oidc.new_code_verifier())
    response = _token(dev_idp, code, oidc.new_code_verifier(), _assertion(rp_key, dev_idp.issuer))
    assert response.status_code == 400
    assert "PKCE" in response.json()["error_description"]


def test_plain_pkce_is_refused_at_authorization(dev_idp):
    assert _code(dev_idp, oidc.new_code_verifier(), code_challenge_method="plain") == (
        "invalid_request"
    )


def test_client_assertion_from_another_key_or_replayed_is_refused(dev_idp, rp_key):
    verifier = oidc.new_code_verifier()
    stranger = ECKey.generate_key("P-256", parameters={"kid": rp_key.kid})
    code = _code(dev_idp, verifier)
    forged = _token(dev_idp, code, verifier, _assertion(stranger, dev_idp.issuer + "/token"))
    assert forged.status_code == 401
    assert forged.json()["error"] == "invalid_client"
    assertion = _assertion(rp_key, dev_idp.issuer + "/token", jti="fixed-jti")
    code = _code(dev_idp, verifier)
    assert _token(dev_idp, code, verifier, assertion).status_code == 200
    code = _code(dev_idp, verifier)
    replayed = _token(dev_idp, code, verifier, assertion)
    assert replayed.status_code == 401
    assert replayed.json()["error_description"] == "client assertion replayed"


def test_unregistered_redirect_uri_is_shown_not_redirected(dev_idp):
    response = requests.get(
        dev_idp.issuer + "/authorize",
        params={"client_id": CLIENT_ID, "redirect_uri": "http://evil.example/cb"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_token_answers_are_not_cached_and_skewed_clocks_pass(dev_idp, rp_key):
    """Shared OIDC core: no-store + no-cache; an assertion expiring an hour and a second ahead
    (Authlib's default from a clock one second fast) passes the 60 s allowance."""
    verifier = oidc.new_code_verifier()
    code = _code(dev_idp, verifier)
    now = int(time.time())
    long_lived = jwt.encode(
        {"alg": "ES256", "kid": rp_key.kid},
        {
            "iss": CLIENT_ID,
            "sub": CLIENT_ID,
            "aud": dev_idp.issuer + "/token",
            "iat": now + 1,
            "exp": now + 3601,
            "jti": f"j{time.monotonic_ns()}",
        },
        rp_key,
    )
    ok = _token(dev_idp, code, verifier, long_lived)
    refused = _token(dev_idp, code, verifier, _assertion(rp_key, dev_idp.issuer + "/token"))
    assert (ok.status_code, refused.status_code) == (200, 400)
    for response in (ok, refused):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Pragma"] == "no-cache"


def test_expired_request_object_is_refused(dev_idp, rp_key):
    now = int(time.time())
    verifier = oidc.new_code_verifier()
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid",
        "state": "s" * 43,
        "nonce": "n" * 43,
        "code_challenge": oidc.code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    expired = jwt.encode(
        {"alg": "ES256", "kid": rp_key.kid},
        {**params, "iss": CLIENT_ID, "aud": dev_idp.issuer, "exp": now - 3600},
        rp_key,
    )
    assert _code(dev_idp, verifier, request=expired) == "invalid_request_object"
