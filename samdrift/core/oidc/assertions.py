"""`private_key_jwt` client assertions (RFC 7523 §3, OIDC Core §9), created and verified.

The Swedish profile makes `private_key_jwt` the client authentication. Verification: signature
by a registered key, `iss` = `sub` = the client, `aud` the token endpoint or the issuer (both
accepted, Sweden Connect), `exp` required, not past and at most an hour ahead, all with the
clock skew (Authlib's `PrivateKeyJWT` sets `exp = iat + 3600`: a client whose clock runs a
second ahead must still pass), and a `jti` seen only once (`ReplayStore`).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterable
from typing import Any, Protocol

from joserfc.jwk import KeySet

from . import ACCEPTED_ALGORITHMS, CLOCK_SKEW_SECONDS, signing
from .tokens import TokenInvalid, check_audience, check_times, unverified_claims, verify_signature

TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: The longest lifetime we accept (Authlib's default for the assertions it makes).
MAX_LIFETIME_SECONDS = 3600


class ReplayStore(Protocol):
    def first_use(self, client_id: str, jti: str, expires_at: float) -> bool:
        """Remember `jti` until `expires_at`; False when it was seen before."""


class MemoryReplayStore:
    """For a single process (the development provider); the EFOS provider uses its database."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def first_use(self, client_id: str, jti: str, expires_at: float) -> bool:
        now = time.time()
        with self._lock:
            self._seen = {k: v for k, v in self._seen.items() if v > now - CLOCK_SKEW_SECONDS}
            if (client_id, jti) in self._seen:
                return False
            self._seen[(client_id, jti)] = expires_at
            return True


class ClientAuthError(Exception):
    """`invalid_client`; the message is the description sent back, `reason` one of
    signature, iss_sub, audience, time, jti, replayed, malformed."""

    def __init__(self, description: str, reason: str = "malformed") -> None:
        super().__init__(description)
        self.reason = reason


def create(*, client_id: str, audience: str, key: signing.SigningKey, lifetime: int = 60) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime,
        "jti": secrets.token_urlsafe(24),
    }
    return signing.sign(claims, key)


def claimed_client(assertion: str) -> str:
    """Who the assertion says it comes from, to look up their keys (not yet trusted)."""
    try:
        return str(unverified_claims(assertion).get("iss") or "")
    except TokenInvalid as exc:
        raise ClientAuthError("The client assertion is malformed.") from exc


def verify(
    assertion: str,
    *,
    client_id: str,
    keys: KeySet,
    audiences: Iterable[str],
    replay: ReplayStore,
    algorithms: Iterable[str] = ACCEPTED_ALGORITHMS,
    now: float | None = None,
) -> dict[str, Any]:
    """The verified claims, or `ClientAuthError` naming the rule the assertion breaks."""
    try:
        claims = verify_signature(assertion, keys, algorithms=algorithms)
    except TokenInvalid as exc:
        raise ClientAuthError(f"Client assertion refused: {exc.reason}.", "signature") from exc
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise ClientAuthError("Client assertion iss and sub must be the client id.", "iss_sub")
    try:
        check_audience(claims, audiences)
    except TokenInvalid as exc:
        raise ClientAuthError("Client assertion has the wrong audience.", "audience") from exc
    try:
        check_times(claims, require=("exp",), max_lifetime=MAX_LIFETIME_SECONDS, now=now)
    except TokenInvalid as exc:
        raise ClientAuthError(f"Client assertion is not valid now ({exc.reason}).", "time") from exc
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise ClientAuthError("Client assertion needs a jti.", "jti")
    if not replay.first_use(client_id, jti[:200], float(claims["exp"]) + CLOCK_SKEW_SECONDS):
        raise ClientAuthError("Client assertion was replayed.", "replayed")
    return claims
