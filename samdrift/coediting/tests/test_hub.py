"""The process's hub (ADR 0684): updates that arrive together are written in one transaction,
each still checked for its own sender; connections of one document share one replica."""

from __future__ import annotations

import asyncio
import threading

import pytest
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
    real = services.updates_accept

    def observed(edits):
        batches.append(len(edits))
        others_queued.wait(10)  # the first write is under way until the others wait
        return real(edits)

    monkeypatch.setattr(services, "updates_accept", observed)
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
    while len(the_hub.waiting) < 6:
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
    seq = await database_sync_to_async(services.update_accept)(
        actor=editor_actor, doc_id=note.id, generation=1, update=remote
    )
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
