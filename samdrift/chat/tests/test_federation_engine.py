"""Federation with other agencies (issue 13 item 5, ADR 0665), against THREE real Synapses on the
loopback, started once for this module:

* samdrift's homeserver, configured by `homeserver.write_config()` from the settings: federation
  on its TLS listener with a self-signed certificate, the allow-list naming the other agency;
* another agency's homeserver (agencies.py), on samdrift's allow-list and listing samdrift on its;
* a homeserver NOT on samdrift's allow-list, which federates with anyone.

Every server name is `localhost:<port>`, reached directly (no well-known or SRV look-up).
Users on samdrift's side are the application service's; on the others, users registered through
their admin API. Messages, invitations, joins, leaves, kicks and redactions go over real
federation; nothing is mocked."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.test import override_settings

from samdrift.chat import conf, homeserver, matrix, services
from samdrift.core.engines import free_port

from . import agencies
from .conftest import synapse_python

pytestmark = [pytest.mark.engine]

PREFIX = "samdrift_fed_"


@dataclass
class Federation:
    samdrift: str  # samdrift's server name
    samdrift_federation_url: str
    samdrift_certificate: str
    agency: agencies.Homeserver
    outsider: agencies.Homeserver


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    python = synapse_python()
    base = tmp_path_factory.mktemp("federation")
    client_port, federation_port = free_port(), free_port()
    samdrift = f"localhost:{federation_port}"
    agency, agency_argv = agencies.prepare(base / "agency", allow=[samdrift])
    outsider, outsider_argv = agencies.prepare(base / "outsider", allow=None)
    overrides = override_settings(
        CHAT_DIR=base / "samdrift",
        CHAT_SERVER_NAME=samdrift,
        CHAT_PORT=client_port,
        CHAT_HOMESERVER_URL=f"http://127.0.0.1:{client_port}",
        CHAT_FEDERATION_PORT=federation_port,
        CHAT_FEDERATION_BIND_ADDRESSES=["127.0.0.1"],
        CHAT_FEDERATION_DOMAIN_WHITELIST=[agency.name],
        CHAT_FEDERATION_LOOPBACK_INSECURE_TLS=True,
        CHAT_APPSERVICE_URL="http://127.0.0.1:9/chat/appservice",
        CHAT_SYNAPSE_PYTHON=python,
        CHAT_LOCALPART_PREFIX=PREFIX,
    )
    overrides.enable()
    try:
        with ThreadPoolExecutor(3) as pool:
            started = [
                pool.submit(homeserver.start, listen_port=client_port, wait=120),
                pool.submit(agencies.start, agency, python, agency_argv),
                pool.submit(agencies.start, outsider, python, outsider_argv),
            ]
            for future in started:
                future.result()
        yield Federation(
            samdrift=samdrift,
            samdrift_federation_url=f"https://127.0.0.1:{federation_port}",
            samdrift_certificate=str(base / "samdrift" / "federation-tls.crt"),
            agency=agency,
            outsider=outsider,
        )
    finally:
        homeserver.stop()
        agencies.stop(agency)
        agencies.stop(outsider)
        overrides.disable()


# samdrift's side: the application service acting for its users --------------------------------
def _official(name: str) -> str:
    return matrix.Client().ensure_user(f"{PREFIX}{name}_{uuid.uuid4().hex[:6]}")


def _send(room_id: str, sender: str, body: str) -> str:
    path = f"/rooms/{quote(room_id)}/send/m.room.message/{uuid.uuid4().hex}"
    return str(matrix.Client().call("PUT", path, {"msgtype": "m.text", "body": body},
                                    as_user=sender)["event_id"])  # fmt: skip


def _event(room_id: str, event_id: str, viewer: str) -> dict[str, Any]:
    return matrix.Client().call(
        "GET", f"/rooms/{quote(room_id)}/event/{quote(event_id)}", as_user=viewer
    )


def _bodies(room_id: str, viewer: str) -> list[str]:
    events = matrix.Client().recent(room_id, as_user=viewer)
    return [str(e["content"].get("body")) for e in events if e["type"] == "m.room.message"]


def _state(room_id: str, viewer: str) -> dict[tuple[str, str], str]:
    """The room's current state on samdrift's server: (type, state key) → event id."""
    events = matrix.Client().call("GET", f"/rooms/{quote(room_id)}/state", as_user=viewer)["data"]
    return {(e["type"], e["state_key"]): e["event_id"] for e in events}


def _members(room_id: str, viewer: str) -> dict[str, str]:
    data = matrix.Client().call("GET", f"/rooms/{quote(room_id)}/members", as_user=viewer)
    return {str(e["state_key"]): str(e["content"]["membership"]) for e in data["chunk"]}


def _room(creator: str, **body: Any) -> str:
    """A room an official makes on samdrift's homeserver (as Element would)."""
    made = {"preset": "private_chat", "room_version": matrix.ROOM_VERSION, "name": "Samverkan"}
    return str(matrix.Client().call("POST", "/createRoom", made | body, as_user=creator)["room_id"])


