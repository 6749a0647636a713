"""The OIDC core on its own: no database, no Django, real keys and real signatures."""

from __future__ import annotations

import time

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from samdrift.core.oidc import (
    CLOCK_SKEW_SECONDS,
    assertions,
    authorization,
    discovery,
    pkce,
    request_objects,
    responses,
    signing,
    subject,
    tokens,
)

ISSUER = "https://op.example/efos"


@pytest.fixture(scope="module")
def ec_key():
    return ECKey.generate_key("P-256", auto_kid=True)


@pytest.fixture(scope="module")
def rsa_key():
    return RSAKey.generate_key(2048, auto_kid=True)


def public(*keys):
    return KeySet.import_key_set({"keys": [k.as_dict(private=False) for k in keys]})


# -- pkce ----------------------------------------------------------------------------------------
def test_pkce_round_trip_and_refusals():
    verifier = pkce.new_verifier()
    challenge = pkce.challenge(verifier)
    assert pkce.verify(verifier, challenge)
    assert pkce.acceptable_challenge(challenge, "S256")
    assert not pkce.acceptable_challenge(challenge, "plain")  # never plain (Swedish profile)
    assert not pkce.acceptable_challenge("short", "S256")
    assert not pkce.verify(pkce.new_verifier(), challenge)
    assert not pkce.verify(verifier[:42], pkce.challenge(verifier[:42]))  # below 43 characters
    assert not pkce.verify("ä" * 50, challenge)  # outside the unreserved characters
    # RFC 7636 appendix B
    assert (
        pkce.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


# -- tokens: clock skew on exp, iat, nbf ---------------------------------------------------------
@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": -CLOCK_SKEW_SECONDS + 1}, None),
        ({"exp": -CLOCK_SKEW_SECONDS}, "expired"),
        ({"exp": 60, "iat": CLOCK_SKEW_SECONDS}, None),
        ({"exp": 60, "iat": CLOCK_SKEW_SECONDS + 1}, "issued_in_future"),
        ({"exp": 60, "nbf": CLOCK_SKEW_SECONDS}, None),
        ({"exp": 60, "nbf": CLOCK_SKEW_SECONDS + 1}, "not_yet_valid"),
        ({"exp": 3600 + CLOCK_SKEW_SECONDS}, None),
        ({"exp": 3600 + CLOCK_SKEW_SECONDS + 1}, "too_long_lived"),
        ({}, "missing_claim"),
        ({"exp": "soon"}, "malformed"),
    ],
)
def test_check_times_with_the_skew(claims, reason):
    now = 1_800_000_000
    shifted = {k: (now + v if isinstance(v, int) else v) for k, v in claims.items()}
    if reason is None:
        tokens.check_times(shifted, max_lifetime=3600, now=now)
    else:
        with pytest.raises(tokens.TokenInvalid) as refused:
            tokens.check_times(shifted, max_lifetime=3600, now=now)
        assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ({"alg": "none"}, "unsigned"),
        ({"alg": "HS256", "kid": "k"}, "unsupported_algorithm"),
        ({"alg": "ES256"}, "unknown_kid"),
    ],
)
def test_header_refusals(header, reason):
    import base64
    import json

    part = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    with pytest.raises(tokens.TokenInvalid) as refused:
        tokens.header(f"{part}.e30.c2ln", require_kid=True)
    assert refused.value.reason == reason


def test_signature_unknown_key_and_tampering(ec_key):
    token = signing.sign({"iss": ISSUER}, ec_key)
    assert tokens.verify_signature(token, public(ec_key))["iss"] == ISSUER
    stranger = ECKey.generate_key("P-256", auto_kid=True)
    with pytest.raises(tokens.TokenInvalid) as refused:
        tokens.verify_signature(token, public(stranger))
    assert refused.value.reason == "unknown_kid"
    header, _payload, signature = token.split(".")
    forged = f"{header}.eyJpc3MiOiJldmlsIn0.{signature}"
    with pytest.raises(tokens.TokenInvalid) as refused:
        tokens.verify_signature(forged, public(ec_key))
    assert refused.value.reason == "bad_signature"


# -- signing picks the algorithm from the key ------------------------------------------------------
def test_signing_algorithm_follows_the_key(ec_key, rsa_key):
    for key, alg in ((ec_key, "ES256"), (rsa_key, "RS256")):
        token = signing.sign({"a": 1}, key)
        decoded = jwt.decode(token, public(key), algorithms=[alg])
        assert decoded.header == {"alg": alg, "kid": key.kid, "typ": "JWT"}
        assert signing.public_jwk(key)["alg"] == alg and "d" not in signing.public_jwk(key)


# -- client assertions ---------------------------------------------------------------------------
def _assertion(key, **overrides):
    now = int(time.time())
    claims = {"iss": "c", "sub": "c", "aud": ISSUER + "/token", "iat": now, "exp": now + 60}
    claims["jti"] = f"j{time.perf_counter_ns()}"
    claims.update(overrides)
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


def _verify(value, key, store=None):
    return assertions.verify(
        value,
        client_id="c",
        keys=public(key),
        audiences={ISSUER, ISSUER + "/token"},
        replay=store or assertions.MemoryReplayStore(),
    )


