"""Signing JWTs with the algorithm that fits the key; `kid` always in the header (profile §7)."""

from __future__ import annotations

from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

SigningKey = ECKey | RSAKey
_EC_ALGORITHMS = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}


def algorithm_for(key: SigningKey) -> str:
    if isinstance(key, RSAKey):
        return "RS256"
    return _EC_ALGORITHMS[str(key.curve_name)]


def sign(claims: dict[str, Any], key: SigningKey, *, typ: str = "JWT") -> str:
    key.ensure_kid()
    alg = algorithm_for(key)
    return jwt.encode({"alg": alg, "kid": key.kid, "typ": typ}, claims, key, algorithms=[alg])


def public_jwk(key: SigningKey) -> dict[str, Any]:
    """The public half as published in a JWKS, with `use` and `alg` so clients pick correctly."""
    key.ensure_kid()
    return {**key.as_dict(private=False), "use": "sig", "alg": algorithm_for(key)}
