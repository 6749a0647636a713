"""Health of the engines samdrift runs beside itself (the Matrix homeserver, media servers…), for
the status pages. An app registers a check in its `AppConfig.ready()`; the answers are cached a
short while, so a public page never waits on an engine for long nor floods it with probes.

A check returns True (answers), False (does not) or None (not in use here: not shown). Only
up or down is kept: versions and addresses are not for a public page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

log = logging.getLogger(__name__)

Check = Callable[[], bool | None]
MAX_AGE = 30  # seconds an answer is reused


@dataclass(frozen=True)
class ComponentHealth:
    name: str
    label: Any  # a lazy translation, read in the page's language
    up: bool


_checks: dict[str, tuple[Any, Check]] = {}


def register_health_check(name: str, label: Any, check: Check) -> None:
    """Called from an app's `AppConfig.ready()`; a name registered again is replaced."""
    _checks[name] = (label, check)


def _answer(name: str, check: Check) -> bool | None:
    try:
        return check()
    except Exception:  # a broken check is a component that does not answer
        log.exception("health check %s failed", name)
        return False


def component_health() -> list[ComponentHealth]:
    """Every registered component in use, in name order, from cache when fresh."""
    found = []
    for name, (label, check) in sorted(_checks.items()):
        key = f"samdrift:health:{name}"
        answer = cache.get(key, "missing")
        if answer == "missing":
            answer = _answer(name, check)
            cache.set(key, answer, MAX_AGE)
        if answer is not None:
            found.append(ComponentHealth(name, label, bool(answer)))
    return found


def forget(name: str) -> None:
    """Drop a cached answer (tests, and an operator who just restarted the engine)."""
    cache.delete(f"samdrift:health:{name}")
