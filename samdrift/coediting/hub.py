"""What one server process shares between its connections to live documents (ADRs 0684, 0689).

- **One replica per document** (and generation), not one per connection: an update is applied
  once per process, and every connection answers its browser's sync steps from the replica.
  An update another process accepted reaches each local connection as a group message; the
  first to hear it applies it, the others only pass it on.
- **One checker, one writer**: updates that arrive while a check is under way wait and are then
  checked together (each against its own sender's rights and the document's generation, in one
  read); those that pass are shared with the other editors at once and handed to the writer,
  which writes all that waits in one transaction (`services.updates_write`), so fifty editors
  typing at once cost one commit, not fifty. The two run side by side on connections of their
  own: the commit (on SQLite, perhaps waiting for another process's write lock) is on no
  update's way to the others, not even the next batch's (ADR 0689).

Both are per event loop: a server process has one; each test has its own.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from channels.db import database_sync_to_async
from django.db import connection
from pycrdt import Doc

from samdrift.core.actor import ANONYMOUS, Actor
from samdrift.core.exceptions import NotFound
from samdrift.core.lent_threads import request_threads

from . import selectors, services

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
        self._applied: set[str] = set()
        self._order: deque[str] = deque()

    def apply_remote(self, seq: str, update: bytes) -> None:
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
    """An update waiting for the checker. `session` names whose it is, so the batch resolves
    each session's actor once (`actor`; the connection keeps it a few seconds) and asks once
    for all whether their sessions and accounts are still live: a logout already counts."""

    session: str
    actor: Callable[[], Actor]
    doc_id: int
    generation: int
    update: bytes
    first: bool


@dataclass(frozen=True)
class Submitted:
    """An update's two answers: `checked` (it may be shared, or the refusal) and `written` (its
    row's number once stored, or why not). `key` names it in the group messages."""

    key: str
    checked: asyncio.Future[None]
    written: asyncio.Future[int]


class Hub:
    def __init__(self) -> None:
        self.replicas: dict[tuple[int, int], Replica] = {}
        self.waiting: list[tuple[Pending, Submitted]] = []  # for the checker
        self.in_check: list[tuple[Pending, Submitted]] = []
        self.unwritten: list[tuple[services.Edit, Submitted]] = []  # checked, for the writer
        self.checking: asyncio.Task[None] | None = None
        self.writing: asyncio.Task[None] | None = None
        self._numbers = itertools.count(1)
        # An in-memory database (the tests') refuses a read on one connection while another
        # writes: there the check keeps the writer's thread.
        self._check_apart = not (connection.vendor == "sqlite" and connection.is_in_memory_db())  # type: ignore[attr-defined]  # SQLite's own

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

    def submit(self, pending: Pending) -> Submitted:
        """Queue `pending` for the next check and write."""
        loop = asyncio.get_running_loop()
        submitted = Submitted(
            f"{PROCESS}:{next(self._numbers)}", loop.create_future(), loop.create_future()
        )
        # A connection that closed meanwhile no longer waits for its write: nothing to report.
        submitted.written.add_done_callback(_quiet)
        self.waiting.append((pending, submitted))
        if self.checking is None or self.checking.done():
            self.checking = asyncio.ensure_future(self._check())
        return submitted

    async def write(self, pending: Pending) -> int:
        """Check and write `pending` with whatever else is waiting; its row's number, or the
        refusal (`DomainError`) or database error raised."""
        submitted = self.submit(pending)
        await submitted.checked
        return await submitted.written

    async def _check(self) -> None:
        """Check what waits, batch after batch, and hand what passed to the writer: a check
        never waits for a write (ADR 0689), which runs on its own connection where the
        database allows two (`_checked`)."""
        while self.waiting:
            batch, self.waiting = self.waiting[:BATCH], self.waiting[BATCH:]
            self.in_check = batch
            try:
                checked = await self._checked([p for p, _s in batch])
            except Exception as error:  # nothing of the batch was checked
                checked = [(None, error)] * len(batch)
            finally:
                self.in_check = []
            for (_pending, submitted), (edit, refusal) in zip(batch, checked, strict=True):
                if edit is not None and refusal is None:
                    self.unwritten.append((edit, submitted))
                    submitted.checked.set_result(None)
                else:
                    submitted.checked.set_exception(refusal or NotFound())
                    submitted.written.cancel()
            if self.unwritten and (self.writing is None or self.writing.done()):
                self.writing = asyncio.ensure_future(self._write())

    async def _checked(
        self, batch: list[Pending]
    ) -> list[tuple[services.Edit | None, Exception | None]]:
        """The batch checked on a connection of its own, in a lent request thread (ADR 0669), so
        a check does not queue behind a write in the process's database thread."""
        check = database_sync_to_async(_check_batch)
        if not self._check_apart:
            return await check(batch)
        async with request_threads.lent():
            return await check(batch)

    async def _write(self) -> None:
        """Write what passed, all that waits in one transaction."""
        while self.unwritten:
            await asyncio.sleep(0)  # the connections share what passed before it is written
            batch, self.unwritten = self.unwritten[:BATCH], self.unwritten[BATCH:]
            due: set[int] = set()
            try:
                accepted = await database_sync_to_async(services.updates_write)(
                    [edit for edit, _s in batch]
                )
                results, due = accepted.results, accepted.due
            except Exception as error:  # nothing of the batch was written
                results = [error] * len(batch)
            for (edit, submitted), result in zip(batch, results, strict=True):
                if isinstance(result, Exception):
                    # Shared but not stored: the next connection loads the document from the
                    # database again, so the sender's client, reconnecting, sends it once more.
                    self.replicas.pop((edit.doc_id, edit.generation), None)
                    submitted.written.set_exception(result)
                else:
                    submitted.written.set_result(result)
            if due:  # after the answers: folding is not on an update's way to the others
                await asyncio.sleep(0)
                try:
                    await database_sync_to_async(services.compact_due)(due)
                except Exception:  # the rows stay; the next batch tries again
                    logger.exception("coedit: compacting %s failed", sorted(due))


def _quiet(future: asyncio.Future[int]) -> None:
    if not future.cancelled():
        future.exception()


def _check_batch(batch: list[Pending]) -> list[tuple[services.Edit | None, Exception | None]]:
    """Each pending update as an edit of its sender's actor (resolved once per session), with
    its refusal or None; a sender logged out since is as if the document were not there."""
    actors: dict[str, Actor] = {}
    for pending in batch:
        if pending.session not in actors:
            actors[pending.session] = pending.actor()
    live = selectors.live_sessions({s: a.user_id for s, a in actors.items() if a.user_id})
    actors = {s: a if s in live else ANONYMOUS for s, a in actors.items()}
    edits = [
        services.Edit(actors[p.session], p.doc_id, p.generation, p.update, p.first)
        if actors[p.session].is_authenticated
        else None
        for p in batch
    ]
    present = [e for e in edits if e is not None]
    refusals = iter(services.updates_check(present) if present else [])
    return [(e, next(refusals)) if e is not None else (None, NotFound()) for e in edits]


_hubs: WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = WeakKeyDictionary()


def hub() -> Hub:
    """This event loop's hub."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]
