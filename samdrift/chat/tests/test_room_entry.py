"""Who may enter a room officials make themselves (ADR 0666), samdrift's side: the rule, the
endpoint the homeserver's module asks (its secret, its answers, the audit of each refusal) and
the generated configuration that loads the module. test_room_entry_engine.py drives the same
through a real Synapse."""

from __future__ import annotations

import ast
import json
import uuid

import pytest

from samdrift.audit.models import AuditEvent, SecurityLogEntry
from samdrift.chat import homeserver, selectors
from samdrift.chat.models import ChatRoom
from samdrift.chat.permissions import may_share_own_room
from samdrift.collaboration import services as collab
from samdrift.tests.factories import MembershipFactory, UserFactory

URL = "/chat/homeserver/room-entry"
CONNECTED = {1, 2}


@pytest.mark.parametrize(
    ("own", "other", "allowed"),
    [
        ({1}, {2}, True),  # two agencies, both connected
        ({1}, {3}, False),  # one of them not connected
        ({3}, {4}, False),  # neither
        ({3}, {3}, True),  # one agency, not connected: nothing crosses its boundary
        ({1}, {1}, True),
        ({1, 3}, {2}, True),  # acts for a connected agency too
        ({3}, {1, 3}, True),  # shares agency 3
        (set(), {1}, False),  # acts for no agency
    ],
)
def test_the_rule(own, other, allowed):
    assert may_share_own_room(frozenset(own), frozenset(other), CONNECTED.__contains__) is allowed
    assert may_share_own_room(frozenset(other), frozenset(own), CONNECTED.__contains__) is allowed


@pytest.fixture
def asked(settings, tmp_path, safos):
    settings.CHAT_DIR = tmp_path / "chat"
    settings.CHAT_LOCALPART_PREFIX = f"samdrift_t{uuid.uuid4().hex[:8]}_"
    extra = UserFactory(username="safos_outsider2", email="outsider2@example.se")
    MembershipFactory(user=extra, organisation=safos.c, role="member")
    safos.users["outsider2"] = extra
    return homeserver.secret("room_policy_secret")


def _mxid(safos, name):
    return selectors.matrix_user_id(safos.users[name].id)


def _ask(client, secret, safos, sender, entering, others=(), action="invite", room="!dm:x"):
    body = {
        "action": action, "room_id": room, "sender": _mxid(safos, sender),
        "entering": _mxid(safos, entering), "others": [_mxid(safos, o) for o in others],
    }  # fmt: skip
    return client.post(
        URL, json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )  # fmt: skip


def test_connected_agencies_and_one_agency_are_allowed_and_nothing_is_recorded(
    client, safos, asked
):
    # A and B are connected; C is not, but its two officials are of one agency.
    for sender, entering in [("owner", "editor"), ("owner", "security"), ("outsider", "outsider2")]:
        answer = _ask(client, asked, safos, sender, entering, [sender])
        assert answer.status_code == 200
        assert answer.json() == {"allow": True}
    assert not AuditEvent.objects.filter(action="chat.room_entry_refused").exists()


def test_an_agency_not_connected_is_refused_in_both_languages_and_audited(client, safos, asked):
    answer = _ask(client, asked, safos, "owner", "outsider", ["owner"])
    assert answer.status_code == 200
    data = answer.json()
    assert data["allow"] is False and data["errcode"] == "M_FORBIDDEN"
    assert "båda myndigheterna är anslutna till SAFOS" in data["error"]
    assert "both agencies are connected to SAFOS" in data["error"]
    event = AuditEvent.objects.get(action="chat.room_entry_refused")
    assert event.actor_id == safos.users["owner"].id
    assert event.object_id == "!dm:x" and event.organisation_id == safos.a.id
    assert event.after["reason"] == "not_connected"
    assert event.after["refused_with"] == _mxid(safos, "owner")
    assert event.after["entering"] == _mxid(safos, "outsider")

    # Joining a room where an official of a connected agency already is: the same rule.
    joined = _ask(client, asked, safos, "outsider", "outsider", ["editor"], action="join")
    assert joined.json()["allow"] is False
    # A group: every local member counts, not only who invites.
    group = _ask(client, asked, safos, "outsider", "outsider2", ["outsider", "owner"])
    assert group.json()["allow"] is False
    assert AuditEvent.objects.filter(action="chat.room_entry_refused").count() == 3


