"""Writes about users: personal API tokens (one transaction and one audit record each), and the
account of an official who logs in with e-ID (written and audited inside identity's login)."""

from __future__ import annotations

import datetime

from samdrift.core.actor import Actor

from . import tokens
from .models import ApiToken, User


def token_create(
    *, actor: Actor, name: str, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new personal token for the actor's own user; the secret is returned once, never stored."""
    return tokens.create_secret(
        ApiToken,
        actor=actor,
        name=name,
        expires_at=expires_at,
        prefix=tokens.TOKEN_PREFIX,
        action="accounts.token_created",
    )


def token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens; someone else's token is a 404 like a missing one.

    Revoking a revoked token changes nothing and records nothing.
    """
    return tokens.revoke_secret(
        ApiToken, actor=actor, secret_id=token_id, action="accounts.token_revoked", what="token"
    )


TOKEN_USE_RESOLUTION = datetime.timedelta(minutes=1)


def token_mark_used(*, secret: str) -> None:
    """Record when a token was last used, at most once a minute (`tokens.mark_used`)."""
    tokens.mark_used(ApiToken, secret, TOKEN_USE_RESOLUTION)


def passwordless_user_create(*, username: str, first_name: str, last_name: str) -> User:
    """A new account without a usable password, for an official whose first e-ID login creates
    it (they can only log in through their identity provider). Inside the caller's transaction;
    the caller's audit record tells that the account was created (`identity.login`)."""
    user = User(username=username, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.save()
    return user
