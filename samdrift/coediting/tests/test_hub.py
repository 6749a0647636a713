"""The process's hub (ADR 0684): updates that arrive together are written in one transaction,
each still checked for its own sender; connections of one document share one replica."""

from __future__ import annotations

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from pycrdt import Doc, Text

from samdrift.coediting import hub, protocol, services
from samdrift.coediting.models import LiveDoc, LiveUpdate
from samdrift.core.actor import ANONYMOUS
from samdrift.core.exceptions import NotFound, PermissionDenied

from .conftest import cookie
from .yclient import YClient, stored

pytestmark = [pytest.mark.django_db(transaction=True)]


def update(text: str, client_id: int) -> bytes:
    doc = Doc(client_id=client_id)
    doc["default"] = value = Text()
    value += text
    return doc.get_update()


def test_a_batch_writes_what_may_be_written_and_says_why_the_rest_was_not(safos, note):
    owner, reader, outsider = safos.actor("owner"), safos.actor("reader"), safos.actor("outsider")
    edits = [
        services.Edit(owner, note.id, 1, update("Ett ", 1), first=True),
        services.Edit(reader, note.id, 1, update("Läsarens ", 2)),
        services.Edit(owner, note.id, 2, update("Gammal ", 3)),  # a restore it did not see
        services.Edit(outsider, note.id, 1, update("Utifrån ", 4)),
        services.Edit(owner, note.id, 1, update("Två", 5)),
    ]
    accepted = services.updates_accept(edits)
    first, read_only, stale, unseen, second = accepted.results
    assert isinstance(first, int) and isinstance(second, int) and second > first
    assert isinstance(read_only, PermissionDenied)
    assert isinstance(stale, services.StaleGeneration)
    assert isinstance(unseen, NotFound)
    rows = list(LiveUpdate.objects.order_by("id").values_list("id", "author_id"))
    owner_id = safos.users["owner"].pk
    assert rows == [(first, owner_id), (second, owner_id)]
    assert sorted(stored(note.id)) == sorted("Ett Två")
    # Two rows waiting: whatever the shared sequence says, nothing is folded yet.
    services.compact_due(accepted.due)
    assert LiveUpdate.objects.count() == 2


def test_a_document_with_enough_updates_waiting_is_compacted_and_only_then(safos, note):
    owner = safos.actor("owner")
    edits = [
        services.Edit(owner, note.id, 1, update(f"{n} ", 100 + n))
        for n in range(services.COMPACT_AFTER)
    ]
    accepted = services.updates_accept(edits)
    assert accepted.due == {note.id}
    services.compact_due(accepted.due)
    assert LiveUpdate.objects.count() == 0
    assert LiveDoc.objects.get(pk=note.id).snapshot_upto == accepted.results[-1]

    # Another document's first update comes 200 numbers later, but it alone is waiting.
    other = services.doc_create(
        actor=owner, workspace_id=note.workspace_id, kind="note", title="Annan"
    )
    accepted = services.updates_accept([services.Edit(owner, other.id, 1, update("x", 999))])
    assert accepted.due == {other.id}
    services.compact_due(accepted.due)
    assert LiveUpdate.objects.filter(doc=other).count() == 1


@pytest.mark.asyncio
async def test_updates_arriving_while_a_write_is_under_way_wait_and_go_together(
    safos, note, monkeypatch
):
    batches: list[int] = []
    others_queued = threading.Event()
    real = services.updates_write

    def observed(edits):
        batches.append(len(edits))
        others_queued.wait(10)  # the first write is under way until the others wait
        return real(edits)

    monkeypatch.setattr(services, "updates_write", observed)
    key = await database_sync_to_async(cookie)(safos, "owner")
    actor = await database_sync_to_async(safos.actor)("owner")

    def pending(n: int, who=actor, session=key) -> hub.Pending:
        return hub.Pending(session, lambda: who, note.id, 1, update(f"[{n}]", 200 + n), False)

    the_hub = hub.hub()
    first = asyncio.ensure_future(the_hub.write(pending(0)))
    while not batches:
        await asyncio.sleep(0.01)
    later = [asyncio.ensure_future(the_hub.write(pending(n))) for n in range(1, 6)]
    later.append(asyncio.ensure_future(the_hub.write(pending(6, ANONYMOUS, "logged-out"))))
    # All queued: waiting for the check, being checked, or (where the checker has a connection
    # of its own) checked and waiting for the writer.
    while len(the_hub.waiting) + len(the_hub.in_check) + len(the_hub.unwritten) < 5:
        await asyncio.sleep(0.01)
    others_queued.set()
    results = await asyncio.gather(first, *later, return_exceptions=True)
    assert batches == [1, 5]  # the first alone, the others together once it was done
    assert all(isinstance(r, int) for r in results[:6])
    assert isinstance(results[6], NotFound)  # logged out since: refused, the others written
    rows = await database_sync_to_async(
        lambda: list(LiveUpdate.objects.values_list("id", flat=True))
    )()
    assert rows == results[:6], results


@pytest.mark.asyncio
async def test_a_check_does_not_wait_for_a_write_under_way(safos, note, monkeypatch):
    """ADR 0689: the checker runs on a connection of its own (a lent request thread), so an
    update arriving while a write is held up is checked, and may be shared, before that write
    ends. An in-memory database cannot be read while another connection writes: there the two
    share one thread, and this is tested in the PostgreSQL run."""
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the in-memory test database serves one connection at a time")
    release = threading.Event()
    real = services.updates_write
    batches: list[int] = []

    def held_back(edits):
        batches.append(len(edits))
        release.wait(10)
        return real(edits)

    monkeypatch.setattr(services, "updates_write", held_back)
    key = await database_sync_to_async(cookie)(safos, "owner")
    actor = await database_sync_to_async(safos.actor)("owner")
    the_hub = hub.hub()
    first = the_hub.submit(hub.Pending(key, lambda: actor, note.id, 1, update("Ett ", 301), True))
    await first.checked
    while not batches:  # the first write is under way, held
        await asyncio.sleep(0.01)
    second = the_hub.submit(hub.Pending(key, lambda: actor, note.id, 1, update("Två", 302), False))
    try:
        await asyncio.wait_for(second.checked, 5)  # checked while the write is held
        assert not first.written.done()
    finally:
        release.set()
    assert isinstance(await first.written, int) and isinstance(await second.written, int)
    assert batches == [1, 1]


