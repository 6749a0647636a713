"""Proof Key for Code Exchange (RFC 7636), S256 only.

The Swedish profile (§2.1.8) forbids `plain`; a verifier is 43–128 unreserved characters.
The hash itself is Authlib's.
"""

from __future__ import annotations

import hmac
import re
import secrets

from authlib.oauth2.rfc7636 import create_s256_code_challenge

METHOD = "S256"
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_CHALLENGE = re.compile(r"[A-Za-z0-9\-_]{43,128}")


def new_verifier() -> str:
    """A fresh verifier: 96 characters of URL-safe randomness (~570 bits)."""
    return secrets.token_urlsafe(72)[:96]


def challenge(verifier: str) -> str:
    return str(create_s256_code_challenge(verifier))


def acceptable_challenge(code_challenge: str, method: str) -> bool:
    """What the authorization endpoint accepts: S256 and a challenge of the right shape."""
    return method == METHOD and bool(_CHALLENGE.fullmatch(code_challenge or ""))


def verify(verifier: str, code_challenge: str) -> bool:
    """True when `verifier` hashes to `code_challenge`; constant-time comparison."""
    if not isinstance(verifier, str) or not _VERIFIER.fullmatch(verifier):
        return False
    return hmac.compare_digest(challenge(verifier), code_challenge or "")
