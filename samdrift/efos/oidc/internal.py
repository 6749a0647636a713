"""samdrift as a client of its own EFOS OpenID provider, for the signing re-authentication.

The request goes through the browser to /efos/authorize as a signed request object (so the
`acr` demand and the sign message cannot be changed on the way); the code comes back to
/efos/sign/callback and is redeemed in-process with a real `private_key_jwt` assertion; the ID
token is then checked like any relying party would: signature, iss, aud, exp, nonce, acr.
The client half (PKCE, the assertion, the request object) is the shared OIDC core's.
"""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives import serialization
from joserfc.jwk import ECKey

from samdrift.core.oidc import assertions, pkce, request_objects
from samdrift.efos import conf, services
from samdrift.efos.ca.authority import authority
from samdrift.efos.models import OidcClient

from . import provider

INTERNAL_CLIENT_ID = "samdrift-signing"


def callback_url(issuer: str | None = None) -> str:
    return f"{issuer or conf.issuer()}/sign/callback"


def internal_jwk() -> ECKey:
    pem = authority().internal_client_key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key = ECKey.import_key(pem)
    key.ensure_kid()
    return key


def ensure_client(issuer: str | None = None) -> OidcClient:
    """Register (or update) samdrift's own client with its key and this issuer's callback."""
    return services.ensure_internal_client(
        client_id=INTERNAL_CLIENT_ID,
        jwks={"keys": [internal_jwk().as_dict(private=False)]},
        redirect_uris=[callback_url(issuer)],
    )


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode()


def start(sign_message: str, *, issuer: str | None = None) -> tuple[str, dict[str, Any]]:
    """The authorize URL to send the official to, and what to keep in their session."""
    issuer = issuer or conf.issuer()
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier = pkce.new_verifier()
    scope = f"openid {provider.SCOPE_ORG_ID} {provider.SCOPE_SIGN_APPROVAL}"
    params = {
        "client_id": INTERNAL_CLIENT_ID,
        "response_type": "code",
        "redirect_uri": callback_url(issuer),
        "scope": scope,
        "state": state,
        "nonce": nonce,
        "code_challenge": pkce.challenge(verifier),
        "code_challenge_method": pkce.METHOD,
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
    }
    request_object = request_objects.create(
        params, client_id=INTERNAL_CLIENT_ID, audience=issuer, key=internal_jwk()
    )
    query = urlencode(
        {
            "client_id": INTERNAL_CLIENT_ID,
            "response_type": "code",
            "scope": scope,
            "request": request_object,
        }
    )
    return f"{issuer}/authorize?{query}", {
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "issuer": issuer,
        "started_at": int(time.time()),
    }


def finish(code: str, pending: dict[str, Any]) -> dict[str, Any]:
    """Redeem the code and return the verified ID-token claims (raises on any failure)."""
    issuer = pending.get("issuer") or conf.issuer()
    body = provider.exchange_code(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": callback_url(issuer),
            "code_verifier": pending["verifier"],
            "client_assertion_type": assertions.TYPE,
            "client_assertion": assertions.create(
                client_id=INTERNAL_CLIENT_ID,
                audience=provider.endpoints(issuer)["token_endpoint"],
                key=internal_jwk(),
            ),
        },
        issuer=issuer,
    )
    return provider.verify_id_token(
        body["id_token"], client_id=INTERNAL_CLIENT_ID, nonce=pending["nonce"], issuer=issuer
    )
