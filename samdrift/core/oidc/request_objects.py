"""Signed request objects passed by value (OIDC Core §6.1, RFC 9101).

The Swedish profile requires providers to accept them and that they be signed with the client's
registered key. Verified here: the signature (never `alg=none`), `iss` = the client, `aud`
includes the provider's issuer, a `client_id` inside equal to the outer one, `exp` not past,
`iat`/`nbf` not in the future (each with the clock skew), an `iat` without `exp` no older than
an hour, and a `jti`, when present, seen only once. Whether `exp` is required is the caller's
choice (`require_exp`): OIDC Core and the profile do not require it (ADR 0031).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable
from typing import Any

from joserfc.jwk import KeySet

from . import ACCEPTED_ALGORITHMS, CLOCK_SKEW_SECONDS, signing
from .assertions import ReplayStore
from .tokens import TokenInvalid, check_audience, check_times, verify_signature

MAX_AGE_SECONDS = 3600
TYP = "oauth-authz-req+jwt"


def create(
    params: dict[str, Any],
    *,
    client_id: str,
    audience: str,
    key: signing.SigningKey,
    lifetime: int = 300,
) -> str:
    """The authorization parameters as a request object signed with the client's key."""
    now = int(time.time())
    payload = {
        **{k: v for k, v in params.items() if k != "request"},
        "iss": client_id,
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "jti": secrets.token_urlsafe(16),
    }
    if isinstance(payload.get("claims"), str):
        payload["claims"] = json.loads(payload["claims"])
    return signing.sign(payload, key, typ=TYP)


def verify(
    token: str,
    *,
    client_id: str,
    issuer: str,
    keys: KeySet,
    replay: ReplayStore | None,
    require_exp: bool = False,
    algorithms: Iterable[str] = ACCEPTED_ALGORITHMS,
    now: float | None = None,
) -> dict[str, Any]:
    """The verified claims; `TokenInvalid` (reason) on the first rule broken."""
    moment = time.time() if now is None else now
    claims = verify_signature(token, keys, algorithms=algorithms)
    if claims.get("iss") != client_id:
        raise TokenInvalid("wrong_issuer", f"iss={claims.get('iss')!r}")
    if "client_id" in claims and claims["client_id"] != client_id:
        raise TokenInvalid("wrong_issuer", "client_id differs from the request's")
    check_audience(claims, issuer)
    check_times(
        claims,
        require=("exp",) if require_exp else (),
        max_lifetime=MAX_AGE_SECONDS,
        now=moment,
    )
    if "exp" not in claims and "iat" in claims and claims["iat"] < moment - MAX_AGE_SECONDS:
        raise TokenInvalid("expired", f"iat={claims['iat']!r} is more than an hour ago")
    jti = claims.get("jti")
    if jti is not None and replay is not None:
        if not isinstance(jti, str) or not jti:
            raise TokenInvalid("malformed", "jti must be a non-empty string")
        until = float(claims.get("exp") or moment + MAX_AGE_SECONDS) + CLOCK_SKEW_SECONDS
        if not replay.first_use(client_id, f"request-object:{jti}"[:200], until):
            raise TokenInvalid("replayed", "request object jti seen before")
    return claims


def as_parameters(claims: dict[str, Any], names: Iterable[str] | None = None) -> dict[str, str]:
    """Request-object members as authorization parameters (JSON for non-strings)."""
    skip = {"iss", "aud", "exp", "iat", "nbf", "jti"}
    chosen = claims if names is None else {n: claims[n] for n in names if n in claims}
    return {
        name: value if isinstance(value, str) else json.dumps(value)
        for name, value in chosen.items()
        if name not in skip
    }