@pytest.mark.asyncio
async def test_connections_of_one_document_share_one_replica(safos, note):
    owner = YClient(note.id, await database_sync_to_async(cookie)(safos, "owner"))
    editor = YClient(note.id, await database_sync_to_async(cookie)(safos, "editor"))
    assert await owner.open() is None
    assert await editor.open() is None
    replica = hub.hub().replicas[(note.id, 1)]
    assert replica.users == 2
    await owner.edit(lambda t: t.insert(0, "Hej"))
    await owner.pump()
    await editor.pump_until(lambda: str(editor.text) == "Hej")
    assert str(editor.text) == "Hej"
    assert str(replica.doc.get("default", type=Text)) == "Hej"

    # An update another process accepted: each local connection hears it, both pass it on,
    # the replica applies it once.
    remote = update("Fjärran ", 77)
    editor_actor = await database_sync_to_async(safos.actor)("editor")
    await database_sync_to_async(services.update_accept)(
        actor=editor_actor, doc_id=note.id, generation=1, update=remote
    )
    seq = "another:1"
    await get_channel_layer().group_send(
        services.group_name(note.id),
        {
            "type": "coedit.update",
            "frame": protocol.update_frame(remote),
            "process": "another",
            "seq": seq,
            "sender": "another!channel",
        },
    )
    await owner.pump_until(lambda: "Fjärran" in str(owner.text))
    await editor.pump_until(lambda: "Fjärran" in str(editor.text))
    assert "Fjärran" in str(owner.text) and "Fjärran" in str(editor.text)
    assert seq in replica._applied and len(replica._order) == 1
    assert str(replica.doc.get("default", type=Text)) == str(owner.text)

    await owner.close()
    assert replica.users == 1
    await editor.close()
    assert (note.id, 1) not in hub.hub().replicas


@pytest.mark.asyncio
async def test_an_update_reaches_the_others_once_checked_before_it_is_written(
    safos, note, monkeypatch
):
    """ADR 0689: the write (on SQLite possibly waiting for another process's lock) is not on the
    update's way to the others; it is still written, and a failed write closes its sender."""
    release = threading.Event()
    real = services.updates_write

    def held_back(edits):
        release.wait(10)
        return real(edits)

    monkeypatch.setattr(services, "updates_write", held_back)
    owner = YClient(note.id, await database_sync_to_async(cookie)(safos, "owner"))
    editor = YClient(note.id, await database_sync_to_async(cookie)(safos, "editor"))
    assert await owner.open() is None and await editor.open() is None
    await owner.edit(lambda t: t.insert(0, "Före skrivningen"))
    await owner.pump()
    await editor.pump_until(lambda: str(editor.text) == "Före skrivningen")
    assert str(editor.text) == "Före skrivningen"
    # Asked from another thread: the database's own thread is the one held back.
    written = await sync_to_async(LiveUpdate.objects.exists, thread_sensitive=False)()
    assert not written  # not written yet
    release.set()
    rows = await _until_rows(1)
    assert rows == 1
    await owner.close()
    await editor.close()


@pytest.mark.asyncio
async def test_a_failed_write_closes_its_sender_who_resends_on_reconnecting(
    safos, note, monkeypatch
):
    from django.db import OperationalError

    def failing(edits):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(services, "updates_write", failing)
    key = await database_sync_to_async(cookie)(safos, "owner")
    owner = YClient(note.id, key)
    assert await owner.open() is None
    await owner.edit(lambda t: t.insert(0, "Förlorad skrivning"))
    await owner.pump()
    assert await owner.until_closed() == 4503
    assert (note.id, 1) not in hub.hub().replicas  # reloaded from the database next time
    monkeypatch.undo()
    again = YClient(note.id, key)
    again.doc, again.text = owner.doc, owner.text  # the same browser tab, reconnecting
    assert await again.open() is None
    await again.pump()
    assert await _until_rows(1) >= 1
    assert "Förlorad skrivning" in await database_sync_to_async(stored)(note.id)
    await again.close()


async def _until_rows(count: int) -> int:
    for _ in range(200):
        rows = await database_sync_to_async(LiveUpdate.objects.count)()
        if rows >= count:
            return rows
        await asyncio.sleep(0.05)
    return rows


@pytest.mark.asyncio
async def test_a_logout_counts_at_once_though_the_connection_keeps_its_actor(safos, note):
    from django.contrib.sessions.models import Session

    key = await database_sync_to_async(cookie)(safos, "owner")
    owner = YClient(note.id, key)
    assert await owner.open() is None
    await owner.edit(lambda t: t.insert(0, "Inloggad. "))
    await owner.pump()
    assert await _until_rows(1) == 1
    # Logged out in another tab: the session is gone; the connection's actor is still fresh.
    await database_sync_to_async(lambda: Session.objects.filter(session_key=key).delete())()
    await owner.edit(lambda t: t.insert(0, "Utloggad. "))
    assert await owner.until_closed() == 4404
    assert await database_sync_to_async(LiveUpdate.objects.count)() == 1
    assert "Utloggad" not in await database_sync_to_async(stored)(note.id)
