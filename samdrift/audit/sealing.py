"""The SQLite side of the append-only rule: a function the triggers ask before refusing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_state = threading.local()


def is_sealed() -> int:
    return 0 if getattr(_state, "unsealed", False) else 1


@contextmanager
def unsealed_for_test_flush() -> Iterator[None]:
    """Only for the test runner's database flush and the one-off re-keying migration (0004)."""
    _state.unsealed = True
    try:
        yield
    finally:
        _state.unsealed = False


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("samdrift_audit_sealed", 0, is_sealed)
