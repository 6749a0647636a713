"""Writes about users: personal API tokens (one transaction and one audit record each), and the
account of an official who logs in with e-ID (written and audited inside identity's login)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.audit.services import audit_record
from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound, ValidationFailed

from .models import ApiToken, User
from .tokens import new_token_secret, token_digest

TOKEN_NAME_MAX = 100
PREFIX_LENGTH = 12  # "sd_" and 9 characters: enough to tell tokens apart, useless to an attacker


def _token_fields(token: ApiToken) -> dict[str, object]:
    # Never the digest: the audit trail is read by more people than the token's owner.
    return {
        "name": token.name,
        "prefix": token.prefix,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
    }


def token_create(
    *, actor: Actor, name: str, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new personal token for the actor's own user; the secret is returned once, never stored."""
    if actor.user_id is None:
        raise NotFound("user")
    name = name.strip()
    if not name or len(name) > TOKEN_NAME_MAX:
        raise ValidationFailed(
            _("Give the token a name of 1–100 characters."), errors={"name": ["length"]}
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(
            _("The expiry time must be in the future."), errors={"expires_at": ["past"]}
        )
    secret = new_token_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user_id=actor.user_id,
            name=name,
            prefix=secret[:PREFIX_LENGTH],
            digest=token_digest(secret),
            expires_at=expires_at,
        )
        audit_record(
            actor=actor, action="accounts.token_created", obj=token, after=_token_fields(token)
        )
    return token, secret


def token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens; someone else's token is a 404 like a missing one.

    Revoking a revoked token changes nothing and records nothing.
    """
    if actor.user_id is None:
        raise NotFound("token")
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update().filter(id=token_id, user_id=actor.user_id).first()
        )
        if token is None:
            raise NotFound("token")
        if token.revoked_at is not None:
            return token
        before = _token_fields(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="accounts.token_revoked",
            obj=token,
            before=before,
            after=_token_fields(token),
        )
    return token


TOKEN_USE_RESOLUTION = datetime.timedelta(minutes=1)


def token_mark_used(*, secret: str) -> None:
    """Record when a token was last used, at most once a minute (usage, not a change of state:
    it is not in the audit trail, which would otherwise grow with every API call). A read must
    not need the write lock (issue 19 item 2): the cache gate skips the database within the
    minute, the write runs after the request's transaction commits, and a busy database skips
    it instead of waiting (see `tokens.record_use_without_waiting`)."""
    from django.core.cache import cache

    from .tokens import record_use_without_waiting, token_digest

    digest = token_digest(secret)
    if not cache.add(f"token-used:{digest}", 1, int(TOKEN_USE_RESOLUTION.total_seconds())):
        return
    now = timezone.now()
    stale = ApiToken.objects.filter(digest=digest).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOKEN_USE_RESOLUTION)
    )
    transaction.on_commit(lambda: record_use_without_waiting(digest, stale, now))


def passwordless_user_create(*, username: str, first_name: str, last_name: str) -> User:
    """A new account without a usable password, for an official whose first e-ID login creates
    it (they can only log in through their identity provider). Inside the caller's transaction;
    the caller's audit record tells that the account was created (`identity.login`)."""
    user = User(username=username, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.save()
    return user
