"""samdrift as a client of its own EFOS OpenID provider, for the signing re-authentication.

The request goes through the browser to /efos/authorize as a signed request object (so the
`acr` demand and the sign message cannot be changed on the way); the code comes back to
/efos/sign/callback and is redeemed in-process with a real `private_key_jwt` assertion; the ID
token is then checked like any relying party would: signature, iss, aud, exp, nonce, acr.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives import serialization
from joserfc import jwt
from joserfc.jwk import ECKey

from samdrift.efos import conf
from samdrift.efos.ca.authority import authority

from . import provider

INTERNAL_CLIENT_ID = "samdrift-signing"


def callback_url() -> str:
    return f"{conf.issuer()}/sign/callback"


def internal_jwk() -> ECKey:
    pem = authority().internal_client_key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key = ECKey.import_key(pem)
    key.ensure_kid()
    return key


def client_assertion(client_id: str, key: ECKey, audience: str) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": now,
        "exp": now + 60,
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode()


def start(sign_message: str) -> tuple[str, dict[str, Any]]:
    """The authorize URL to send the official to, and what to keep in their session."""
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    scope = f"openid {provider.SCOPE_ORG_ID} {provider.SCOPE_SIGN_APPROVAL}"
    request_claims = {
        "iss": INTERNAL_CLIENT_ID,
        "aud": conf.issuer(),
        "client_id": INTERNAL_CLIENT_ID,
        "response_type": "code",
        "redirect_uri": callback_url(),
        "scope": scope,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "prompt": "login consent",
        "claims": {
            "id_token": {
                "acr": {"essential": True, "values": [conf.asserted_acr()]},
                f"{provider.CLAIM}orgAffiliation": {"essential": True},
            }
        },
        provider.PARAM_SIGN_REQUEST: {
            "sign_message": {"message#sv": b64(sign_message), "mime_type": "text/plain"}
        },
        "exp": int(time.time()) + 300,
    }
    key = internal_jwk()
    request_object = jwt.encode({"alg": "ES256", "kid": key.kid}, request_claims, key)
    query = urlencode(
        {
            "client_id": INTERNAL_CLIENT_ID,
            "response_type": "code",
            "scope": scope,
            "request": request_object,
        }
    )
    return f"{conf.issuer()}/authorize?{query}", {
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "started_at": int(time.time()),
    }


def finish(code: str, pending: dict[str, Any]) -> dict[str, Any]:
    """Redeem the code and return the verified ID-token claims (raises on any failure)."""
    key = internal_jwk()
    body = provider.exchange_code(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": callback_url(),
            "code_verifier": pending["verifier"],
            "client_assertion_type": provider.ASSERTION_TYPE,
            "client_assertion": client_assertion(
                INTERNAL_CLIENT_ID, key, provider.endpoints()["token_endpoint"]
            ),
        }
    )
    return provider.verify_id_token(
        body["id_token"], client_id=INTERNAL_CLIENT_ID, nonce=pending["nonce"]
    )