# the other servers' side: their own users through their client API ----------------------------
def _agency_sync(server: agencies.Homeserver, user: str) -> dict[str, Any]:
    leave = quote(json.dumps({"room": {"include_leave": True}}))
    answer = server.client("GET", f"/sync?timeout=0&filter={leave}", user)
    answer.raise_for_status()
    return dict(answer.json().get("rooms", {}))


def _agency_bodies(server: agencies.Homeserver, user: str, room_id: str) -> list[str]:
    answer = server.client("GET", f"{agencies.room_path(room_id)}/messages?dir=b&limit=50", user)
    if not answer.ok:
        return []
    return [str(e["content"].get("body")) for e in answer.json()["chunk"]
            if e["type"] == "m.room.message"]  # fmt: skip


def _agency_join(server: agencies.Homeserver, user: str, room_id: str, via: str) -> Any:
    return server.client("POST", f"/join/{quote(room_id)}?server_name={quote(via)}", user, {})


def test_messages_membership_and_redactions_cross_to_the_other_agency_and_back(federation):
    agency, samdrift = federation.agency, federation.samdrift
    alice = _official("alice")
    bob, dana = (
        agency.register(f"bob{uuid.uuid4().hex[:6]}"),
        agency.register(f"dana{uuid.uuid4().hex[:6]}"),
    )

    # samdrift's official invites two officials of the other agency: the invitations go over
    # federation (createRoom waits for the other server to countersign each).
    room = _room(alice, invite=[bob, dana])
    for user in (bob, dana):
        agencies.eventually(lambda u=user: room in _agency_sync(agency, u).get("invite", {}))
        assert _agency_join(agency, user, room, samdrift).ok
    members = agencies.eventually(
        lambda: (m := _members(room, alice)).get(bob) == m.get(dana) == "join" and m
    )
    assert members == {alice: "join", bob: "join", dana: "join"}

    # A message on either side arrives on the other.
    _send(room, alice, "Hej från Försäkringskassan")
    agencies.eventually(lambda: "Hej från Försäkringskassan" in _agency_bodies(agency, bob, room))
    sent = agency.client(
        "PUT", f"{agencies.room_path(room)}/send/m.room.message/{uuid.uuid4().hex}", bob,
        {"msgtype": "m.text", "body": "Hej från Trafikverket"},
    )  # fmt: skip
    assert sent.ok, sent.text
    bobs_event = sent.json()["event_id"]
    agencies.eventually(lambda: "Hej från Trafikverket" in _bodies(room, alice))

    # Redactions propagate both ways: samdrift's official redacts her message, the other
    # agency's official his.
    alices_event = _send(room, alice, "Fel ärendenummer: 123")
    agencies.eventually(lambda: "Fel ärendenummer: 123" in _agency_bodies(agency, bob, room))
    matrix.Client().call(
        "PUT", f"/rooms/{quote(room)}/redact/{quote(alices_event)}/{uuid.uuid4().hex}",
        {"reason": "fel ärende"}, as_user=alice,
    )  # fmt: skip

    def redacted_at_agency() -> Any:
        answer = agency.client(
            "GET", f"{agencies.room_path(room)}/event/{quote(alices_event)}", bob
        )
        event = answer.json() if answer.ok else {}
        return event.get("unsigned", {}).get("redacted_because") and event

    seen = agencies.eventually(redacted_at_agency)
    assert seen["content"] == {} and seen["unsigned"]["redacted_because"]["sender"] == alice
    assert agency.client(
        "PUT", f"{agencies.room_path(room)}/redact/{quote(bobs_event)}/{uuid.uuid4().hex}", bob,
        {"reason": "dubblett"},
    ).ok  # fmt: skip
    seen = agencies.eventually(
        lambda: (
            (e := _event(room, bobs_event, alice)).get("unsigned", {}).get("redacted_because") and e
        )
    )
    assert seen["content"] == {} and seen["unsigned"]["redacted_because"]["sender"] == bob
    assert "Hej från Trafikverket" not in _bodies(room, alice)

    # Membership: the other agency's official leaves (seen on samdrift's server); samdrift's
    # official removes the other (seen on the other agency's server, where he is out).
    assert agency.client("POST", f"{agencies.room_path(room)}/leave", dana, {}).ok
    agencies.eventually(lambda: _members(room, alice).get(dana) == "leave")
    matrix.Client().call(
        "POST", f"/rooms/{quote(room)}/kick", {"user_id": bob, "reason": "slut på samverkan"},
        as_user=alice,
    )  # fmt: skip
    member = f"{agencies.room_path(room)}/state/m.room.member/{quote(bob)}"
    kicked = agencies.eventually(
        lambda: (
            (a := agency.client("GET", member, bob)).ok
            and a.json()["membership"] == "leave"
            and a.json()
        )
    )
    assert kicked == {"membership": "leave", "reason": "slut på samverkan"}
    assert agency.client(
        "PUT", f"{agencies.room_path(room)}/send/m.room.message/{uuid.uuid4().hex}", bob,
        {"msgtype": "m.text", "body": "efter"},
    ).status_code == 403  # fmt: skip


