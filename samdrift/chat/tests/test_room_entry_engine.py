"""Direct messages between officials, against a REAL Synapse (ADR 0666): a homeserver of its own
that loads samdrift's room-entry module and asks the samdrift this test serves over HTTP (uvicorn
in a thread, same test database). The officials act through Synapse's client API (the
application service speaks for them with `user_id=`, as test_engine.py does), as Element would:
a room made with `is_direct` and an invitation, then a join and a message. Nothing of Synapse is
mocked; "samdrift down" is that test server stopped."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import requests

from samdrift.audit.models import AuditEvent
from samdrift.chat import conf, homeserver, matrix, selectors, services
from samdrift.chat.models import ChatRoom
from samdrift.collaboration import selectors as collab_selectors
from samdrift.collaboration import services as collab
from samdrift.core.engines import free_port
from samdrift.tests.asgi_server import asgi_server
from samdrift.tests.factories import MembershipFactory, UserFactory

from .conftest import synapse_python

pytestmark = [pytest.mark.engine, pytest.mark.django_db(transaction=True)]

NOT_CONNECTED = "both agencies are connected to SAFOS"


@pytest.fixture
def world(settings, tmp_path, monkeypatch, safos) -> Iterator[tuple[str, str]]:
    """(samdrift's address, the homeserver's): a Synapse whose module asks that samdrift, and a
    Matrix account for each official (C has two: `outsider` and `outsider2`)."""
    site = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("SAMDRIFT_CHAT_DIR", str(tmp_path / "synapse"))
    monkeypatch.setenv("SAMDRIFT_CHAT_SYNAPSE_PYTHON", synapse_python())
    monkeypatch.setenv("SAMDRIFT_CHAT_APPSERVICE_URL", "http://127.0.0.1:9/chat/appservice")
    monkeypatch.setenv("SAMDRIFT_CHAT_ROOM_POLICY_URL", f"{site}/chat/homeserver/room-entry")
    monkeypatch.delenv("SAMDRIFT_CHAT_HOMESERVER_URL", raising=False)
    settings.CHAT_ENABLED = True
    settings.CHAT_LOCALPART_PREFIX = f"samdrift_t{uuid.uuid4().hex[:8]}_"
    extra = UserFactory(username="safos_outsider2", email="outsider2@example.se")
    MembershipFactory(user=extra, organisation=safos.c, role="member")
    safos.users["outsider2"] = extra
    state = homeserver.start(listen_port=homeserver.free_port())
    monkeypatch.setenv("SAMDRIFT_CHAT_HOMESERVER_URL", state.url)
    try:
        client = matrix.Client()
        for name in ("owner", "security", "editor", "outsider", "outsider2"):
            client.ensure_user(selectors.matrix_localpart(safos.users[name].id))
        yield site, state.url
    finally:
        homeserver.stop()


def _id(safos, name: str) -> str:
    return selectors.matrix_user_id(safos.users[name].id)


def _as(safos, name: str, method: str, path: str, body: dict | None = None) -> dict:
    return matrix.Client().call(method, path, body, as_user=_id(safos, name))


def _direct(safos, creator: str, invitee: str) -> str:
    """What Element sends for a new direct message."""
    body = {"preset": "trusted_private_chat", "is_direct": True, "invite": [_id(safos, invitee)]}
    return str(_as(safos, creator, "POST", "/createRoom", body)["room_id"])


def _refused(call) -> matrix.MatrixError:
    with pytest.raises(matrix.MatrixError) as refused:
        call()
    assert (refused.value.status, refused.value.errcode) == (403, "M_FORBIDDEN"), refused.value
    return refused.value


def _members(safos, viewer: str, room: str) -> dict[str, str]:
    data = _as(safos, viewer, "GET", f"/rooms/{quote(room)}/members")
    return {str(e["state_key"]): str(e["content"]["membership"]) for e in data["chunk"]}


def _rooms_of(safos, name: str) -> set[str]:
    return set(_as(safos, name, "GET", "/joined_rooms")["joined_rooms"])


def _talk(safos, room: str, writer: str, reader: str, text: str) -> None:
    """The reader joins (asked too) and reads what the writer wrote."""
    _as(safos, reader, "POST", f"/rooms/{quote(room)}/join", {})
    matrix.Client().send_text(room, as_user=_id(safos, writer), body=text, txn_id=uuid.uuid4().hex)
    bodies = [
        e["content"].get("body")
        for e in matrix.Client().recent(room, as_user=_id(safos, reader))
        if e["type"] == "m.room.message"
    ]
    assert text in bodies


def test_officials_of_connected_agencies_chat_and_an_agency_not_connected_is_refused(safos, world):
    site, _hs = world
    with asgi_server(port=int(site.rsplit(":", 1)[1])):
        # A and B are both connected to SAFOS: the direct message is made, the message arrives.
        room = _direct(safos, "owner", "editor")
        assert _members(safos, "owner", room)[_id(safos, "editor")] == "invite"
        _talk(safos, room, "owner", "editor", "Hej från Myndighet A")

        # C is not connected: Synapse refuses the direct message before the room is made ...
        rooms_before = _rooms_of(safos, "owner")
        refused = _refused(lambda: _direct(safos, "owner", "outsider"))
        assert "båda myndigheterna är anslutna till SAFOS" in str(refused)
        assert NOT_CONNECTED in str(refused)
        assert _rooms_of(safos, "owner") == rooms_before
        assert not _as(safos, "outsider", "GET", "/sync?timeout=0").get("rooms", {}).get("invite")
        # ... an invitation into a room of the owner's own ...
        own = str(_as(safos, "owner", "POST", "/createRoom", {"preset": "private_chat"})["room_id"])
        _refused(
            lambda: _as(safos, "owner", "POST", f"/rooms/{quote(own)}/invite",
                        {"user_id": _id(safos, "outsider")})
        )  # fmt: skip
        assert _id(safos, "outsider") not in _members(safos, "owner", own)
        # ... and a join without one, into a room anyone on the server may join.
        public = _as(safos, "owner", "POST", "/createRoom", {"preset": "public_chat"})["room_id"]
        _refused(lambda: _as(safos, "outsider", "POST", f"/rooms/{quote(public)}/join", {}))
        assert _id(safos, "outsider") not in _members(safos, "owner", public)
        _talk(safos, public, "owner", "editor", "Öppet rum")  # B may: both connected

        # One agency: allowed, connected (A) or not (C): nothing crosses an agency's boundary.
        _talk(safos, _direct(safos, "owner", "security"), "owner", "security", "Inom A")
        _talk(safos, _direct(safos, "outsider", "outsider2"), "outsider", "outsider2", "Inom C")
        # But not a third person of another agency once C is in the room.
        c_room = _direct(safos, "outsider", "outsider2")
        _refused(
            lambda: _as(safos, "outsider", "POST", f"/rooms/{quote(c_room)}/invite",
                        {"user_id": _id(safos, "owner")})
        )  # fmt: skip

    refusals = AuditEvent.objects.filter(action="chat.room_entry_refused").order_by("id")
    assert [(e.after["action"], e.actor_id) for e in refusals] == [
        ("create", safos.users["owner"].id),
        ("invite", safos.users["owner"].id),
        ("join", safos.users["outsider"].id),
        ("invite", safos.users["outsider"].id),
    ]
    assert {e.after["reason"] for e in refusals} == {"not_connected"}


def test_samdrift_down_refuses_and_workspace_rooms_do_not_ask(safos, world):
    site, _hs = world
    # Nothing answers at samdrift's address: the homeserver refuses (fail closed) and logs it.
    refused = _refused(lambda: _direct(safos, "owner", "editor"))
    assert "samdrift does not answer" in str(refused) and "samdrift svarar inte" in str(refused)
    assert not _as(safos, "editor", "GET", "/sync?timeout=0").get("rooms", {}).get("invite")
    log = (conf.chat_dir() / "homeserver.log").read_text()
    assert "samdrift_room_policy: no answer from samdrift" in log
    assert not AuditEvent.objects.filter(action="chat.room_entry_refused").exists()

    # A workspace's room is samdrift's provisioning, as before: it never asks the endpoint.
    workspace = collab.workspace_create(
        actor=safos.actor("owner"), name="Samverkan", classification=1
    )
    collab.invite(
        actor=safos.actor("owner"), workspace_id=workspace.id, email="editor@example.se",
        role="editor",
    )  # fmt: skip
    invitation = collab_selectors.my_invitations(actor=safos.actor("editor")).get(
        workspace=workspace
    )
    collab.invitation_accept(actor=safos.actor("editor"), invitation_id=invitation.id)
    services.provision_workspace(workspace_id=workspace.id)
    room = ChatRoom.objects.get(workspace=workspace).room_id
    assert matrix.Client().memberships(room)[_id(safos, "editor")] == "join"
    # ... and its members still cannot invite anyone there (power levels, not the module).
    with asgi_server(port=int(site.rsplit(":", 1)[1])):
        _refused(
            lambda: _as(safos, "owner", "POST", f"/rooms/{quote(room)}/invite",
                        {"user_id": _id(safos, "security")})
        )  # fmt: skip
    assert _id(safos, "security") not in matrix.Client().memberships(room)
    assert not AuditEvent.objects.filter(action="chat.room_entry_refused").exists()


def test_a_forged_secret_at_samdrifts_endpoint_is_refused_and_changes_nothing(safos, world):
    site, _hs = world
    question = {"action": "invite", "room_id": "!x:samdrift.localhost",
                "sender": _id(safos, "owner"), "entering": _id(safos, "outsider"),
                "others": [_id(safos, "owner")]}  # fmt: skip
    with asgi_server(port=int(site.rsplit(":", 1)[1])):
        url = f"{site}/chat/homeserver/room-entry"
        forged = requests.post(
            url, json=question, headers={"Authorization": "Bearer forged"}, timeout=30
        )
        assert forged.status_code == 403 and forged.json()["errcode"] == "M_FORBIDDEN"
        real = homeserver.secret("room_policy_secret")
        answer = requests.post(
            url, json=question, headers={"Authorization": f"Bearer {real}"}, timeout=30
        )
        assert answer.status_code == 200 and answer.json()["allow"] is False
    assert AuditEvent.objects.filter(action="chat.room_entry_refused").count() == 1  # the real
