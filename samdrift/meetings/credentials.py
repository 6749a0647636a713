"""The credentials samdrift hands a browser for one room (ADR 0672): a random Janus token and
TURN credentials in coturn's REST API scheme (`use-auth-secret`): the username is
`<expiry unix time>:<person>`, the password base64(HMAC-SHA1(shared secret, username)); coturn
refuses the pair after the expiry without asking samdrift."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass


def janus_token() -> str:
    """A token Janus cannot guess: 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def retired_token(token: str) -> str:
    """What is kept of a revoked token: a digest, useless to present to Janus."""
    return "revoked:" + hashlib.sha256(token.encode()).hexdigest()[:48]


@dataclass(frozen=True)
class TurnCredential:
    urls: list[str]
    username: str
    credential: str

    def ice_server(self) -> dict[str, object]:
        """An entry of RTCPeerConnection's `iceServers`."""
        return {"urls": self.urls, "username": self.username, "credential": self.credential}


def turn_credential(*, secret: str, person: str, expires: int, urls: list[str]) -> TurnCredential:
    username = f"{int(expires)}:{person}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return TurnCredential(urls, username, base64.b64encode(digest).decode())


def segment_signature(*, room_id: int, user_id: int, name: str, expires: int) -> str:
    """The signature on one broadcast segment's address for one viewer (ADR 0970): the playlist
    is checked in full at each reload, the segments it names only by this, without a database."""
    from django.utils.crypto import salted_hmac

    value = f"{room_id}:{user_id}:{name}:{expires}"
    return salted_hmac("samdrift.meetings.segment", value, algorithm="sha256").hexdigest()[:40]
