"""The live-document WebSocket over the real ASGI application: editors converge, everything
accepted is on disk before it is shared, and every refusal closes with its code and changes
nothing."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from samdrift.coediting import protocol, services
from samdrift.coediting.consumer import CLOSE
from samdrift.coediting.models import LiveDoc, LiveUpdate

from .conftest import cookie
from .yclient import YClient, stored, until_stored

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def client(safos, note, who: str, loa: int = 3, query: str = "") -> YClient:
    key = await database_sync_to_async(cookie)(safos, who, loa)
    return YClient(note.id, key, query)


@pytest.fixture(params=["memory", "redis"])
def layer(request):
    if request.param == "redis":
        request.getfixturevalue("redis_layer")
    return request.param


async def test_two_editors_converge_and_a_late_one_gets_everything(safos, note, layer):
    owner, editor = await client(safos, note, "owner"), await client(safos, note, "editor")
    assert await owner.open() is None
    assert await editor.open() is None
    await owner.edit(lambda t: t.insert(0, "Hej "))
    await editor.edit(lambda t: t.insert(0, "Dagordning: "))
    both = ("Hej", "Dagordning")
    await owner.pump_until(lambda: all(word in str(owner.text) for word in both))
    await editor.pump_until(lambda: all(word in str(editor.text) for word in both))
    assert str(owner.text) == str(editor.text)
    assert "Hej" in str(owner.text) and "Dagordning" in str(owner.text)
    assert await database_sync_to_async(stored)(note.id) == str(owner.text)
    late = await client(safos, note, "reader")
    assert await late.open() is None
    assert str(late.text) == str(owner.text)
    for each in (owner, editor, late):
        await each.close()


async def test_a_reader_cannot_write(safos, note):
    reader = await client(safos, note, "reader")
    assert await reader.open() is None
    await reader.edit(lambda t: t.insert(0, "Inte min text"))
    assert await reader.until_closed() == CLOSE["read_only"]
    assert await database_sync_to_async(LiveUpdate.objects.count)() == 0


@pytest.mark.parametrize(
    ("who", "loa", "code"),
    [
        ("outsider", 3, "not_found"),  # another agency, not in the workspace
        ("guest", 3, "not_found"),
        ("editor", 0, "step_up"),  # class 1 asks for a stronger login than a password
    ],
)
async def test_who_may_not_open_is_refused(safos, note, who, loa, code):
    refused = await client(safos, note, who, loa)
    assert await refused.open() == CLOSE[code]


async def test_anonymous_and_missing(safos, note):
    anonymous = YClient(note.id, None)
    assert await anonymous.open() == CLOSE["unauthenticated"]
    missing = await client(safos, note, "owner")
    missing.socket.scope["path"] = "/ws/coedit/987654"
    missing.socket = type(missing.socket)(
        missing.socket.application, "/ws/coedit/987654", headers=missing.socket.scope["headers"]
    )
    assert await missing.open() == CLOSE["not_found"]


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b"\x00\x02\x05ab", "malformed"),  # a payload shorter than it says
        (b"\x07", "malformed"),  # no such message type
        (protocol.update_frame(b"\x05\xff\xffskr\xe4p"), "malformed"),  # not a Yjs update
        (protocol.update_frame(b"x" * protocol.MAX_FRAME_BYTES), "too_large"),
        (b"\x01\x05{bad}", "malformed"),  # awareness that is not an awareness update
    ],
)
async def test_bad_frames_close_and_change_nothing(safos, note, frame, code):
    owner = await client(safos, note, "owner")
    assert await owner.open() is None
    await owner.send(frame)
    assert await owner.until_closed() == CLOSE[code]
    assert await database_sync_to_async(LiveUpdate.objects.count)() == 0


async def test_a_flood_is_cut_off_and_resent_on_reconnecting(safos, note, settings):
    settings.SAMDRIFT_COEDIT_RATE = (1.0, 20.0)
    owner = await client(safos, note, "owner")
    assert await owner.open() is None
    for n in range(60):
        await owner.edit(lambda t, n=n: t.insert(len(t), f"{n};"))
    assert await owner.until_closed() == CLOSE["too_fast"]
    rows = await database_sync_to_async(LiveUpdate.objects.count)()
    # The burst of 20 frames includes what the client sent on opening (sync step, presence),
    # and tokens refill while the edits go out: some, never all, are taken.
    assert 10 <= rows < 60
    # The provider reconnects: the sync steps carry what the server did not take.
    again = await client(safos, note, "owner")
    again.doc.apply_update(owner.doc.get_update())
    assert await again.open() is None
    assert await database_sync_to_async(stored)(note.id) == str(owner.text)
    await again.close()


async def test_presence_shows_who_is_logged_in(safos, note):
    owner, editor = await client(safos, note, "owner"), await client(safos, note, "editor")
    await owner.open()
    await editor.open()
    claim = b'{"user":{"name":"Chefen","color":"#123456"}}'
    body = b"\x01" + b"\x07\x01" + bytes([len(claim)]) + claim
    await editor.send(protocol.awareness_frame(body))
    await owner.pump_until(lambda: any(b"#123456" in heard for heard in owner.awareness))
    assert owner.awareness, "the owner heard nobody"
    heard = owner.awareness[-1]
    assert b"Chefen" not in heard
    assert safos.users["editor"].get_full_name().encode() in heard or b"safos_editor" in heard
    assert b"#123456" in heard
    await editor.close()
    await owner.pump_until(lambda: owner.awareness[-1].endswith(b"null"))
    assert owner.awareness[-1].endswith(b"null"), "the editor's cursor did not leave"
    await owner.close()


async def test_restore_starts_a_new_generation_and_old_clients_reload(safos, note):
    owner = await client(safos, note, "owner")
    await owner.open()
    await owner.edit(lambda t: t.insert(0, "Första"))
    assert await until_stored(note.id, "Första") == "Första"
    kept = await database_sync_to_async(
        lambda: services.version_keep(
            actor=safos.actor("owner"), doc_id=note.id, name="Före ändring"
        )
    )()
    await owner.edit(lambda t: t.insert(len(t), " och andra"))
    await owner.pump()
    await database_sync_to_async(
        lambda: services.version_restore(
            actor=safos.actor("owner"), doc_id=note.id, version_id=kept.id
        )
    )()
    assert await owner.until_closed() == CLOSE["stale"]
    assert await database_sync_to_async(stored)(note.id) == "Första"
    old = await client(safos, note, "owner", query="generation=1")
    assert await old.open() == CLOSE["stale"]
    fresh = await client(safos, note, "owner", query="generation=2")
    assert await fresh.open() is None
    assert str(fresh.text) == "Första"
    names = await database_sync_to_async(
        lambda: list(note.versions.values_list("name", flat=True))
    )()
    assert any(name.endswith("Före ändring") and name != "Före ändring" for name in names)
    await fresh.close()


async def test_an_unreadable_stored_state_is_refused_not_served(safos, note):
    await database_sync_to_async(LiveDoc.objects.filter(pk=note.pk).update)(
        snapshot=b"\x05\xff\xffinte yjs"
    )
    owner = await client(safos, note, "owner")
    assert await owner.open() == CLOSE["unreadable"]
