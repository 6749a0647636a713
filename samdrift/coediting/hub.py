"""What one server process shares between its connections to live documents (ADR 0684).

- **One replica per document** (and generation), not one per connection: an update is applied
  once per process, and every connection answers its browser's sync steps from the replica.
  An update another process accepted reaches each local connection as a group message; the
  first to hear it applies it, the others only pass it on.
- **One writer**: updates that arrive while a write is under way wait and are then written
  together in one transaction (`services.updates_accept`), so fifty editors typing at once cost
  one commit, not fifty, and on SQLite one lock hand-over between processes instead of fifty.
  Each update is still checked against its sender's rights inside that transaction and is
  shared only once it is written.

Both are per event loop: a server process has one; each test has its own.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from channels.db import database_sync_to_async
from pycrdt import Doc

from samdrift.core.actor import Actor
from samdrift.core.exceptions import NotFound

from . import services

logger = logging.getLogger(__name__)

#: Names this process in the group messages of the updates it accepted.
PROCESS = uuid.uuid4().hex
#: How many updates of other processes a replica remembers having applied (a message reaches
#: every local connection; only the first applies it).
REMEMBERED = 4096
#: The most updates written in one transaction.
BATCH = 200


class Replica:
    """The process's copy of one document: loaded once, then fed every accepted update."""

    def __init__(self) -> None:
        self.doc: Doc = Doc()
        self.users = 0
        self.ready = asyncio.Event()
        self.error: Exception | None = None
        self._applied: set[int] = set()
        self._order: deque[int] = deque()

    def apply_remote(self, seq: int, update: bytes) -> None:
        """Apply an update another process accepted, once however many local connections hear
        it."""
        if seq in self._applied:
            return
        self._applied.add(seq)
        self._order.append(seq)
        if len(self._order) > REMEMBERED:
            self._applied.discard(self._order.popleft())
        self.doc.apply_update(update)


@dataclass(frozen=True)
class Pending:
    """An update waiting for the writer. `session` names whose it is, so the batch resolves
    each session's actor once; `actor` resolves it (afresh: a logout already counts)."""

    session: str
    actor: Callable[[], Actor]
    doc_id: int
    generation: int
    update: bytes
    first: bool


class Hub:
    def __init__(self) -> None:
        self.replicas: dict[tuple[int, int], Replica] = {}
        self.waiting: list[tuple[Pending, asyncio.Future[int]]] = []
        self.drain: asyncio.Task[None] | None = None

    async def replica(
        self, doc_id: int, generation: int, load: Callable[[], Awaitable[Doc]]
    ) -> Replica:
        """The document's replica, loaded by the first connection; raises what loading raised."""
        key = (doc_id, generation)
        replica = self.replicas.get(key)
        if replica is None:
            replica = self.replicas[key] = Replica()
            try:
                replica.doc = await load()
            except Exception as error:
                replica.error = error
                del self.replicas[key]
            finally:
                replica.ready.set()
        await replica.ready.wait()
        if replica.error is not None:
            raise replica.error
        replica.users += 1
        return replica

    def release(self, doc_id: int, generation: int, replica: Replica) -> None:
        replica.users -= 1
        if replica.users <= 0 and self.replicas.get((doc_id, generation)) is replica:
            del self.replicas[(doc_id, generation)]

    async def write(self, pending: Pending) -> int:
        """Write `pending` with whatever else is waiting; its sequence number, or the refusal
        (`DomainError`) or database error raised."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.waiting.append((pending, future))
        if self.drain is None or self.drain.done():
            self.drain = asyncio.ensure_future(self._drain())
        return await future

    async def _drain(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting[:BATCH], self.waiting[BATCH:]
            due: set[int] = set()
            try:
                results, due = await database_sync_to_async(_write_batch)(
                    [pending for pending, _f in batch]
                )
            except Exception as error:  # nothing of the batch was written
                results = [error] * len(batch)
            for (_p, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)
            if due:  # after the answers: folding is not on an update's way to the others
                await asyncio.sleep(0)
                try:
                    await database_sync_to_async(services.compact_due)(due)
                except Exception:  # the rows stay; the next batch tries again
                    logger.exception("coedit: compacting %s failed", sorted(due))


def _write_batch(batch: list[Pending]) -> tuple[list[Any], set[int]]:
    actors: dict[str, Actor] = {}
    for pending in batch:
        if pending.session not in actors:
            actors[pending.session] = pending.actor()
    edits = [
        services.Edit(actors[p.session], p.doc_id, p.generation, p.update, p.first)
        for p in batch
        if actors[p.session].is_authenticated
    ]
    accepted = services.updates_accept(edits) if edits else services.Accepted([], set())
    written = iter(accepted.results)
    # Logged out since: as if the document were not there.
    results = [next(written) if actors[p.session].is_authenticated else NotFound() for p in batch]
    return results, accepted.due


_hubs: WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = WeakKeyDictionary()


def hub() -> Hub:
    """This event loop's hub."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]
