"""Personal API tokens: random secrets, stored only as SHA-256 digests."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.db.models import QuerySet

TOKEN_PREFIX = "sd_"  # noqa: S105 - a public prefix, not a secret


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


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
