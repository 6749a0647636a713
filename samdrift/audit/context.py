"""The address of the client being served, for the security log (set by the rate-limit middleware)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_address: ContextVar[str] = ContextVar("samdrift_client_address", default="-")


def client_address() -> str:
    return _address.get()


@contextmanager
def serving(address: str) -> Iterator[None]:
    token = _address.set(address[:45] or "-")
    try:
        yield
    finally:
        _address.reset(token)
