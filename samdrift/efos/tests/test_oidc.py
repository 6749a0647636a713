"""EFOS as an OpenID provider: discovery, code flow with PKCE and private_key_jwt, essential acr,
the Swedish claims, and every way a request or token can be wrong."""

from __future__ import annotations

import json
import secrets
import time
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import ImproperlyConfigured
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from samdrift.audit.tests.security_log import refused
from samdrift.core.actor import SYSTEM
from samdrift.efos import conf, services
from samdrift.efos.models import AuthorizationGrant

from .conftest import cert_header, issue_token, pkce_pair

pytestmark = pytest.mark.django_db
ISSUER = "http://testserver/efos"
REDIRECT = "https://safos.example/callback"
ORG_SCOPE = "https://id.oidc.se/scope/naturalPersonOrgId"


@pytest.fixture
def client_key():
    return ECKey.generate_key("P-256", auto_kid=True)


@pytest.fixture
def rp(ca, client_key):
    return services.register_client(
        actor=SYSTEM,
        client_id="safos",
        name="SAFOS",
        redirect_uris=[REDIRECT],
        jwks={"keys": [client_key.as_dict(private=False)]},
    )


@pytest.fixture
def holder(ca, agency):
    official, credential, result = issue_token(agency, "Karin", "Berg")
    return official, credential, result.certificates["authentication"]


def assertion(
    key, *, aud=f"{ISSUER}/token", iss="safos", sub="safos", exp_in=60, jti=None, kid=True
):
    now = int(time.time())
    header = {"alg": "ES256", **({"kid": key.kid} if kid else {})}
    claims = {
        "iss": iss,
        "sub": sub,
        "aud": aud,
        "iat": now,
        "exp": now + exp_in,
        "jti": jti or secrets.token_urlsafe(8),
    }
    return jwt.encode(header, claims, key)


def authorize(client, cert, *, challenge, acr_values=None, extra=None, headers=None):
    params = {
        "client_id": "safos",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": f"openid {ORG_SCOPE}",
        "state": "st4te",
        "nonce": "n0nce",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if acr_values is not None:
        params["claims"] = json.dumps(
            {"id_token": {"acr": {"essential": True, "values": acr_values}}}
        )
    params.update(extra or {})
    return client.get(
        "/efos/authorize", params, **(headers if headers is not None else cert_header(cert))
    )


def redirect_params(response):
    assert response.status_code == 302, response.content[:500]
    location = urlparse(response["Location"])
    return parse_qs(location.query)


def token(client, key, code, verifier, **overrides):
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion(key),
    }
    form.update(overrides)
    return client.post("/efos/token", form)


def login(client, key, cert, **kwargs):
    verifier, challenge = pkce_pair()
    params = redirect_params(authorize(client, cert, challenge=challenge, **kwargs))
    return token(client, key, params["code"][0], verifier)


def test_discovery_and_jwks(client, ca):
    doc = client.get("/efos/.well-known/openid-configuration").json()
    assert doc["issuer"] == ISSUER
    assert doc["token_endpoint"] == f"{ISSUER}/token"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert {"RS256", "ES256"} <= set(doc["token_endpoint_auth_signing_alg_values_supported"])
    assert doc["acr_values_supported"] == ["http://id.swedenconnect.se/loa/1.0/uncertified-loa3"]
    assert doc["claims_parameter_supported"] is True and doc["request_parameter_supported"] is True
    assert {"sv", "en"} <= set(doc["ui_locales_supported"])
    keys = client.get("/efos/jwks").json()["keys"]
    assert keys[0]["kty"] == "EC" and keys[0]["kid"] and "d" not in keys[0]


def test_code_flow_gives_the_swedish_claims(client, rp, client_key, holder):
    official, _credential, cert = holder
    verifier, challenge = pkce_pair()
    params = redirect_params(
        authorize(client, cert, challenge=challenge, acr_values=[conf.UNCERTIFIED_LOA3, conf.LOA3])
    )
    assert params["state"] == ["st4te"] and params["iss"] == [ISSUER]
    response = token(client, client_key, params["code"][0], verifier)
    assert response.status_code == 200, response.content
    body = response.json()
    jwks = KeySet.import_key_set(client.get("/efos/jwks").json())
    id_token = jwt.decode(body["id_token"], jwks, algorithms=["ES256"])
    claims = id_token.claims
    assert id_token.header["kid"]
    assert claims["iss"] == ISSUER and claims["aud"] == "safos" and claims["nonce"] == "n0nce"
    assert claims["acr"] == "http://id.swedenconnect.se/loa/1.0/uncertified-loa3"
    assert claims["exp"] - claims["iat"] <= 300
    assert claims["https://id.oidc.se/claim/orgAffiliation"] == official.org_affiliation
    assert (
        official.uid not in claims["sub"] and len(claims["sub"]) == 64
    )  # pairwise, no personal data
    info = client.get("/efos/userinfo", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert info["Content-Type"] == "application/jwt"
    userinfo = jwt.decode(info.content.decode(), jwks, algorithms=["ES256"]).claims
    assert userinfo["https://id.oidc.se/claim/orgNumber"] == official.org_number_digits
    assert userinfo["https://id.oidc.se/claim/orgName"] == official.organisation.name
    assert userinfo["name"] == "Karin Berg"
    # the access token is single-use
    assert (
        client.get(
            "/efos/userinfo", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}"
        ).status_code
        == 401
    )


