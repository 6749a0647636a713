"""Pairwise subject identifiers (OIDC Core §8.1): stable per person and sector, unlinkable across
sectors without the secret, and never personal data (Swedish profile §3.2.1.1)."""

from __future__ import annotations

import hashlib
import hmac


def pairwise(secret: bytes, sector: str, local_id: str) -> str:
    """HMAC-SHA256 of `sector|local_id`, 64 hex characters."""
    return hmac.new(secret, f"{sector}|{local_id}".encode(), hashlib.sha256).hexdigest()
