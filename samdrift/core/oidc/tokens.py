"""Checks on signed JWTs (ID tokens, client assertions, request objects).

One place for the rules every party applies: the header first (never `alg=none`, only accepted
algorithms, a `kid` where required), then the signature with joserfc, then the claims, with the
same clock skew on `exp`, `iat` and `nbf` everywhere (`CLOCK_SKEW_SECONDS`). A failure raises
`TokenInvalid` with a short `reason` each caller maps to its own refusal (an error code, a
Swedish/English message).
"""

from __future__ import annotations

import base64
import json
import math
import time
from collections.abc import Iterable
from typing import Any

from joserfc import errors as jose_errors
from joserfc import jwt
from joserfc.jwk import KeySet

from . import ACCEPTED_ALGORITHMS, CLOCK_SKEW_SECONDS

#: Reasons `TokenInvalid` carries; callers map them to their own codes.
REASONS = frozenset(
    {
        "malformed",
        "unsigned",
        "unsupported_algorithm",
        "unknown_kid",
        "bad_signature",
        "expired",
        "not_yet_valid",
        "issued_in_future",
        "too_long_lived",
        "missing_claim",
        "wrong_issuer",
        "wrong_audience",
        "replayed",
    }
)


class TokenInvalid(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


def _b64json(part: str, what: str) -> Any:
    try:
        padded = part + "=" * (-len(part) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError) as exc:
        raise TokenInvalid("malformed", f"{what}: {exc}") from exc


def header(
    token: str,
    *,
    algorithms: Iterable[str] = ACCEPTED_ALGORITHMS,
    require_kid: bool = False,
) -> dict[str, Any]:
    """The unverified JOSE header, after the checks that need no key."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise TokenInvalid("malformed", "not three dot-separated parts")
    found = _b64json(parts[0], "header")
    if not isinstance(found, dict):
        raise TokenInvalid("malformed", "header is not an object")
    alg = found.get("alg")
    if alg in (None, "none", "None", "NONE") or not parts[2]:
        raise TokenInvalid("unsigned", f"alg={alg!r}")
    if alg not in tuple(algorithms):
        raise TokenInvalid("unsupported_algorithm", f"alg={alg!r}")
    if require_kid and (not isinstance(found.get("kid"), str) or not found["kid"]):
        raise TokenInvalid("unknown_kid", "no kid in the header")
    return found


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload before any check: only to find out whose keys to verify it with."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise TokenInvalid("malformed", "not three dot-separated parts")
    found = _b64json(parts[1], "payload")
    if not isinstance(found, dict):
        raise TokenInvalid("malformed", "payload is not an object")
    return found


def has_kid(keys: KeySet, kid: str) -> bool:
    return any(key.kid == kid for key in keys.keys)


def verify_signature(
    token: str,
    keys: KeySet,
    *,
    algorithms: Iterable[str] = ACCEPTED_ALGORITHMS,
    require_kid: bool = False,
) -> dict[str, Any]:
    """The claims of a token whose signature one of `keys` verifies."""
    found = header(token, algorithms=algorithms, require_kid=require_kid)
    kid = found.get("kid")
    if kid is not None and not has_kid(keys, str(kid)):
        raise TokenInvalid("unknown_kid", f"kid={kid!r}")
    try:
        decoded = jwt.decode(token, keys, algorithms=[found["alg"]])
    except jose_errors.BadSignatureError as exc:
        raise TokenInvalid("bad_signature", str(exc)) from exc
    except (jose_errors.JoseError, ValueError, TypeError, KeyError) as exc:
        # joserfc says "no key" when no key of the right type matched: an unknown key to us.
        reason = "unknown_kid" if "key" in str(exc).lower() else "malformed"
        raise TokenInvalid(reason, str(exc)) from exc
    return dict(decoded.claims)


def _number(value: Any) -> bool:
    """A JSON number that is a time: not a boolean, and finite (a NaN `exp` compares false with
    everything, so it would never expire; issue 19 item 6)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) < 2**53
    )


def check_times(
    claims: dict[str, Any],
    *,
    require: Iterable[str] = ("exp",),
    max_lifetime: int | None = None,
    now: float | None = None,
    skew: int = CLOCK_SKEW_SECONDS,
) -> None:
    """`exp`, `iat` and `nbf` with the clock skew (joserfc's registry does the comparisons);
    `max_lifetime` caps how far ahead `exp` may lie (plus the skew)."""
    moment = int(time.time() if now is None else now)
    for name in require:
        if name not in claims:
            raise TokenInvalid("missing_claim", name)
    for name in ("exp", "iat", "nbf"):
        if name in claims and not _number(claims[name]):
            raise TokenInvalid("malformed", f"{name}={claims[name]!r}")
    registry = jwt.JWTClaimsRegistry(now=moment, leeway=skew)
    try:
        registry.validate({k: claims[k] for k in ("exp", "iat", "nbf") if k in claims})
    except jose_errors.ExpiredTokenError as exc:
        raise TokenInvalid("expired", f"exp={claims.get('exp')!r}") from exc
    except jose_errors.InvalidClaimError as exc:
        reason = "issued_in_future" if exc.claim == "iat" else "not_yet_valid"
        raise TokenInvalid(reason, f"{exc.claim}={claims.get(exc.claim)!r}") from exc
    if (
        max_lifetime is not None
        and "exp" in claims
        and claims["exp"] > moment + max_lifetime + skew
    ):
        raise TokenInvalid("too_long_lived", f"exp={claims['exp']!r}")


def audiences(claims: dict[str, Any]) -> list[str]:
    value = claims.get("aud")
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)] if value else []


def check_issuer(claims: dict[str, Any], issuer: str) -> None:
    if claims.get("iss") != issuer:
        raise TokenInvalid("wrong_issuer", f"iss={claims.get('iss')!r}")


def check_audience(claims: dict[str, Any], accepted: str | Iterable[str]) -> None:
    """At least one `aud` must be accepted (a client id, an issuer, a token endpoint)."""
    wanted = {accepted} if isinstance(accepted, str) else set(accepted)
    if not wanted & set(audiences(claims)):
        raise TokenInvalid("wrong_audience", f"aud={claims.get('aud')!r}")
