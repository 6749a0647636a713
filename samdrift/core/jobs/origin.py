"""Who queues a job: set around `.enqueue()` so the row records its creator and agency.

Django's tasks interface has no place for the caller, and a job's visibility must not depend on
its arguments; a context variable carries it from the page or CLI to the backend (ADR 0013).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from samdrift.core.actor import Actor


@dataclass(frozen=True)
class Origin:
    user_id: int | None = None
    agency_id: int | None = None
    label: str = ""


_origin: ContextVar[Origin | None] = ContextVar("samdrift_job_origin", default=None)


@contextlib.contextmanager
def queued_by(actor: Actor, *, agency_id: int | None = None, label: str = "") -> Iterator[None]:
    """Jobs enqueued inside this block belong to `actor` (and, for provider staff of
    `agency_id`, to that agency). `label` is the name people see in lists."""
    token = _origin.set(Origin(user_id=actor.user_id, agency_id=agency_id, label=str(label)[:200]))
    try:
        yield
    finally:
        _origin.reset(token)


def current() -> Origin:
    return _origin.get() or Origin()