def test_a_homeserver_not_on_the_allow_list_is_refused_and_changes_nothing(federation):
    agency, outsider, samdrift = federation.agency, federation.outsider, federation.samdrift
    alice = _official("alice")
    carol = outsider.register(f"carol{uuid.uuid4().hex[:6]}")
    erik = agency.register(f"erik{uuid.uuid4().hex[:6]}")
    # A room anyone may join who reaches it: only the allow-list keeps the outsider out.
    room = _room(alice, preset="public_chat", visibility="private")
    before_state, before_members = _state(room, alice), _members(room, alice)

    # Its official's join is refused (its server asks samdrift's, which answers 403) ...
    join = _agency_join(outsider, carol, room, samdrift)
    assert (join.status_code, join.json()) == (403, {
        "errcode": "M_FORBIDDEN", "error": f"Federation denied with {outsider.name}.",
    })  # fmt: skip
    # ... samdrift's official cannot invite them: samdrift's server does not send to it ...
    with pytest.raises(matrix.MatrixError) as refused:
        matrix.Client().call(
            "POST", f"/rooms/{quote(room)}/invite", {"user_id": carol}, as_user=alice
        )
    assert str(refused.value) == f"403 M_FORBIDDEN: Federation denied with {outsider.name}."
    # ... and its server's own federation requests, signed with its key, are answered 403
    # "Federation denied with <its name>." before anything is read: asking to join, and pushing
    # an event (a forged membership) into the room.
    path = f"/_matrix/federation/v1/make_join/{quote(room)}/{quote(carol)}?ver=12"
    answer = outsider.signed("GET", samdrift, federation.samdrift_federation_url, path,
                             verify=federation.samdrift_certificate)  # fmt: skip
    assert answer.status_code == 403
    assert answer.json() == {
        "errcode": "M_FORBIDDEN", "error": f"Federation denied with {outsider.name}.",
    }  # fmt: skip
    pdu = {
        "room_id": room,
        "type": "m.room.member",
        "state_key": carol,
        "sender": carol,
        "content": {"membership": "join"},
        "origin_server_ts": int(time.time() * 1000),
    }
    push = outsider.signed(
        "PUT", samdrift, federation.samdrift_federation_url,
        f"/_matrix/federation/v1/send/{uuid.uuid4().hex}", verify=federation.samdrift_certificate,
        content={"origin": outsider.name, "origin_server_ts": pdu["origin_server_ts"],
                 "pdus": [pdu]},
    )  # fmt: skip
    assert push.status_code == 403 and push.json()["errcode"] == "M_FORBIDDEN"
    # The same request signed by the allow-listed agency is answered: the list decides.
    allowed = agency.signed(
        "GET", samdrift, federation.samdrift_federation_url,
        f"/_matrix/federation/v1/make_join/{quote(room)}/{quote(erik)}?ver=12",
        verify=federation.samdrift_certificate,
    )  # fmt: skip
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["event"]["state_key"] == erik

    # Nothing changed on samdrift's server, and the outsider holds nothing of the room.
    assert _state(room, alice) == before_state
    assert _members(room, alice) == before_members == {alice: "join"}
    rooms = _agency_sync(outsider, carol)
    assert all(room not in rooms.get(kind, {}) for kind in ("join", "invite", "leave"))
    # And the allow-listed agency's official can join the same room.
    assert _agency_join(agency, erik, room, samdrift).ok
    agencies.eventually(lambda: _members(room, alice).get(erik) == "join")


def test_a_workspace_room_stays_samdrifts_own(federation):
    """A workspace's room (made as provisioning makes it: invite only, only samdrift's user may
    invite) does not let another agency's official in, though their server is on the list:
    other agencies take part in a workspace as its members, through samdrift (ADR 0665)."""
    agency, samdrift = federation.agency, federation.samdrift
    frida = agency.register(f"frida{uuid.uuid4().hex[:6]}")
    client = matrix.Client()
    room = client.create_room(
        alias_localpart=f"{PREFIX}workspace_{uuid.uuid4().hex[:6]}", name="Arbetsyta",
        topic="", power_levels=services.power_levels({}),
    )  # fmt: skip
    before = _state(room, matrix.bot_id())
    join = _agency_join(agency, frida, room, samdrift)
    assert (join.status_code, join.json()) == (403, {
        "errcode": "M_FORBIDDEN", "error": "You are not invited to this room.",
    })  # fmt: skip
    assert _state(room, matrix.bot_id()) == before
    assert frida not in client.memberships(room)


def test_the_generated_configuration_federates_over_tls_with_the_list_only(federation):
    config = json.loads((Path(conf.chat_dir()) / "homeserver.yaml").read_text())
    tls = [listener for listener in config["listeners"] if listener["tls"]]
    assert [(lis["port"], lis["resources"][0]["names"]) for lis in tls] == [
        (conf.federation_port(), ["federation"])
    ]
    assert config["federation_domain_whitelist"] == [federation.agency.name]
    assert config["server_name"] == federation.samdrift
