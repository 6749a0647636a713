"""Whatever arrives as an ID token or claims, the answer is a clear refusal, never a crash."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samdrift.identity import oidc
from samdrift.identity.oidc import LoginRefused


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _outcome(function: Callable[..., Any], *args: Any) -> tuple[Any, str | None]:
    """(result, None) or (None, refusal code); any other exception propagates and fails."""
    try:
        return function(*args), None
    except LoginRefused as refused:
        return None, refused.code


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
    header, code = _outcome(oidc._header, text)
    if code is None:
        assert header["alg"] in oidc.SIGNING_ALGORITHMS
        assert header["kid"]
    else:
        assert code in oidc.REASONS


@settings(max_examples=300, deadline=None)
@given(json_values, st.text(max_size=30))
def test_any_json_header_is_refused_or_well_formed(value, rest):
    token = f"{_b64(json.dumps(value).encode())}.{_b64(rest.encode()) or 'x'}.sig"
    _header, code = _outcome(oidc._header, token)
    assert code in {
        None,
        "malformed_token",
        "unsigned_token",
        "unsupported_algorithm",
        "unknown_kid",
    }


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [oidc.ORG_AFFILIATION, oidc.ORG_NUMBER, oidc.ORG_NAME, "name", "given_name"]
        ),
        json_values,
    )
)
def test_any_claims_map_or_are_refused(claims):
    official, code = _outcome(
        oidc.official_claims, {"sub": "s", "acr": "a", "auth_time": 1, **claims}
    )
    if code is None:
        assert len(official.org_number) == 10
        assert official.org_number.isdigit()
    else:
        assert code == "missing_claims"


@pytest.mark.parametrize("header", [{"alg": "none"}, {"alg": "NONE"}, {"typ": "JWT"}])
def test_alg_none_and_missing_algorithm_are_unsigned(header):
    token = f"{_b64(json.dumps(header).encode())}.{_b64(b'{}')}."
    assert _outcome(oidc._header, token) == (None, "unsigned_token")


def test_symmetric_algorithm_is_not_accepted():
    token = f"{_b64(json.dumps({'alg': 'HS256', 'kid': 'k'}).encode())}.{_b64(b'{}')}.c2ln"
    assert _outcome(oidc._header, token) == (None, "unsupported_algorithm")
