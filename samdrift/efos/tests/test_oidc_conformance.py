# ruff: noqa: F811 - the fixtures of test_oidc are imported and used by name
"""Issue 20: what an independent relying party found non-conforming at the EFOS provider.

Each test fails on the provider as it was before the OIDC core (commit e278652) and passes now.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from samdrift.core.actor import SYSTEM
from samdrift.efos import services
from samdrift.efos.models import AuthorizationGrant

from .conftest import cert_header, pkce_pair
from .test_oidc import (  # noqa: F401 - fixtures
    ISSUER,
    REDIRECT,
    assertion,
    authorize,
    client_key,
    holder,
    redirect_params,
    rp,
    token,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


# -- 1. the issuer is the address discovery was fetched from ------------------------------------


def test_issuer_follows_the_served_address_in_development(client, ca, settings, monkeypatch):
    del settings.EFOS_BASE_URL
    monkeypatch.delenv("SAMDRIFT_BASE_URL", raising=False)
    monkeypatch.delenv("SAMDRIFT_EFOS_BASE_URL", raising=False)
    doc = client.get("/efos/.well-known/openid-configuration", HTTP_HOST="127.0.0.1:8711").json()
    assert doc["issuer"] == "http://127.0.0.1:8711/efos"
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert doc[name].startswith("http://127.0.0.1:8711/efos/"), doc[name]


def test_a_configured_base_url_wins(client, ca, settings):
    settings.EFOS_BASE_URL = "https://samdrift.example.se"
    doc = client.get("/efos/.well-known/openid-configuration", HTTP_HOST="127.0.0.1:8711").json()
    assert doc["issuer"] == "https://samdrift.example.se/efos"


def _prod_settings(env_extra: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMDRIFT_BASE")}
    env.setdefault("SAMDRIFT_AUDIT_KEY", "a" * 32)  # required in production since ADR 0060
    env.setdefault("SAMDRIFT_SECRET_KEY", "k" * 50)  # and these since ADR 0067
    env.setdefault("SAMDRIFT_EFOS_CA_PASSPHRASE", "a-real-ca-passphrase-42")
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SAMDRIFT_DATA_DIR=str(tmp_path),
        **env_extra,
    )
    code = "import django; django.setup(); from django.conf import settings; print(settings.SAMDRIFT_BASE_URL)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_base_url(tmp_path):
    refused = _prod_settings({}, tmp_path)
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr and "SAMDRIFT_BASE_URL" in refused.stderr
    started = _prod_settings({"SAMDRIFT_BASE_URL": "https://samdrift.example.se/"}, tmp_path)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "https://samdrift.example.se"


# -- 2. RS256 and ES256, per client registration --------------------------------------------------


def test_rs256_and_es256_are_offered_with_keys_for_both(client, ca):
    doc = client.get("/efos/.well-known/openid-configuration").json()
    assert set(doc["id_token_signing_alg_values_supported"]) == {"RS256", "ES256"}
    keys = client.get("/efos/jwks").json()["keys"]
    assert {(k["kty"], k["alg"]) for k in keys} == {("EC", "ES256"), ("RSA", "RS256")}
    assert all(k["kid"] and "d" not in k for k in keys)


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_id_token_and_userinfo_signed_as_the_client_registered(client, ca, holder, alg):
    key = ECKey.generate_key("P-256", auto_kid=True)
    services.register_client(
        actor=SYSTEM,
        client_id="safos",
        name="SAFOS",
        redirect_uris=[REDIRECT],
        jwks={"keys": [key.as_dict(private=False)]},
        id_token_signed_response_alg=alg,
    )
    verifier, challenge = pkce_pair()
    code = redirect_params(authorize(client, holder[2], challenge=challenge))["code"][0]
    body = token(client, key, code, verifier).json()
    jwks = KeySet.import_key_set(client.get("/efos/jwks").json())
    id_token = jwt.decode(body["id_token"], jwks, algorithms=[alg])
    assert id_token.header["alg"] == alg and id_token.claims["iss"] == ISSUER
    info = client.get("/efos/userinfo", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert jwt.decode(info.content.decode(), jwks, algorithms=[alg]).header["alg"] == alg


def test_registration_refuses_an_unknown_algorithm(ca, client_key):
    from samdrift.core.exceptions import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        services.register_client(
            actor=SYSTEM,
            client_id="safos",
            name="SAFOS",
            redirect_uris=[REDIRECT],
            jwks={"keys": [client_key.as_dict(private=False)]},
            id_token_signed_response_alg="HS256",
        )
    assert "id_token_signed_response_alg" in refused.value.errors


# -- 3. authorization by POST without CSRF; the consent form keeps it ---------------------------


def _authorization_params(challenge: str, **extra: str) -> dict[str, str]:
    return {
        "client_id": "safos",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "openid",
        "state": "st4te",
        "nonce": "n0nce",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }


def test_authorization_request_by_post_needs_no_csrf_token(rp, holder):
    browser = Client(enforce_csrf_checks=True)
    _verifier, challenge = pkce_pair()
    response = browser.post(
        "/efos/authorize", _authorization_params(challenge), **cert_header(holder[2])
    )
    params = redirect_params(response)
    assert params["code"] and params["state"] == ["st4te"]


def test_the_consent_form_keeps_its_csrf_protection(rp, holder):
    browser = Client(enforce_csrf_checks=True)
    _verifier, challenge = pkce_pair()
    page = browser.get(
        "/efos/authorize",
        _authorization_params(challenge, prompt="consent"),
        **cert_header(holder[2]),
    )
    assert page.status_code == 200
    pending = page.context["pending_id"]
    forged = browser.post(
        "/efos/authorize", {"pending": pending, "decision": "approve"}, **cert_header(holder[2])
    )
    assert forged.status_code == 403
    assert not AuthorizationGrant.objects.exists()
    token_value = browser.cookies["csrftoken"].value
    approved = browser.post(
        "/efos/authorize",
        {"pending": pending, "decision": "approve", "csrfmiddlewaretoken": token_value},
        **cert_header(holder[2]),
    )
    assert redirect_params(approved)["code"]


# -- 4. request objects: exp, iat/nbf, aud, iss, jti ---------------------------------------------


def _request_object(key, challenge: str, **overrides) -> str:
    now = int(time.time())
    claims = {
        "iss": "safos",
        "aud": ISSUER,
        **_authorization_params(challenge),
        "iat": now,
        "exp": now + 300,
        "jti": f"ro-{now}-{time.perf_counter_ns()}",
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


def _send(client, holder, value: str):
    return client.get(
        "/efos/authorize", {"client_id": "safos", "request": value}, **cert_header(holder[2])
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": -3600},  # the case the independent client found accepted
        {"exp": -61},  # just beyond the clock allowance
        {"nbf": 3600},
        {"iat": 3600},
        {"exp": 7200},  # longer than an hour is not a request object's lifetime
        {"aud": "https://other.example/efos"},
        {"iss": "someone-else"},
        {"client_id": "someone-else"},
        {"exp": None, "iat": -7200},  # no exp and issued two hours ago
    ],
    ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()),
)
def test_request_object_claims_are_checked(client, rp, client_key, holder, overrides):
    now = int(time.time())
    values = {
        k: (now + v if k in ("exp", "nbf", "iat") and v is not None else v)
        for k, v in overrides.items()
    }
    _verifier, challenge = pkce_pair()
    response = _send(client, holder, _request_object(client_key, challenge, **values))
    assert response.status_code == 400
    assert "invalid_request_object" in response.content.decode()
    assert not AuthorizationGrant.objects.exists()


def test_request_object_within_the_clock_allowance_is_accepted(client, rp, client_key, holder):
    now = int(time.time())
    _verifier, challenge = pkce_pair()
    value = _request_object(client_key, challenge, exp=now - 30, iat=now + 30, nbf=now + 30)
    assert redirect_params(_send(client, holder, value))["code"]


def test_request_object_jti_is_single_use(client, rp, client_key, holder):
    _verifier, challenge = pkce_pair()
    value = _request_object(client_key, challenge)
    assert redirect_params(_send(client, holder, value))["code"]
    assert _send(client, holder, value).status_code == 400
    assert AuthorizationGrant.objects.count() == 1


# -- 5. UserInfo answers 401 with WWW-Authenticate -----------------------------------------------


def test_userinfo_refusals_carry_a_bearer_challenge(client, rp, holder):
    missing = client.get("/efos/userinfo")
    assert missing.status_code == 401
    assert missing["WWW-Authenticate"].startswith("Bearer")
    assert "error=" not in missing["WWW-Authenticate"]  # RFC 6750 §3.1: no token, no error code
    wrong = client.get("/efos/userinfo", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    assert wrong.json()["error"] == "invalid_token"


# -- 6. token responses are not cached -----------------------------------------------------------


def test_token_responses_say_no_store_and_no_cache(client, rp, client_key, holder):
    verifier, challenge = pkce_pair()
    code = redirect_params(authorize(client, holder[2], challenge=challenge))["code"][0]
    ok = token(client, client_key, code, verifier)
    refused = token(client, client_key, code, verifier)
    assert (ok.status_code, refused.status_code) == (200, 400)
    for response in (ok, refused):
        assert response["Cache-Control"] == "no-store"
        assert response["Pragma"] == "no-cache"


# -- 7. clock allowance on client assertions -------------------------------------------------------


def _assertion_with(key, **times) -> str:
    now = int(time.time())
    claims = {
        "iss": "safos",
        "sub": "safos",
        "aud": f"{ISSUER}/token",
        "iat": now,
        "exp": now + 60,
        "jti": f"a-{time.perf_counter_ns()}",
    }
    claims.update({k: now + v for k, v in times.items()})
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


@pytest.mark.parametrize(
    ("times", "status"),
    [
        ({"exp": 3601}, 200),  # Authlib's exp = iat + 3600 from a clock one second ahead
        ({"exp": 3600 + 59, "iat": 59}, 200),
        ({"exp": -30}, 200),  # just expired, within the allowance
        ({"nbf": 30}, 200),
        ({"exp": 3600 + 61 + 5}, 401),
        ({"exp": -120}, 401),
        ({"iat": 300, "exp": 360}, 401),
        ({"nbf": 300}, 401),
    ],
    ids=lambda value: json.dumps(value) if isinstance(value, dict) else str(value),
)
def test_client_assertion_clock_allowance(client, rp, client_key, holder, times, status):
    verifier, challenge = pkce_pair()
    code = redirect_params(authorize(client, holder[2], challenge=challenge))["code"][0]
    response = token(
        client, client_key, code, verifier, client_assertion=_assertion_with(client_key, **times)
    )
    assert response.status_code == status, response.content


# -- the Swedish profile: `public` subjects offered, pairwise by default (ADR 0034) --------------


def test_public_subject_type_is_offered_and_pairwise_stays_the_default(client, ca, holder):
    assert {"public", "pairwise"} <= set(
        client.get("/efos/.well-known/openid-configuration").json()["subject_types_supported"]
    )
    key = ECKey.generate_key("P-256", auto_kid=True)
    subjects = {}
    for client_id, subject_type in (("a", "public"), ("b", "public"), ("c", "pairwise")):
        services.register_client(
            actor=SYSTEM,
            client_id=f"rp-{client_id}",
            name=client_id,
            redirect_uris=[REDIRECT],
            jwks={"keys": [key.as_dict(private=False)]},
            subject_type=subject_type,
        )
        verifier, challenge = pkce_pair()
        response = authorize(
            client, holder[2], challenge=challenge, extra={"client_id": f"rp-{client_id}"}
        )
        code = redirect_params(response)["code"][0]
        now = int(time.time())
        signed = jwt.encode(
            {"alg": "ES256", "kid": key.kid},
            {
                "iss": f"rp-{client_id}",
                "sub": f"rp-{client_id}",
                "aud": f"{ISSUER}/token",
                "iat": now,
                "exp": now + 60,
                "jti": f"j-{client_id}",
            },
            key,
        )
        body = token(client, key, code, verifier, client_assertion=signed).json()
        subjects[client_id] = jwt.decode(
            body["id_token"], KeySet.import_key_set(client.get("/efos/jwks").json())
        ).claims["sub"]
    assert subjects["a"] == subjects["b"] != subjects["c"]
    assert holder[0].uid not in subjects["a"]
