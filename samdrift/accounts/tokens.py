"""Personal secrets (API tokens, app passwords): random, stored only as SHA-256 digests."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.db.models import QuerySet

TOKEN_PREFIX = "sd_"  # noqa: S105 - a public prefix, not a secret


def new_token_secret(prefix: str = TOKEN_PREFIX) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def record_use_without_waiting(digest: str, stale: QuerySet[Any], now: datetime.datetime) -> None:
    """Set `last_used_at` on the tokens in `stale` unless the database is busy: a token's last
    use is a hint, never worth making a read wait for (or fail on) another writer's lock. On
    SQLite the busy timeout is 0 for this one statement; on PostgreSQL the lock wait is 200 ms."""
    from django.core.cache import cache
    from django.db import DatabaseError, connection, transaction

    try:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout")
                (waited,) = cursor.fetchone()
                cursor.execute("PRAGMA busy_timeout = 0")
                try:
                    stale.update(last_used_at=now)
                finally:
                    cursor.execute(f"PRAGMA busy_timeout = {int(waited)}")
        else:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '200ms'")
                stale.update(last_used_at=now)
    except DatabaseError:
        cache.delete(f"token-used:{digest}")  # busy: try again on the next use, not in a minute


# --- what API tokens and app passwords share (ADR 0613): make, revoke, record use --------------

SECRET_NAME_MAX = 100
PREFIX_LENGTH = (
    12  # the prefix and a few characters: enough to tell secrets apart, useless to guess
)


def secret_fields(secret: Any) -> dict[str, object]:
    """What the audit trail keeps of a secret: never the digest (more people read the trail than
    the secret's owner)."""
    return {
        "name": secret.name,
        "prefix": secret.prefix,
        "expires_at": secret.expires_at,
        "revoked_at": secret.revoked_at,
    }


def create_secret(
    model: Any,
    *,
    actor: Any,
    name: str,
    expires_at: datetime.datetime | None,
    prefix: str,
    action: str,
    **fields: Any,
) -> tuple[Any, str]:
    """A new secret of `model` for the actor's own user, audited as `action`; the secret is
    returned once and never stored (only its digest)."""
    from django.db import transaction
    from django.utils import timezone
    from django.utils.translation import gettext_lazy as _

    from samdrift.audit.services import audit_record
    from samdrift.core.exceptions import NotFound, ValidationFailed

    if actor.user_id is None:
        raise NotFound("user")
    name = name.strip()
    if not name or len(name) > SECRET_NAME_MAX:
        raise ValidationFailed(
            _("Give the token a name of 1–100 characters."), errors={"name": ["length"]}
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(
            _("The expiry time must be in the future."), errors={"expires_at": ["past"]}
        )
    secret = new_token_secret(prefix)
    with transaction.atomic():
        row = model.objects.create(
            user_id=actor.user_id,
            name=name,
            prefix=secret[:PREFIX_LENGTH],
            digest=token_digest(secret),
            expires_at=expires_at,
            **fields,
        )
        audit_record(actor=actor, action=action, obj=row, after={**secret_fields(row), **fields})
    return row, secret


def revoke_secret(model: Any, *, actor: Any, secret_id: int, action: str, what: str) -> Any:
    """Revoke one of the actor's own secrets; someone else's is a 404 like a missing one.
    Revoking a revoked secret changes nothing and records nothing."""
    from django.db import transaction
    from django.utils import timezone

    from samdrift.audit.services import audit_record
    from samdrift.core.exceptions import NotFound

    if actor.user_id is None:
        raise NotFound(what)
    with transaction.atomic():
        row = model.objects.select_for_update().filter(id=secret_id, user_id=actor.user_id).first()
        if row is None:
            raise NotFound(what)
        if row.revoked_at is not None:
            return row
        before = secret_fields(row)
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=action, obj=row, before=before, after=secret_fields(row))
    return row


def live_secret(model: Any, secret: str) -> Any:
    """The row of an unrevoked, unexpired secret with its user, or None."""
    from django.utils import timezone

    row = (
        model.objects.select_related("user")
        .filter(digest=token_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if row is None or (row.expires_at is not None and row.expires_at <= timezone.now()):
        return None
    return row


def mark_used(model: Any, secret: str, resolution: datetime.timedelta) -> None:
    """Record when a secret was last used, at most once per `resolution` (usage, not a change of
    state, so not audited). A read must not need the write lock (issue 19 item 2): the cache gate
    skips the database within the window, the write runs after the request's transaction
    commits, and a busy database skips it (`record_use_without_waiting`)."""
    from django.core.cache import cache
    from django.db import transaction
    from django.db.models import Q
    from django.utils import timezone

    digest = token_digest(secret)
    if not cache.add(f"token-used:{digest}", 1, int(resolution.total_seconds())):
        return
    now = timezone.now()
    stale = model.objects.filter(digest=digest).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - resolution)
    )
    transaction.on_commit(lambda: record_use_without_waiting(digest, stale, now))
