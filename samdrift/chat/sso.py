"""samdrift as the OpenID provider of its own homeserver (issue 13 item 2, ADR 0657).

A Matrix client (Element, a phone) signs in to Synapse with "Log in with samdrift": Synapse sends
the browser here, samdrift checks its own e-ID session and the level of assurance the person's
rooms need, and hands Synapse a one-time code; Synapse redeems it for an ID token that names the
person's Matrix account (the one the application service made for them). Password login stays off
in Synapse, so there is no other way in.

One client only, the homeserver samdrift configures: its redirect URI is derived from the
homeserver's address and compared exactly, and it authenticates with a generated secret
(`client_secret_basic`, the strongest method Synapse's OIDC client has; kept like the other
homeserver secrets). Code flow, PKCE S256 required, codes live 60 s and are redeemed once, ID
tokens are ES256 with `kid`, `acr` and `auth_time` from the samdrift session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.parse
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from joserfc.jwk import ECKey

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor
from samdrift.core.engines import write_private
from samdrift.core.oidc import discovery as discovery_document
from samdrift.core.oidc import pkce, signing
from samdrift.core.oidc.authorization import with_query

from . import conf, homeserver, matrix
from .models import SsoGrant
from .selectors import matrix_localpart

CLIENT_ID = homeserver.SSO_CLIENT_ID
CODE_SECONDS = 60
ID_TOKEN_SECONDS = 300
PATHS = {
    "authorization_endpoint": "/authorize",
    "token_endpoint": "/token",
    "jwks_uri": "/jwks",
}


class UnknownClient(Exception):
    """The request names no client or a redirect URI that is not the homeserver's: answered on
    samdrift's own page, never by a redirect (it could lead anywhere)."""


class Refused(Exception):
    """An authorization request of the homeserver that is wrong: answered at its redirect URI."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class TokenRefused(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


@dataclass(frozen=True)
class SignInRequest:
    redirect_uri: str
    state: str
    nonce: str
    code_challenge: str


def issuer() -> str:
    return conf.sso_issuer()


def redirect_uri() -> str:
    """Where Synapse's OIDC client receives codes (its `public_baseurl` + the fixed path)."""
    return f"{conf.public_baseurl()}/_synapse/client/oidc/callback"


def client_secret() -> str:
    return homeserver.secret("sso_client_secret")


_keys: dict[str, ECKey] = {}


def signing_key() -> ECKey:
    """The provider's EC P-256 key, made once in the chat folder (owner-only), cached per path."""
    path = conf.chat_dir() / "sso-signing-key.json"
    if str(path) not in _keys:
        if not path.exists():
            fresh = ECKey.generate_key("P-256", private=True)
            fresh.ensure_kid()
            write_private(path, json.dumps(fresh.as_dict(private=True)))
        _keys[str(path)] = ECKey.import_key(json.loads(path.read_text()))
    return _keys[str(path)]


def jwks() -> dict[str, Any]:
    return {"keys": [signing.public_jwk(signing_key())]}


def discovery() -> dict[str, Any]:
    return discovery_document.document(
        issuer(),
        paths=PATHS,
        id_token_algorithms=["ES256"],
        acr_values=[],
        scopes=["openid", "profile"],
        claims=["sub", "preferred_username", "name", "acr", "auth_time"],
        subject_types=["public"],
        extra={
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
            "authorization_response_iss_parameter_supported": False,
        },
    )


