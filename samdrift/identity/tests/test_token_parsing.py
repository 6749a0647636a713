"""Whatever arrives as an ID token or claims, the answer is a clear refusal, never a crash."""

from __future__ import annotations

import base64
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from samdrift.identity import oidc
from samdrift.identity.oidc import LoginRefused


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_header_is_refused_or_well_formed(text):
    try:
        header = oidc._header(text)
    except LoginRefused as refused:
        assert refused.code in oidc.REASONS
    else:
        assert header["alg"] in oidc.SIGNING_ALGORITHMS
        assert header["kid"]


@settings(max_examples=300, deadline=None)
@given(json_values, st.text(max_size=30))
def test_any_json_header_is_refused_or_well_formed(value, rest):
    token = f"{_b64(json.dumps(value).encode())}.{_b64(rest.encode()) or 'x'}.sig"
    try:
        oidc._header(token)
    except LoginRefused as refused:
        assert refused.code in {
            "malformed_token",
            "unsigned_token",
            "unsupported_algorithm",
            "unknown_kid",
        }


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                oidc.ORG_AFFILIATION,
                oidc.ORG_NUMBER,
                oidc.ORG_NAME,
                "name",
                "given_name",
                "family_name",
            ]
        ),
        json_values,
    )
)
def test_any_claims_map_or_are_refused(claims):
    claims = {"sub": "s", "acr": "a", "auth_time": 1, **claims}
    try:
        official = oidc.official_claims(claims)
    except LoginRefused as refused:
        assert refused.code == "missing_claims"
    else:
        assert len(official.org_number) == 10
        assert official.org_number.isdigit()
        assert official.org_affiliation.endswith(official.org_affiliation.rpartition("@")[2])


def test_alg_none_and_missing_signature_are_unsigned():
    body = _b64(b'{"sub":"x"}')
    for header in ({"alg": "none"}, {"alg": "NONE"}, {"typ": "JWT"}):
        token = f"{_b64(json.dumps(header).encode())}.{body}."
        try:
            oidc._header(token)
        except LoginRefused as refused:
            assert refused.code == "unsigned_token"
        else:
            raise AssertionError(header)
    hs256 = f"{_b64(json.dumps({'alg': 'HS256', 'kid': 'k'}).encode())}.{body}.c2ln"
    try:
        oidc._header(hs256)
    except LoginRefused as refused:
        assert refused.code == "unsupported_algorithm"
    else:
        raise AssertionError("HS256 must not be accepted")
