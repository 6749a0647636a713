"""Failed-login throttling per account and per client address, counted in the cache (ADR 0038).

A fixed window per key: the first attempt opens it, each attempt adds one (a success takes its
own back), and once a key holds `limit` every attempt on it is refused until the window closes,
the right password included. The account key is a hash of the name as typed, so unknown and known names are
counted and answered alike (no user enumeration). Works with the local-memory cache (per
process) and with Redis (shared by every process).
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

#: scope -> (failures allowed, window in seconds); SAMDRIFT_LOGIN_THROTTLE overrides.
DEFAULT_LIMITS = {"account": (5, 15 * 60), "address": (20, 15 * 60)}
PREFIX = "samdrift:login-fail"


@dataclass(frozen=True)
class Key:
    scope: str
    value: str

    @property
    def cache_key(self) -> str:
        return f"{PREFIX}:{self.scope}:{self.value}"


def _limits(scope: str) -> tuple[int, int]:
    configured = getattr(settings, "SAMDRIFT_LOGIN_THROTTLE", None) or {}
    limit, seconds = configured.get(scope, DEFAULT_LIMITS[scope])
    return int(limit), int(seconds)


def keys(*, username: str | None, address: str) -> list[Key]:
    found = [Key("address", address or "-")]
    if username is not None:
        digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
        found.append(Key("account", digest))
    return found


def _count(key: Key, now: float) -> int:
    """Add one attempt to the key's window, atomically (cache add + incr), and return the count."""
    _limit, seconds = _limits(key.scope)
    cache.add(f"{key.cache_key}:end", now + seconds, timeout=seconds)
    cache.add(key.cache_key, 0, timeout=seconds)
    try:
        return int(cache.incr(key.cache_key))
    except ValueError:  # the window closed between add and incr
        cache.add(key.cache_key, 1, timeout=seconds)
        return 1


def _wait(key: Key, now: float) -> int:
    ends = cache.get(f"{key.cache_key}:end")
    return max(1, int((ends or now + 1) - now + 0.999))


def attempt(*, username: str | None, address: str) -> int:
    """Count one login attempt before the password is checked; 0 if it may go ahead, else the
    seconds to wait. Counting first (not after a failure) keeps a burst of parallel guesses
    from all passing a check that none of them has counted in yet."""
    blocked = wait_seconds(username=username, address=address)
    if blocked:  # refused attempts are not counted again, on any key
        return blocked
    now = time.time()
    over = [
        k for k in keys(username=username, address=address) if _count(k, now) > _limits(k.scope)[0]
    ]
    return max((_wait(key, now) for key in over), default=0)


def succeeded(*, username: str, address: str) -> None:
    """The account's count starts again and this attempt is taken off the address's count; the
    address's other failures stay, so logging in to one account does not wipe the guesses an
    address made against others."""
    for key in keys(username=username, address=address):
        if key.scope == "account":
            cache.delete(key.cache_key)
            cache.delete(f"{key.cache_key}:end")
        else:
            with contextlib.suppress(ValueError):  # its window closed meanwhile
                cache.decr(key.cache_key)


def wait_seconds(*, username: str | None, address: str) -> int:
    """Check only: 0, or the seconds until the longest block on these keys ends."""
    now = time.time()
    waits = [0]
    for key in keys(username=username, address=address):
        limit, _seconds = _limits(key.scope)
        if int(cache.get(key.cache_key) or 0) >= limit:
            waits.append(_wait(key, now))
    return max(waits)


def failed(*, username: str | None, address: str) -> None:
    """Count a failure after the fact, for secrets too long to guess (API tokens), where a
    burst slipping past the check costs nothing and a success should cost no cache write."""
    now = time.time()
    for key in keys(username=username, address=address):
        _count(key, now)