def test_someone_samdrift_did_not_provision_and_a_workspace_room_are_refused(client, safos, asked):
    stranger = {
        "action": "invite", "room_id": "!dm:x", "sender": _mxid(safos, "owner"),
        "entering": "@someone:elsewhere.se", "others": [_mxid(safos, "owner")],
    }  # fmt: skip
    answer = client.post(
        URL, json.dumps(stranger), content_type="application/json",
        headers={"Authorization": f"Bearer {asked}"},
    )  # fmt: skip
    assert answer.json()["allow"] is False
    assert "tjänstepersoner som samdrift har lagt upp" in answer.json()["error"]

    workspace = collab.workspace_create(
        actor=safos.actor("owner"), name="Samverkan", classification=1
    )
    ChatRoom.objects.create(workspace=workspace, room_id="!ws:x", alias="#ws:x")
    inside = _ask(client, asked, safos, "owner", "editor", ["owner"], room="!ws:x")
    assert inside.json()["allow"] is False  # provisioning decides there, never this endpoint
    reasons = AuditEvent.objects.filter(action="chat.room_entry_refused").values_list(
        "after__reason", flat=True
    )
    assert sorted(reasons) == ["not_an_official", "workspace_room"]


def test_a_forged_or_missing_secret_is_refused_and_changes_nothing(client, safos, asked):
    audit_before = AuditEvent.objects.count()
    forged = _ask(client, "x" * 64, safos, "owner", "outsider", ["owner"])
    assert forged.status_code == 403
    assert forged.json()["errcode"] == "M_FORBIDDEN"
    assert forged.json()["error"] in {
        "The room policy secret is wrong.",
        "Rumsregelns hemlighet är fel.",
    }
    missing = client.post(URL, "{}", content_type="application/json")
    assert missing.status_code == 401 and missing.json()["errcode"] == "M_UNAUTHORIZED"
    # The homeserver's other secret is not this one.
    as_hs = _ask(client, homeserver.secret("hs_token"), safos, "owner", "editor", ["owner"])
    assert as_hs.status_code == 403
    assert AuditEvent.objects.count() == audit_before
    kinds = set(SecurityLogEntry.objects.values_list("kind", flat=True))
    assert {"chat.room_policy_secret_refused", "chat.room_policy_secret_missing"} <= kinds


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"action": "kick", "sender": "@a:x", "entering": "@b:x"}',
     b'{"action": "invite", "sender": "@a:x", "entering": "@b:x", "others": "@c:x"}'],
)  # fmt: skip
def test_a_malformed_question_is_answered_400_and_changes_nothing(client, safos, asked, body):
    answer = client.post(
        URL, body, content_type="application/json", headers={"Authorization": f"Bearer {asked}"}
    )
    assert answer.status_code == 400 and answer.json()["errcode"] == "M_BAD_JSON"
    assert not AuditEvent.objects.filter(action="chat.room_entry_refused").exists()
    assert client.get(URL, headers={"Authorization": f"Bearer {asked}"}).status_code == 405


def test_the_homeserver_loads_the_module_from_samdrifts_folder(settings, tmp_path):
    settings.CHAT_DIR = tmp_path / "chat"
    settings.CHAT_SERVER_NAME = "chat.myndighet.se"
    settings.CHAT_ROOM_POLICY_URL = "http://127.0.0.1:8000/chat/homeserver/room-entry"
    homeserver.write_config(45678)
    config = json.loads((tmp_path / "chat" / "homeserver.yaml").read_text())
    [module] = config["modules"]
    assert module == {
        "module": "samdrift_room_policy.RoomPolicy",
        "config": {
            "url": "http://127.0.0.1:8000/chat/homeserver/room-entry",
            "secret": homeserver.secret("room_policy_secret"),
            "bot": "@samdrift:chat.myndighet.se",
        },
    }
    folder = homeserver.synapse_environment()["PYTHONPATH"].split(":")[0]
    assert (homeserver.MODULES_DIR / "samdrift_room_policy.py").exists()
    assert folder == str(homeserver.MODULES_DIR)
    # It imports nothing of samdrift nor of Django: Synapse's environment has neither.
    tree = ast.parse((homeserver.MODULES_DIR / "samdrift_room_policy.py").read_text())
    imported = {
        alias.name for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names
    }
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert {name.split(".")[0] for name in imported} <= {
        "__future__", "json", "logging", "typing", "urllib", "synapse",
    }  # fmt: skip