def test_configured_level_is_asserted(client, rp, client_key, holder, settings):
    settings.EFOS_OP_ACR = conf.LOA3
    with pytest.raises(ImproperlyConfigured):  # a certified level needs Digg's approval first
        client.get("/efos/.well-known/openid-configuration")
    settings.EFOS_OP_LEVEL_APPROVED = True
    response = login(client, client_key, holder[2], acr_values=[conf.LOA3])
    claims = jwt.decode(
        response.json()["id_token"], KeySet.import_key_set(client.get("/efos/jwks").json())
    ).claims
    assert claims["acr"] == conf.LOA3


def test_unmet_essential_acr(client, rp, holder):
    _verifier, challenge = pkce_pair()
    params = redirect_params(
        authorize(client, holder[2], challenge=challenge, acr_values=[conf.LOA4])
    )
    assert params["error"] == ["unmet_authentication_requirements"]
    assert params["state"] == ["st4te"]
    assert not AuthorizationGrant.objects.exists()


def test_voluntary_acr_values_never_fail(client, rp, client_key, holder):
    response = login(client, client_key, holder[2], extra={"acr_values": conf.LOA4})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": ORG_SCOPE}, "invalid_scope"),
        ({"prompt": "none login"}, "invalid_request"),
        ({"claims": "{not json"}, "invalid_request"),
    ],
)
def test_bad_authorization_requests(client, rp, holder, extra, error):
    _verifier, challenge = pkce_pair()
    params = redirect_params(authorize(client, holder[2], challenge=challenge, extra=extra))
    assert params["error"] == [error]
    assert refused("efos.refused.authorize") > 0


def test_unknown_client_or_redirect_is_not_redirected(client, rp, holder):
    _verifier, challenge = pkce_pair()
    response = authorize(
        client, holder[2], challenge=challenge, extra={"redirect_uri": "https://evil.example/cb"}
    )
    assert response.status_code == 400
    response = authorize(client, holder[2], challenge=challenge, extra={"client_id": "nobody"})
    assert response.status_code == 400