def test_assertion_created_by_the_core_verifies_once(ec_key):
    store = assertions.MemoryReplayStore()
    value = assertions.create(client_id="c", audience=ISSUER, key=ec_key)
    assert assertions.claimed_client(value) == "c"
    assert _verify(value, ec_key, store)["sub"] == "c"
    with pytest.raises(assertions.ClientAuthError) as refused:
        _verify(value, ec_key, store)
    assert refused.value.reason == "replayed"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"sub": "other"}, "iss_sub"),
        ({"aud": "https://elsewhere.example/token"}, "audience"),
        ({"exp": 3600 + 1}, None),  # Authlib's default, one second ahead
        ({"exp": 3600 + CLOCK_SKEW_SECONDS + 5}, "time"),
        ({"exp": -CLOCK_SKEW_SECONDS - 5}, "time"),
        ({"jti": ""}, "jti"),
    ],
)
def test_assertion_rules(ec_key, overrides, reason):
    now = int(time.time())  # times are offsets from now, taken when the test runs
    value = _assertion(ec_key, **{k: now + v if k == "exp" else v for k, v in overrides.items()})
    if reason is None:
        _verify(value, ec_key)
        return
    with pytest.raises(assertions.ClientAuthError) as refused:
        _verify(value, ec_key)
    assert refused.value.reason == reason


# -- request objects -----------------------------------------------------------------------------
def test_request_object_round_trip_and_replay(rsa_key):
    store = assertions.MemoryReplayStore()
    value = request_objects.create(
        {"scope": "openid", "claims": '{"id_token": {}}'},
        client_id="c",
        audience=ISSUER,
        key=rsa_key,
    )
    claims = request_objects.verify(
        value, client_id="c", issuer=ISSUER, keys=public(rsa_key), replay=store
    )
    assert claims["claims"] == {"id_token": {}}
    assert request_objects.as_parameters(claims) == {
        "scope": "openid",
        "claims": '{"id_token": {}}',
    }
    with pytest.raises(tokens.TokenInvalid) as refused:
        request_objects.verify(
            value, client_id="c", issuer=ISSUER, keys=public(rsa_key), replay=store
        )
    assert refused.value.reason == "replayed"


def test_request_object_without_exp_when_required(ec_key):
    value = jwt.encode({"alg": "ES256", "kid": ec_key.kid}, {"iss": "c", "aud": ISSUER}, ec_key)
    request_objects.verify(value, client_id="c", issuer=ISSUER, keys=public(ec_key), replay=None)
    with pytest.raises(tokens.TokenInvalid) as refused:
        request_objects.verify(
            value, client_id="c", issuer=ISSUER, keys=public(ec_key), replay=None, require_exp=True
        )
    assert refused.value.reason == "missing_claim"


# -- subject, discovery, responses ---------------------------------------------------------------
def test_pairwise_subject_is_stable_per_sector_and_reveals_nothing():
    one = subject.pairwise(b"secret", "client-a", "195006262546")
    assert one == subject.pairwise(b"secret", "client-a", "195006262546") and len(one) == 64
    assert one != subject.pairwise(b"secret", "client-b", "195006262546")
    assert one != subject.pairwise(b"other", "client-a", "195006262546")
    assert "195006262546" not in one


def test_discovery_has_the_profile_fields():
    doc = discovery.document(
        ISSUER + "/",
        paths={"token_endpoint": "/token"},
        id_token_algorithms=["ES256", "RS256"],
        acr_values=["x"],
        scopes=["openid"],
        claims=["sub"],
        extra={"prompt_values_supported": ["login"]},
    )
    assert doc["issuer"] == ISSUER and doc["token_endpoint"] == ISSUER + "/token"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert {"RS256", "ES256"} <= set(doc["token_endpoint_auth_signing_alg_values_supported"])
    assert "none" not in doc["request_object_signing_alg_values_supported"]
    assert doc["claims_parameter_supported"] and doc["request_parameter_supported"]
    assert doc["prompt_values_supported"] == ["login"]


def test_bearer_challenge():
    assert responses.bearer_challenge() == "Bearer"
    assert (
        responses.bearer_challenge("invalid_token", 'bad "token"\\', realm="efos")
        == 'Bearer realm="efos", error="invalid_token", error_description="bad token"'
    )
    assert responses.NO_STORE == {"Cache-Control": "no-store", "Pragma": "no-cache"}


def test_requested_acr_claims_win_over_voluntary_acr_values():
    claims = {"id_token": {"acr": {"essential": True, "values": ["a", "b"]}}}
    assert authorization.requested_acr(claims, "c") == (["a", "b"], True)
    assert authorization.requested_acr({"id_token": {"acr": {"value": "a"}}}) == (["a"], False)
    assert authorization.requested_acr({}, "c d") == (["c", "d"], False)
    assert authorization.requested_acr({"id_token": "junk"}) == ([], False)


def test_answers_keep_the_redirect_uris_own_query():
    assert authorization.with_query("https://rp/cb", {"code": "x y"}) == "https://rp/cb?code=x+y"
    assert (
        authorization.with_query("https://rp/cb?t=1", {"code": "c"}) == "https://rp/cb?t=1&code=c"
    )
