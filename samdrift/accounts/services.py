"""Writes about users: personal API tokens (one transaction and one audit record each), and the
account of an official who logs in with e-ID (written and audited inside identity's login)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

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


def profile_set(
    *, actor: Actor, language: str, email: Iterable[str], in_app: Iterable[str]
) -> User:
    """The profile page's settings (issue 21 item 4, ADR 0706): the person's language (the site's
    and their messages') and which notifications they get where, in one transaction with one
    audit record of before and after. Bad input raises `ValidationFailed` and changes nothing."""
    from django.db import transaction

    from samdrift.audit.services import audit_record
    from samdrift.core.exceptions import NotFound
    from samdrift.core.notifications.selectors import preferences
    from samdrift.core.notifications.services import preferences_set

    if actor.user_id is None:
        raise NotFound("user")

    def settings_of(user: User) -> dict[str, Any]:
        chosen = preferences(actor=actor)
        return {
            "language": user.preferred_language,
            "notification_language": chosen.language,
            "email": sorted(kind.code for kind in chosen.kinds if kind.email),
            "in_app": sorted(kind.code for kind in chosen.kinds if kind.in_app),
        }

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.user_id)
        before = settings_of(user)
        # Validates the language and the kinds; raises before anything is written.
        preferences_set(actor=actor, language=language, email=email, in_app=in_app)
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        after = settings_of(user)
        if after != before:
            audit_record(
                actor=actor, action="accounts.profile_saved", obj=user, before=before, after=after
            )
    return user