def parse_request(params: Any) -> SignInRequest:
    """The homeserver's authorization request, checked: client and redirect URI first (else
    `UnknownClient`), then the rest (else `Refused`, to be answered at the redirect URI)."""
    if params.get("client_id") != CLIENT_ID or params.get("redirect_uri") != redirect_uri():
        raise UnknownClient()
    state = str(params.get("state", ""))[:1000]

    def refuse(error: str, description: str) -> Refused:
        answer = {"error": error, "error_description": description}
        return Refused(
            with_query(redirect_uri(), {**answer, **({"state": state} if state else {})})
        )

    if params.get("response_type") != "code":
        raise refuse("unsupported_response_type", "only the code flow is offered")
    if "openid" not in str(params.get("scope", "")).split():
        raise refuse("invalid_scope", "the openid scope is required")
    challenge = str(params.get("code_challenge", ""))
    if not pkce.acceptable_challenge(challenge, str(params.get("code_challenge_method", ""))):
        raise refuse("invalid_request", "PKCE with S256 is required")
    nonce = str(params.get("nonce", ""))
    if len(nonce) > 255:
        raise refuse("invalid_request", "the nonce is longer than 255 characters")
    return SignInRequest(redirect_uri(), state, nonce, challenge)


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def issue_code(
    ask: SignInRequest, *, actor: Actor, user_id: int, acr: str, rank: int, auth_time: int
) -> str:
    """The redirect back to the homeserver with a fresh code for the person (audited)."""
    code = secrets.token_urlsafe(32)
    with transaction.atomic():
        # Codes this person never redeemed are of no use once expired: the table stays small.
        SsoGrant.objects.filter(
            user_id=user_id,
            redeemed_at__isnull=True,
            created_at__lt=timezone.now() - timedelta(seconds=CODE_SECONDS),
        ).delete()
        grant = SsoGrant.objects.create(
            user_id=user_id,
            code_hash=_hash(code),
            redirect_uri=ask.redirect_uri,
            code_challenge=ask.code_challenge,
            nonce=ask.nonce,
            acr=acr,
            rank=rank,
            auth_time=auth_time,
        )
        audit_record(
            actor=actor,
            action="chat.sign_in",
            obj=grant,
            after={"matrix_user": matrix.user_id(matrix_localpart(user_id)), "level": rank},
        )
    return with_query(
        ask.redirect_uri, {"code": code, **({"state": ask.state} if ask.state else {})}
    )


def _basic_client(authorization: str) -> bool:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic" or not value:
        return False
    try:
        client_id, _, secret = base64.b64decode(value, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return False
    client_id, secret = urllib.parse.unquote_plus(client_id), urllib.parse.unquote_plus(secret)
    return hmac.compare_digest(client_id, CLIENT_ID) and hmac.compare_digest(
        secret.encode(), client_secret().encode()
    )


def redeem(form: Any, authorization: str) -> dict[str, Any]:
    """The token answer for a code, or `TokenRefused` (RFC 6749 §5.2)."""
    if not _basic_client(authorization):
        raise TokenRefused("invalid_client", "client authentication failed", 401)
    if form.get("grant_type") != "authorization_code":
        raise TokenRefused("unsupported_grant_type", "only authorization_code is offered")
    code, verifier = str(form.get("code", "")), str(form.get("code_verifier", ""))
    if not code:
        raise TokenRefused("invalid_request", "the code is missing")
    now = timezone.now()
    with transaction.atomic():
        grant = (
            SsoGrant.objects.select_for_update()
            .select_related("user")
            .filter(code_hash=_hash(code))
            .first()
        )
        if (
            grant is None
            or grant.redeemed_at is not None
            or grant.created_at < now - timedelta(seconds=CODE_SECONDS)
        ):
            raise TokenRefused("invalid_grant", "the code is unknown, used or expired")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise TokenRefused("invalid_grant", "the redirect URI differs from the request's")
        if not pkce.verify(verifier, grant.code_challenge):
            raise TokenRefused("invalid_grant", "the code verifier does not match")
        if not grant.user.is_active:
            raise TokenRefused("invalid_grant", "the account is no longer active")
        grant.redeemed_at = now
        grant.save(update_fields=["redeemed_at"])
    return {
        "access_token": secrets.token_urlsafe(32),  # for no resource: the ID token is the answer
        "token_type": "Bearer",
        "expires_in": ID_TOKEN_SECONDS,
        "id_token": _id_token(grant),
    }


def _id_token(grant: SsoGrant) -> str:
    localpart = matrix_localpart(grant.user_id)
    user = grant.user
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer(),
        "aud": CLIENT_ID,
        "sub": localpart,
        "preferred_username": localpart,
        "name": user.get_full_name() or user.get_username(),
        "iat": now,
        "exp": now + ID_TOKEN_SECONDS,
        "jti": secrets.token_urlsafe(16),
    }
    # What the session knows of its e-ID login; a claim it cannot vouch for is left out.
    optional = {"auth_time": grant.auth_time, "acr": grant.acr, "nonce": grant.nonce}
    claims.update({name: value for name, value in optional.items() if value})
    return signing.sign(claims, signing_key())