def test_certificate_checks(client, rp, holder, ca, agency):
    _verifier, challenge = pkce_pair()
    # no certificate at all
    response = authorize(
        client, holder[2], challenge=challenge, headers={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert response.status_code == 401
    # header from an untrusted address is ignored
    headers = {**cert_header(holder[2]), "REMOTE_ADDR": "10.9.8.7"}
    assert authorize(client, holder[2], challenge=challenge, headers=headers).status_code == 401
    # a certificate from another CA
    import tempfile
    from pathlib import Path

    from samdrift.efos.ca.authority import Authority, create_ca

    other_dir = Path(tempfile.mkdtemp())
    create_ca(other_dir, b"x")
    foreign = Authority(other_dir, b"x").ocsp_cert
    params = redirect_params(authorize(client, foreign, challenge=challenge))
    assert params["error"] == ["access_denied"]
    # the signature certificate is not for logging in
    _o, _c, result = issue_token(agency, "Per", "Sign")
    params = redirect_params(
        authorize(client, result.certificates["signature"], challenge=challenge)
    )
    assert params["error"] == ["access_denied"]
    assert refused("efos.refused.authenticate") >= 3


def test_revoked_or_suspended_certificate_is_refused_at_once(client, rp, client_key, holder):
    _official, credential, cert = holder
    assert login(client, client_key, cert).status_code == 200
    services.suspend_credential(actor=SYSTEM, credential=credential)
    _verifier, challenge = pkce_pair()
    assert redirect_params(authorize(client, cert, challenge=challenge))["error"] == [
        "access_denied"
    ]
    credential.refresh_from_db()
    services.resume_credential(actor=SYSTEM, credential=credential)
    assert login(client, client_key, cert).status_code == 200
    credential.refresh_from_db()
    services.revoke_credential(actor=SYSTEM, credential=credential, reason="affiliation_changed")
    assert redirect_params(authorize(client, cert, challenge=challenge))["error"] == [
        "access_denied"
    ]


def test_code_is_single_use_and_replay_revokes_the_token(client, rp, client_key, holder):
    verifier, challenge = pkce_pair()
    code = redirect_params(authorize(client, holder[2], challenge=challenge))["code"][0]
    first = token(client, client_key, code, verifier)
    assert first.status_code == 200
    second = token(client, client_key, code, verifier)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    access = first.json()["access_token"]
    assert client.get("/efos/userinfo", HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 401


def test_pkce_and_redirect_must_match(client, rp, client_key, holder):
    verifier, challenge = pkce_pair()
    code = redirect_params(authorize(client, holder[2], challenge=challenge))["code"][0]
    assert token(client, client_key, code, "x" * 50).json()["error"] == "invalid_grant"
    code = redirect_params(authorize(client, holder[2], challenge=challenge))["code"][0]
    assert (
        token(
            client, client_key, code, verifier, redirect_uri="https://safos.example/other"
        ).json()["error"]
        == "invalid_grant"
    )


@pytest.mark.parametrize(
    "case",
    [
        "wrong-aud",
        "wrong-iss",
        "unknown-kid",
        "unsigned",
        "garbled",
        "expired",
        "replayed",
        "no-assertion",
    ],
)
def test_bad_client_assertions(client, rp, client_key, holder, case):
    verifier, challenge = pkce_pair()
    code = redirect_params(authorize(client, holder[2], challenge=challenge))["code"][0]
    other_key = ECKey.generate_key("P-256", auto_kid=True)
    fixed = assertion(client_key, jti="same")
    value = {
        "wrong-aud": assertion(client_key, aud="https://elsewhere.example/token"),
        "wrong-iss": assertion(client_key, iss="someone", sub="someone"),
        "unknown-kid": assertion(other_key),
        "unsigned": jwt.encode(
            {"alg": "none"}, {"iss": "safos", "sub": "safos"}, None, algorithms=["none"]
        ),
        "garbled": "not.a.jwt",
        "expired": assertion(client_key, exp_in=-3600),
        "replayed": fixed,
        "no-assertion": "",
    }[case]
    if case == "replayed":
        assert token(client, client_key, code, verifier, client_assertion=fixed).status_code == 200
        code = redirect_params(authorize(client, holder[2], challenge=challenge))["code"][0]
    response = token(client, client_key, code, verifier, client_assertion=value)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert refused("efos.refused.token") > 0


def test_signed_request_object_and_sign_message_consent(client, rp, client_key, holder):
    import base64

    verifier, challenge = pkce_pair()
    message = "Jag godkänner anslutningsavtalet."
    request_object = jwt.encode(
        {"alg": "ES256", "kid": client_key.kid},
        {
            "iss": "safos",
            "aud": ISSUER,
            "client_id": "safos",
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": "openid https://id.oidc.se/scope/signApproval",
            "state": "s",
            "nonce": "n",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "prompt": "login consent",
            "https://id.oidc.se/param/signRequest": {
                "sign_message": {"message#sv": base64.b64encode(message.encode()).decode()}
            },
        },
        client_key,
    )
    response = client.get(
        "/efos/authorize",
        {"client_id": "safos", "request": request_object},
        **cert_header(holder[2]),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    pending = response.context["pending_id"]
    response = client.post(
        "/efos/authorize", {"pending": pending, "decision": "approve"}, **cert_header(holder[2])
    )
    code = redirect_params(response)["code"][0]
    assert AuthorizationGrant.objects.get().sign_message == message
    assert token(client, client_key, code, verifier).status_code == 200
    # a request object signed by someone else is refused outright
    forged = jwt.encode(
        {"alg": "ES256"}, {"iss": "safos", "aud": ISSUER}, ECKey.generate_key("P-256")
    )
    assert (
        client.get(
            "/efos/authorize", {"client_id": "safos", "request": forged}, **cert_header(holder[2])
        ).status_code
        == 400
    )


@pytest.mark.parametrize("case", ["unsigned", "garbled", "wrong-aud", "other-client-key"])
def test_bad_request_objects_are_refused_and_audited(client, rp, client_key, holder, case):
    _verifier, challenge = pkce_pair()
    claims = {
        "iss": "safos",
        "aud": ISSUER,
        "client_id": "safos",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "openid",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    value = {
        "unsigned": jwt.encode({"alg": "none"}, claims, None, algorithms=["none"]),
        "garbled": "eyJhbGciOiJFUzI1NiJ9.garbage.sig",
        "wrong-aud": jwt.encode(
            {"alg": "ES256", "kid": client_key.kid},
            {**claims, "aud": "https://other.example"},
            client_key,
        ),
        "other-client-key": jwt.encode({"alg": "ES256"}, claims, ECKey.generate_key("P-256")),
    }[case]
    response = client.get(
        "/efos/authorize", {"client_id": "safos", "request": value}, **cert_header(holder[2])
    )
    assert response.status_code == 400
    assert not AuthorizationGrant.objects.exists()
    assert refused("efos.refused.authorize") > 0
