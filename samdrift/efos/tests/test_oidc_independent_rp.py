"""Issue 20 §8: a relying party samdrift did not write, against a really served samdrift.

Authlib 1.9 (`OAuth2Session` with `PrivateKeyJWT`, `CodeIDToken` claims validation) and joserfc
(signatures, the request object) talk real HTTP to pytest-django's live server. Nothing from
`samdrift.core.oidc` is used on the client side. Two clients are registered, one with an ES256
key that wants ES256 ID tokens and one with an RSA key that wants RS256; an official with a
real e-ID from the test CA presents the authentication certificate through the trusted-proxy
header (ADR 0303). No base URL is configured: the issuer must be the address discovery was
fetched from.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken, UserInfo
from cryptography.hazmat.primitives import serialization
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from samdrift.core.actor import SYSTEM
from samdrift.efos import services

from .conftest import PROXY_SECRET, issue_token

pytestmark = pytest.mark.django_db(transaction=True)
REDIRECT = "https://rp.example/callback"
ORG_ID = "https://id.oidc.se/scope/naturalPersonOrgId"
AFFILIATION = "https://id.oidc.se/claim/orgAffiliation"
UNCERTIFIED_LOA3 = "http://id.swedenconnect.se/loa/1.0/uncertified-loa3"


@pytest.fixture
def served(live_server, settings, monkeypatch):
    """samdrift on a free port, no base URL configured, plain HTTP allowed for Authlib."""
    del settings.EFOS_BASE_URL
    monkeypatch.delenv("SAMDRIFT_BASE_URL", raising=False)
    monkeypatch.delenv("SAMDRIFT_EFOS_BASE_URL", raising=False)
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    return live_server.url


@pytest.fixture
def official_certificate(ca, agency):
    official, _credential, result = issue_token(agency, "Demo", "Tjänsteperson")
    pem = result.certificates["authentication"].public_bytes(serialization.Encoding.PEM)
    return official, {
        "X-SSL-Client-Cert": quote(pem.decode()),
        "X-Samdrift-Proxy-Secret": PROXY_SECRET,
    }


def _register(client_id: str, key: ECKey | RSAKey, alg: str) -> None:
    services.register_client(
        actor=SYSTEM,
        client_id=client_id,
        name=client_id,
        redirect_uris=[REDIRECT],
        jwks={"keys": [key.as_dict(private=False)]},
        id_token_signed_response_alg=alg,
    )


def _login(meta, jwks, client_id, key, alg, cert_header, acr_values=(UNCERTIFIED_LOA3,)):
    """One complete code flow as the independent client; returns (id token claims, userinfo)."""
    session = OAuth2Session(
        client_id,
        key,
        token_endpoint_auth_method=PrivateKeyJWT(meta["token_endpoint"], alg=alg),
        scope=f"openid {ORG_ID}",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
    )
    verifier, nonce, state = secrets.token_urlsafe(48), secrets.token_urlsafe(16), "s" * 32
    now = int(time.time())
    request_object = jwt.encode(
        {"alg": alg, "kid": key.kid},
        {
            "iss": client_id,
            "aud": meta["issuer"],
            "iat": now,
            "exp": now + 120,
            "jti": secrets.token_urlsafe(12),
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": REDIRECT,
            "scope": f"openid {ORG_ID}",
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
            "claims": {"id_token": {"acr": {"essential": True, "values": list(acr_values)}}},
        },
        key,
    )
    url, _state = session.create_authorization_url(
        meta["authorization_endpoint"],
        state=state,
        code_verifier=verifier,
        nonce=nonce,
        request=request_object,
    )
    answer = requests.get(url, headers=cert_header, allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text[:300]
    location = answer.headers["Location"]
    returned = parse_qs(urlsplit(location).query)
    if "error" in returned:
        return returned, None
    assert returned["iss"] == [meta["issuer"]]  # RFC 9207 mix-up defence
    token = session.fetch_token(
        meta["token_endpoint"],
        authorization_response=location,
        code_verifier=verifier,
        state=state,
    )
    decoded = jwt.decode(token["id_token"], jwks, algorithms=[alg])
    assert decoded.header["alg"] == alg and decoded.header["kid"]
    id_token = CodeIDToken(
        dict(decoded.claims),
        dict(decoded.header),
        options={
            "iss": {"essential": True, "value": meta["issuer"]},
            "aud": {"essential": True, "value": client_id},
            "acr": {"essential": True, "values": list(acr_values)},
        },
        params={"nonce": nonce, "client_id": client_id},
    )
    id_token.validate(leeway=60)
    info = session.get(meta["userinfo_endpoint"], timeout=30)
    assert info.status_code == 200 and info.headers["Content-Type"] == "application/jwt"
    signed = jwt.decode(info.text, jwks, algorithms=[alg])
    assert signed.header["alg"] == alg
    userinfo = UserInfo(dict(signed.claims))
    assert userinfo["sub"] == id_token["sub"] and signed.claims["iss"] == meta["issuer"]
    return dict(id_token), dict(userinfo)


def test_independent_relying_party_with_es256_and_rs256_clients(served, official_certificate):
    official, cert_header = official_certificate
    discovery_url = f"{served}/efos/.well-known/openid-configuration"
    meta = requests.get(discovery_url, timeout=30).json()
    assert meta["issuer"] == f"{served}/efos"  # Discovery §4.3: the address it was fetched from
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert meta[name].startswith(meta["issuer"] + "/")
    assert {"RS256", "ES256"} <= set(meta["id_token_signing_alg_values_supported"])
    assert meta["code_challenge_methods_supported"] == ["S256"]
    jwks = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=30).json())
    assert {key.key_type for key in jwks.keys} == {"EC", "RSA"}

    es_key = ECKey.generate_key("P-256", auto_kid=True)
    rs_key = RSAKey.generate_key(2048, auto_kid=True)
    _register("rp-es256", es_key, "ES256")
    _register("rp-rs256", rs_key, "RS256")

    subjects = set()
    for client_id, key, alg in (("rp-es256", es_key, "ES256"), ("rp-rs256", rs_key, "RS256")):
        id_token, userinfo = _login(meta, jwks, client_id, key, alg, cert_header)
        assert id_token["acr"] == UNCERTIFIED_LOA3
        assert id_token[AFFILIATION] == official.org_affiliation
        assert id_token["exp"] - id_token["iat"] <= 300  # Swedish profile: at most 5 minutes
        assert userinfo[AFFILIATION] == official.org_affiliation
        subjects.add(id_token["sub"])
    assert len(subjects) == 2  # pairwise: each client sees another sub for the same official

    # An essential level the provider cannot meet is refused with the profile's error.
    refused, _none = _login(
        meta,
        jwks,
        "rp-es256",
        es_key,
        "ES256",
        cert_header,
        acr_values=("http://id.elegnamnden.se/loa/1.0/loa4",),
    )
    assert refused["error"] == ["unmet_authentication_requirements"]
