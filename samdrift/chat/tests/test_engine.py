"""Rooms follow workspaces, against a REAL Synapse (conftest.py): provisioning, power levels,
removal, the forged application-service token, an outsider's invitation, and a message from one
member read by another through Synapse's client API. No Matrix API is mocked."""

from __future__ import annotations

import hashlib
import json
import uuid
from io import StringIO

import pytest
import requests
from django.core.management import CommandError, call_command

from samdrift.accessibility.services import check_pdf
from samdrift.audit.models import AuditEvent
from samdrift.chat import homeserver, matrix, selectors, services
from samdrift.chat.models import ChatRoom, Transaction
from samdrift.collaboration import selectors as collab_selectors
from samdrift.collaboration import services as collab
from samdrift.core import health
from samdrift.core.exceptions import PermissionDenied
from samdrift.core.jobs.models import Job
from samdrift.core.jobs.worker import Worker

pytestmark = [pytest.mark.engine, pytest.mark.django_db]


def _workspace(safos):
    return collab.workspace_create(
        actor=safos.actor("owner"), name="Samverkan om bidrag", classification=1,
        description="Handläggare från A och B",
    )  # fmt: skip


def _join(safos, workspace, name, role="editor"):
    collab.invite(
        actor=safos.actor("owner"), workspace_id=workspace.id, email=f"{name}@example.se", role=role
    )
    invitation = collab_selectors.my_invitations(actor=safos.actor(name)).get(workspace=workspace)
    return collab.invitation_accept(actor=safos.actor(name), invitation_id=invitation.id)


def _room_with_an_editor(safos):
    """A workspace of the owner's with the editor (another agency) in it, its room made."""
    workspace = _workspace(safos)
    _join(safos, workspace, "editor", role="editor")
    services.provision_workspace(workspace_id=workspace.id)
    return (
        workspace,
        ChatRoom.objects.get(workspace=workspace).room_id,
        f"/chat/workspaces/{workspace.id}/",
    )


def _mxid(safos, name):
    return matrix.user_id(selectors.matrix_localpart(safos.users[name].id))


def _client_as(uid_localpart: str, base: str) -> requests.Session:
    """A session with the user's own access token (a real login through the homeserver)."""
    token = matrix.Client().login(uid_localpart)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    session.base = base  # type: ignore[attr-defined]
    return session


def test_provisioning_creates_the_room_with_the_members_and_their_power_levels(safos, chat):
    workspace = _workspace(safos)
    _join(safos, workspace, "editor", role="editor")
    _join(safos, workspace, "reader", role="reader")

    outcome = services.provision_workspace(workspace_id=workspace.id)

    client = matrix.Client()
    room = ChatRoom.objects.get(workspace=workspace)
    assert outcome.created and outcome.room_id == room.room_id
    assert room.alias == f"#{selectors.workspace_alias_localpart(workspace.id)}:samdrift.localhost"
    members = client.memberships(room.room_id)
    wanted = {_mxid(safos, n) for n in ("owner", "editor", "reader")}
    assert {u for u, m in members.items() if m == "join"} == wanted | {matrix.bot_id()}
    levels = client.state(room.room_id, "m.room.power_levels")
    assert levels["users"] == {_mxid(safos, "owner"): 50, _mxid(safos, "editor"): 25}
    assert (levels["invite"], levels["kick"], levels["state_default"]) == (100, 100, 100)
    assert levels["events_default"] == 10  # readers (0) read, commenters and up write
    assert client.state(room.room_id, "m.room.name")["name"] == "Samverkan om bidrag"
    assert client.state(room.room_id, "m.room.topic")["topic"] == "Handläggare från A och B"
    assert client.state(room.room_id, "m.room.join_rules")["join_rule"] == "invite"
    assert AuditEvent.objects.filter(action="chat.provision", object_id=str(room.id)).count() == 1

    # Idempotent: a second run creates nothing, changes nothing, records nothing.
    again = services.provision_workspace(workspace_id=workspace.id)
    assert not again.changed
    assert ChatRoom.objects.count() == 1
    assert client.memberships(room.room_id) == members
    assert AuditEvent.objects.filter(action="chat.provision").count() == 1


def test_a_role_change_changes_the_power_level_and_a_removed_member_is_kicked(safos, chat):
    workspace = _workspace(safos)
    editor = _join(safos, workspace, "editor", role="editor")
    reader = _join(safos, workspace, "reader", role="reader")
    services.provision_workspace(workspace_id=workspace.id)
    room = ChatRoom.objects.get(workspace=workspace)

    collab.member_set_role(
        actor=safos.actor("owner"), workspace_id=workspace.id, member_id=reader.id, role="commenter"
    )
    collab.member_remove(actor=safos.actor("owner"), workspace_id=workspace.id, member_id=editor.id)
    outcome = services.provision_workspace(workspace_id=workspace.id)

    client = matrix.Client()
    assert outcome.kicked == [_mxid(safos, "editor")]
    assert outcome.state_changed == ["power_levels"]
    members = client.memberships(room.room_id)
    assert members[_mxid(safos, "editor")] == "leave"
    assert members[_mxid(safos, "reader")] == "join"
    assert client.state(room.room_id, "m.room.power_levels")["users"][_mxid(safos, "reader")] == 10
    # The removed member's own login can no longer write, nor read what is said after.
    owner = _client_as(selectors.matrix_localpart(safos.users["owner"].id), chat)
    session = _client_as(selectors.matrix_localpart(safos.users["editor"].id), chat)
    said = owner.put(
        f"{chat}/_matrix/client/v3/rooms/{room.room_id}/send/m.room.message/after",
        json={"msgtype": "m.text", "body": "efter"},
    )
    assert said.status_code == 200
    answer = session.put(
        f"{chat}/_matrix/client/v3/rooms/{room.room_id}/send/m.room.message/t2",
        json={"msgtype": "m.text", "body": "jag är kvar"},
    )
    assert answer.status_code == 403
    history = session.get(f"{chat}/_matrix/client/v3/rooms/{room.room_id}/messages?dir=b")
    assert "efter" not in history.text


def test_membership_changes_queue_the_provisioning_job(
    safos, chat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workspace = _workspace(safos)
    with django_capture_on_commit_callbacks(execute=True):
        _join(safos, workspace, "editor")
    jobs = Job.objects.filter(task_path="samdrift.chat.tasks.provision_workspace_room")
    assert [j.args for j in jobs.order_by("id")] == [[workspace.id], [workspace.id]]


def test_a_member_cannot_invite_a_user_of_an_agency_outside_the_workspace(safos, chat):
    workspace = _workspace(safos)
    _join(safos, workspace, "editor")
    services.provision_workspace(workspace_id=workspace.id)
    room = ChatRoom.objects.get(workspace=workspace)
    client = matrix.Client()
    outsider = client.ensure_user(selectors.matrix_localpart(safos.users["outsider"].id))
    before = client.memberships(room.room_id)

    # The owner, with their own login, asks Synapse directly: membership is samdrift's (100).
    owner = _client_as(selectors.matrix_localpart(safos.users["owner"].id), chat)
    answer = owner.post(
        f"{chat}/_matrix/client/v3/rooms/{room.room_id}/invite", json={"user_id": outsider}
    )
    assert answer.status_code == 403
    assert answer.json()["errcode"] == "M_FORBIDDEN"
    assert client.memberships(room.room_id) == before
    # And provisioning never invites anyone who is not a member of the workspace.
    assert outsider not in client.memberships(room.room_id)
    assert not services.provision_workspace(workspace_id=workspace.id).invited


def test_a_message_from_one_member_is_read_by_another(safos, chat):
    workspace = _workspace(safos)
    _join(safos, workspace, "editor", role="editor")
    services.provision_workspace(workspace_id=workspace.id)
    room_id = ChatRoom.objects.get(workspace=workspace).room_id
    owner = _client_as(selectors.matrix_localpart(safos.users["owner"].id), chat)
    editor = _client_as(selectors.matrix_localpart(safos.users["editor"].id), chat)

    sent = owner.put(
        f"{chat}/_matrix/client/v3/rooms/{room_id}/send/m.room.message/t1",
        json={"msgtype": "m.text", "body": "Hej från A – ärendet är klart"},
    )
    assert sent.status_code == 200, sent.text
    read = editor.get(
        f"{chat}/_matrix/client/v3/rooms/{room_id}/messages",
        params={"dir": "b", "limit": 10, "filter": json.dumps({"types": ["m.room.message"]})},
    )
    assert read.status_code == 200
    bodies = [(e["sender"], e["content"]["body"]) for e in read.json()["chunk"]]
    assert bodies == [(_mxid(safos, "owner"), "Hej från A – ärendet är klart")]


def test_a_forged_application_service_token_is_refused_and_changes_nothing(
    safos, chat, client, settings, django_capture_on_commit_callbacks
):
    # A room the homeserver never speaks of: its own pushes (they reach the live server during
    # the test) can then neither match this transaction id nor queue this workspace. The
    # membership hook is off, so only a transaction queues anything here.
    settings.CHAT_ENABLED = False
    workspace = _workspace(safos)
    room_id = ChatRoom.objects.create(
        workspace=workspace, room_id="!forged:samdrift.localhost", alias="#x:samdrift.localhost"
    ).room_id
    body = {"events": [{"type": "m.room.member", "room_id": room_id, "state_key": "@x:y",
                        "content": {"membership": "join"}}]}  # fmt: skip
    url = "/chat/appservice/_matrix/app/v1/transactions/txn-1"
    jobs = Job.objects.count()

    forged = client.put(
        url, json.dumps(body), content_type="application/json",
        headers={"Authorization": "Bearer not-the-hs-token"},
    )  # fmt: skip
    missing = client.put(url, json.dumps(body), content_type="application/json")
    legacy = client.put(
        f"{url}?access_token=forged", json.dumps(body), content_type="application/json"
    )

    assert forged.status_code == 403 and forged.json()["errcode"] == "M_FORBIDDEN"
    assert missing.status_code == 401 and missing.json()["errcode"] == "M_UNAUTHORIZED"
    assert legacy.status_code == 403
    assert not Transaction.objects.filter(txn_id="txn-1").exists()
    assert Job.objects.count() == jobs
    with pytest.raises(PermissionDenied):
        services.check_hs_token("not-the-hs-token")

    # The real token: handled once, and a membership event queues the workspace's provisioning.
    real = {"Authorization": f"Bearer {homeserver.secret('hs_token')}"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.put(url, json.dumps(body), content_type="application/json", headers=real)
        again = client.put(url, json.dumps(body), content_type="application/json", headers=real)
    assert (first.status_code, again.status_code) == (200, 200)
    assert Transaction.objects.filter(txn_id="txn-1").count() == 1
    # A transaction id PostgreSQL could not store (NUL) is refused, and nothing is stored.
    bad = client.put(
        "/chat/appservice/_matrix/app/v1/transactions/a%00b", "{}",
        content_type="application/json", headers=real,
    )  # fmt: skip
    assert bad.status_code == 400 and bad.json()["errcode"] == "M_INVALID_PARAM"
    assert Transaction.objects.filter(txn_id__contains="b").count() == 0
    queued = Job.objects.filter(task_path="samdrift.chat.tasks.provision_workspace_room")
    assert list(queued.values_list("args", flat=True)) == [[workspace.id]]


def test_the_cli_provisions_and_reports_status(safos, chat):
    workspace = _workspace(safos)
    _join(safos, workspace, "reader", role="reader")
    out = StringIO()
    call_command("chat", "provision", str(workspace.id), stdout=out)
    assert "created=True invited=2" in out.getvalue()
    call_command("chat", "provision", "--all", stdout=out)
    assert out.getvalue().splitlines()[-1].endswith("created=False invited=0 kicked=0 state=-")
    call_command("chat", "status", stdout=out)
    assert "running: Synapse 1.163.2" in out.getvalue()
    with pytest.raises(CommandError, match="--all"):
        call_command("chat", "provision")


def test_the_archive_export_holds_messages_edits_redactions_and_membership(safos, chat, tmp_path):
    workspace = _workspace(safos)
    reader = _join(safos, workspace, "reader", role="commenter")
    services.provision_workspace(workspace_id=workspace.id)
    room_id = ChatRoom.objects.get(workspace=workspace).room_id
    owner = _client_as(selectors.matrix_localpart(safos.users["owner"].id), chat)
    base = f"{chat}/_matrix/client/v3/rooms/{room_id}"
    first = owner.put(
        f"{base}/send/m.room.message/m1", json={"msgtype": "m.text", "body": "Utkast"}
    )
    owner.put(
        f"{base}/send/m.room.message/m2",
        json={"msgtype": "m.text", "body": "* Beslut", "m.new_content": {"msgtype": "m.text",
              "body": "Beslut"}, "m.relates_to": {"rel_type": "m.replace",
              "event_id": first.json()["event_id"]}},
    )  # fmt: skip
    oops = owner.put(f"{base}/send/m.room.message/m3", json={"msgtype": "m.text", "body": "Fel"})
    owner.put(f"{base}/redact/{oops.json()['event_id']}/r1", json={"reason": "fel rum"})
    collab.member_remove(actor=safos.actor("owner"), workspace_id=workspace.id, member_id=reader.id)
    services.provision_workspace(workspace_id=workspace.id)

    answer = safos.client("owner").get(f"/api/v1/chat/workspaces/{workspace.id}/room/export")
    assert answer.status_code == 200
    body = answer.content
    assert hashlib.sha256(body).hexdigest() == answer["X-Checksum-SHA256"]
    document = json.loads(body)
    assert document["format"] == "samdrift.chat.export/2"
    assert document["room"]["room_id"] == room_id
    events = document["events"]
    messages = [e for e in events if e["type"] == "m.room.message"]
    assert [m["content"].get("body") for m in messages[:2]] == ["Utkast", "* Beslut"]
    assert messages[1]["content"]["m.relates_to"]["rel_type"] == "m.replace"
    assert messages[2]["content"] == {}  # redacted: the text is gone, the event and why are kept
    assert messages[2]["unsigned"]["redacted_because"]["content"]["reason"] == "fel rum"
    reader_id = _mxid(safos, "reader")
    membership = [e["content"]["membership"] for e in events
                  if e["type"] == "m.room.member" and e["state_key"] == reader_id]  # fmt: skip
    assert membership == ["invite", "join", "leave"]
    assert (
        AuditEvent.objects.filter(action="chat.export").get().after["sha256"]
        == (answer["X-Checksum-SHA256"])
    )

    # The CLI writes the same history and its checksum file.
    out = tmp_path / "rum.json"
    call_command("chat", "export", str(workspace.id), "--out", str(out), stdout=StringIO())
    digest, name = (tmp_path / "rum.json.sha256").read_text().split()
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest and name == "rum.json"

    # The readable copy (ADR 0654): a PDF in each language that passes samdrift's checker in
    # both profiles, names the JSON's checksum, and shows the edit and the removal with its reason.
    for language, words in (("sv", ("Ändring av #", "Skäl: fel rum", "lämnade")),
                            ("en", ("Edit of #", "Reason: fel rum", "left"))):  # fmt: skip
        answer = safos.client("owner").get(
            f"/api/v1/chat/workspaces/{workspace.id}/room/export.pdf?language={language}"
        )
        assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
        data = answer.content
        assert hashlib.sha256(data).hexdigest() == answer["X-Checksum-SHA256"]
        text = " ".join(_pdf_text(data).split())
        assert "Beslut" in text and all(word in text for word in words), text
        assert " Fel " not in f"{text} "  # the removed message's text is gone
        for profile in ("acrobat", "pdfua1"):
            assert check_pdf(data, profile=profile).failed == [], profile
        record = AuditEvent.objects.filter(action="chat.export", after__format="pdf").last()
        assert record is not None and record.after["sha256"] == answer["X-Checksum-SHA256"]
        assert len(record.after["json_sha256"]) == 64
    page = safos.client("owner").get(f"/chat/workspaces/{workspace.id}/export.pdf")
    assert page.status_code == 200 and page.content.startswith(b"%PDF")
    call_command("chat", "export", str(workspace.id), "--out", str(tmp_path / "rum.pdf"),
                 "--pdf", "en", stdout=StringIO())  # fmt: skip
    assert (tmp_path / "rum.pdf").read_bytes().startswith(b"%PDF")


def _pdf_text(data: bytes) -> str:
    import subprocess  # poppler's pdftotext, fixed arguments

    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_an_export_of_a_room_the_caller_may_not_read_is_refused_and_recorded_nowhere(safos, chat):
    workspace = _workspace(safos)
    _join(safos, workspace, "editor")
    services.provision_workspace(workspace_id=workspace.id)
    for url, page_url in (
        (f"/api/v1/chat/workspaces/{workspace.id}/room/export", "export/"),
        (f"/api/v1/chat/workspaces/{workspace.id}/room/export.pdf?language=en", "export.pdf"),
    ):
        member = safos.client("editor").get(url)
        outsider = safos.client("outsider").get(url)
        page = safos.client("outsider").get(f"/chat/workspaces/{workspace.id}/{page_url}")
        own_page = safos.client("editor").get(f"/chat/workspaces/{workspace.id}/{page_url}")

        assert member.status_code == 403
        assert member.json()["message_sv"] and member.json()["message_en"]
        assert (outsider.status_code, page.status_code, own_page.status_code) == (404, 404, 404)
    bad_language = safos.client("owner").get(
        f"/api/v1/chat/workspaces/{workspace.id}/room/export.pdf?language=fi"
    )
    assert bad_language.status_code == 422
    assert not AuditEvent.objects.filter(action="chat.export").exists()


def test_an_export_while_the_homeserver_is_down_is_a_clear_503(safos, chat, settings):
    workspace = _workspace(safos)
    services.provision_workspace(workspace_id=workspace.id)
    settings.CHAT_HOMESERVER_URL = f"http://127.0.0.1:{homeserver.free_port()}"
    answer = safos.client("owner").get(f"/api/v1/chat/workspaces/{workspace.id}/room/export")
    assert answer.status_code == 503
    assert answer.json()["code"] == "chat_unavailable"
    assert "svarar inte" in answer.json()["message_sv"]
    assert not AuditEvent.objects.filter(action="chat.export").exists()


def test_the_homeserver_s_health_is_on_the_public_status_page(chat, client, settings):
    label = "Chatt (Matrix-server)"
    health.forget("chat")
    page = client.get("/operations/status/").content.decode()
    row = page[page.index(label) :][:60]
    assert "I drift" in row and "1.163" not in page and chat not in page

    settings.CHAT_HOMESERVER_URL = f"http://127.0.0.1:{homeserver.free_port()}"
    assert "I drift" in client.get("/operations/status/").content.decode()  # kept 30 s
    health.forget("chat")
    page = client.get("/operations/status/").content.decode()
    row = page[page.index(label) :][:60]
    assert "<strong>Avbrott</strong>" in row

    settings.CHAT_ENABLED = False
    health.forget("chat")
    assert label not in client.get("/operations/status/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_jobs_worker_provisions_after_each_committed_membership_change(safos, chat):
    workspace = _workspace(safos)
    editor = _join(safos, workspace, "editor")
    Worker(burst=True).run()
    jobs = Job.objects.filter(task_path="samdrift.chat.tasks.provision_workspace_room")
    assert set(jobs.values_list("status", flat=True)) == {"SUCCESSFUL"}
    room_id = ChatRoom.objects.get(workspace=workspace).room_id
    joined = {u for u, m in matrix.Client().memberships(room_id).items() if m == "join"}
    assert joined == {matrix.bot_id(), _mxid(safos, "owner"), _mxid(safos, "editor")}

    collab.member_remove(actor=safos.actor("owner"), workspace_id=workspace.id, member_id=editor.id)
    Worker(burst=True).run()
    assert matrix.Client().memberships(room_id)[_mxid(safos, "editor")] == "leave"
    assert ChatRoom.objects.count() == 1


def test_a_room_the_homeserver_no_longer_has_is_made_again_and_the_loss_recorded(safos, chat):
    workspace = _workspace(safos)
    ChatRoom.objects.create(
        workspace=workspace, room_id="!gone:samdrift.localhost", alias="#gone:samdrift.localhost"
    )
    outcome = services.provision_workspace(workspace_id=workspace.id)
    room = ChatRoom.objects.get(workspace=workspace)
    assert outcome.created and outcome.replaced == "!gone:samdrift.localhost"
    assert room.room_id == outcome.room_id != "!gone:samdrift.localhost"
    assert matrix.Client().memberships(room.room_id)[_mxid(safos, "owner")] == "join"
    event = AuditEvent.objects.get(action="chat.provision")
    assert event.after["replaced"] == "!gone:samdrift.localhost"


def test_a_room_made_before_its_row_was_saved_is_found_by_its_alias(safos, chat):
    workspace = _workspace(safos)
    first = services.provision_workspace(workspace_id=workspace.id)
    ChatRoom.objects.filter(workspace=workspace).delete()  # as if the run stopped before saving

    again = services.provision_workspace(workspace_id=workspace.id)

    assert not again.created and again.room_id == first.room_id
    assert ChatRoom.objects.get(workspace=workspace).room_id == first.room_id


def test_retention_archives_then_purges_and_a_legal_hold_stops_it(safos, chat, settings):
    """ADR 0655 against the real homeserver: what is past its time is archived (JSON and PDF in
    samdrift's file store) before Synapse's admin API purges it; a hold stops both."""
    import time
    from datetime import timedelta

    from django.utils import timezone

    from samdrift.chat import retention
    from samdrift.chat.models import ChatArchive

    workspace = _workspace(safos)
    services.provision_workspace(workspace_id=workspace.id)
    room_id = ChatRoom.objects.get(workspace=workspace).room_id
    owner = _client_as(selectors.matrix_localpart(safos.users["owner"].id), chat)
    base = f"{chat}/_matrix/client/v3/rooms/{room_id}"
    for n, body in enumerate(("Gammalt beslut", "Gammal fråga")):
        owner.put(f"{base}/send/m.room.message/old{n}", json={"msgtype": "m.text", "body": body})
    time.sleep(1.1)
    boundary = timezone.now()
    time.sleep(1.1)
    owner.put(f"{base}/send/m.room.message/new", json={"msgtype": "m.text", "body": "Nytt"})
    settings.CHAT_RETENTION_DAYS = {str(workspace.classification): 1}
    later = boundary + timedelta(days=1)  # the boundary is then exactly one day old

    def bodies() -> list[str]:
        events = matrix.Client().history(room_id)
        return [e["content"].get("body", "") for e in events if e["type"] == "m.room.message"]

    hold = f"/api/v1/chat/workspaces/{workspace.id}/room/hold"
    held = safos.client("security").put(
        hold, data={"reason": "Begäran om allmän handling"}, content_type="application/json"
    )
    assert held.status_code == 200
    assert [p.outcome for p in retention.purge_due(now=later)] == ["held"]
    assert "Gammalt beslut" in bodies() and not ChatArchive.objects.exists()

    assert safos.client("security").delete(hold).status_code == 200
    [purge] = retention.purge_due(now=later)
    assert purge.outcome == "purged" and purge.events >= 2
    assert "Gammalt beslut" not in bodies() and "Gammal fråga" not in bodies()
    assert "Nytt" in bodies()  # newer than the retention: kept

    archive = ChatArchive.objects.get()
    assert archive.purged_at is not None and archive.events == purge.events
    owner_api = safos.client("owner")
    url = f"/api/v1/chat/workspaces/{workspace.id}/room/archives/{archive.pk}"
    kept = b"".join(owner_api.get(f"{url}/json").streaming_content)
    assert hashlib.sha256(kept).hexdigest() == archive.json_file.sha256
    document = json.loads(kept)
    assert document["up_to"] == later.__sub__(timedelta(days=1)).isoformat()
    assert {e["content"].get("body") for e in document["events"]} >= {"Gammalt beslut",
                                                                      "Gammal fråga"}  # fmt: skip
    assert "Nytt" not in kept.decode()
    pdf = b"".join(owner_api.get(f"{url}/pdf").streaming_content)
    assert "Gammalt beslut" in " ".join(_pdf_text(pdf).split())
    assert archive.json_file.sha256 in " ".join(_pdf_text(pdf).split()).replace(" ", "")
    for profile in ("acrobat", "pdfua1"):
        assert check_pdf(pdf, profile=profile).failed == [], profile
    actions = set(AuditEvent.objects.filter(action__startswith="chat.").values_list("action",
                                                                                  flat=True))  # fmt: skip
    assert {"chat.hold_set", "chat.hold_release", "chat.archive", "chat.purge",
            "chat.archive_read"} <= actions  # fmt: skip

    # the next run finds nothing new to archive: no second copy of the same events
    assert [p.outcome for p in retention.purge_due(now=later)] == ["nothing"]
    assert ChatArchive.objects.count() == 1
    out = StringIO()
    call_command("chat", "purge", stdout=out)  # today: nothing is a year old
    assert f"workspace {workspace.id}: nothing" in out.getvalue()


def test_leaving_the_agency_ends_every_chat_session_and_the_room_membership(
    safos, chat, django_capture_on_commit_callbacks
):
    """ADR 0621: the end of an agency membership removes the person from the workspace (in its
    transaction); committed, it queues the end of their Matrix sessions, and the room's
    provisioning kicks them."""
    from samdrift.core.actor import SYSTEM
    from samdrift.organisations.models import Membership
    from samdrift.organisations.services import membership_end

    workspace = _workspace(safos)
    _join(safos, workspace, "editor")
    services.provision_workspace(workspace_id=workspace.id)
    room_id = ChatRoom.objects.get(workspace=workspace).room_id
    editor = _client_as(selectors.matrix_localpart(safos.users["editor"].id), chat)
    whoami = f"{chat}/_matrix/client/v3/account/whoami"
    assert editor.get(whoami).status_code == 200

    membership = Membership.objects.get(user=safos.users["editor"], organisation=safos.b)
    with django_capture_on_commit_callbacks(execute=True):
        membership_end(actor=SYSTEM, organisation_id=safos.b.id, membership_id=membership.id)
    assert Job.objects.filter(task_path="samdrift.chat.tasks.revoke_sessions").exists()
    Worker(burst=True).run()

    assert editor.get(whoami).status_code == 401  # the session is gone
    assert matrix.Client().memberships(room_id).get(_mxid(safos, "editor")) == "leave"


# --- the conversation on samdrift's page (ADR 0656), through the same real Synapse --------------


def test_members_of_two_agencies_talk_on_the_page_through_synapse(safos, chat):
    workspace = _workspace(safos)
    _join(safos, workspace, "editor", role="editor")  # Myndighet B
    _join(safos, workspace, "reader", role="reader")
    services.provision_workspace(workspace_id=workspace.id)
    room = ChatRoom.objects.get(workspace=workspace)
    url = f"/chat/workspaces/{workspace.id}/"

    sent = safos.client("editor").post(f"{url}send/", {"text": "Hej från B\nandra raden"})
    assert sent.status_code == 302 and sent["Location"].endswith("#conversation")
    # Synapse holds it, from the editor's own Matrix identity: any Matrix client sees it
    bodies = [
        (e["sender"], e["content"].get("body"))
        for e in matrix.Client().history(room.room_id)
        if e.get("type") == "m.room.message"
    ]
    assert bodies == [(_mxid(safos, "editor"), "Hej från B\nandra raden")]
    assert AuditEvent.objects.filter(action="chat.message_sent").count() == 1
    # the owner of agency A reads it on the page, named, and the reading is audited
    reads = AuditEvent.objects.filter(action="read", object_id=str(room.id)).count()
    page = safos.client("owner").get(url).content.decode()
    editor_name = safos.users["editor"].get_full_name() or safos.users["editor"].username
    assert "Hej från B<br>andra raden" in page and editor_name in page
    assert AuditEvent.objects.filter(action="read", object_id=str(room.id)).count() == reads + 1

    # a reader reads but has no form, and a post is refused with nothing sent
    reader = safos.client("reader")
    shown = reader.get(url).content.decode()
    assert "Hej från B" in shown and f"{url}send/" not in shown
    assert reader.post(f"{url}send/", {"text": "Får jag skriva?"}).status_code == 404
    # bad messages are refused on the page, the draft kept, nothing sent
    editor = safos.client("editor")
    for text, words in (("   ", "Skriv"), ("x" * 4001, "4000"), ("a\x1bb", "styrteck")):
        refused = editor.post(f"{url}send/", {"text": text})
        assert refused.status_code == 422 and words in refused.content.decode()
        assert 'aria-invalid="true"' in refused.content.decode()
    # someone outside the workspace: the same 404 as a workspace that does not exist
    outsider = safos.client("outsider")
    assert outsider.get(url).status_code == 404
    assert outsider.post(f"{url}send/", {"text": "Hej"}).status_code == 404
    after = [e for e in matrix.Client().history(room.room_id) if e.get("type") == "m.room.message"]
    assert len(after) == 1
    assert AuditEvent.objects.filter(action="chat.message_sent").count() == 1


def test_the_conversation_api_follows_the_same_rules(safos, chat):
    workspace = _workspace(safos)
    _join(safos, workspace, "editor", role="editor")
    _join(safos, workspace, "reader", role="reader")
    services.provision_workspace(workspace_id=workspace.id)
    api = f"/api/v1/chat/workspaces/{workspace.id}/room/messages"
    sent = safos.client("editor").post(api, {"text": "Via API"}, content_type="application/json")
    assert sent.status_code == 201 and sent.json()["event_id"].startswith("$")
    listed = safos.client("owner").get(api).json()
    assert [(m["text"], m["mine"]) for m in listed] == [("Via API", False)]
    assert safos.client("editor").get(api).json()[0]["mine"] is True
    refused = {
        "reader": safos.client("reader").post(api, {"text": "Hej"}, content_type="application/json"),
        "blank": safos.client("editor").post(api, {"text": "  "}, content_type="application/json"),
        "long": safos.client("editor").post(api, {"text": "x" * 4001}, content_type="application/json"),
        "outsider": safos.client("outsider").post(api, {"text": "Hej"}, content_type="application/json"),
    }  # fmt: skip
    assert {k: r.status_code for k, r in refused.items()} == {
        "reader": 403, "blank": 422, "long": 422, "outsider": 404,
    }  # fmt: skip
    assert safos.client("outsider").get(api).status_code == 404
    assert len(safos.client("owner").get(api).json()) == 1  # nothing else was sent


def test_edits_and_replies_from_matrix_programs_show_as_such_on_the_page(safos, chat):
    """What Element sends for an edit, a reply, a message in a thread and reactions, sent through
    Synapse as the members: the page and the API show the edited message once with its newest
    text, marked; a reply names whom it answers without the quoted fallback; a thread message
    names the thread; reactions count once per person and key; an edit by someone else changes
    nothing."""
    from samdrift.chat import conversation

    workspace = _workspace(safos)
    _join(safos, workspace, "editor", role="editor")
    services.provision_workspace(workspace_id=workspace.id)
    room = ChatRoom.objects.get(workspace=workspace).room_id
    client = matrix.Client()
    editor, owner = _mxid(safos, "editor"), _mxid(safos, "owner")

    def send(as_user, content):
        return client.call("PUT", f"/rooms/{room}/send/m.room.message/{uuid.uuid4().hex}",
                           content, as_user=as_user)["event_id"]  # fmt: skip

    first = send(editor, {"msgtype": "m.text", "body": "Mötet är kl 10"})
    send(editor, {"msgtype": "m.text", "body": "* Mötet är kl 11",
                  "m.new_content": {"msgtype": "m.text", "body": "Mötet är kl 11"},
                  "m.relates_to": {"rel_type": "m.replace", "event_id": first}})  # fmt: skip
    send(owner, {"msgtype": "m.text", "body": "* Mötet är inställt",
                 "m.new_content": {"msgtype": "m.text", "body": "Mötet är inställt"},
                 "m.relates_to": {"rel_type": "m.replace", "event_id": first}})  # fmt: skip
    send(owner, {"msgtype": "m.text", "body": f"> <{editor}> Mötet är kl 11\n\nTack, jag kommer",
                 "m.relates_to": {"m.in_reply_to": {"event_id": first}}})  # fmt: skip
    send(owner, {"msgtype": "m.text", "body": "Dagordning i tråden",
                 "m.relates_to": {"rel_type": "m.thread", "event_id": first,
                                  "is_falling_back": True,
                                  "m.in_reply_to": {"event_id": first}}})  # fmt: skip

    def react(who, key):
        client.call("PUT", f"/rooms/{room}/send/m.reaction/{uuid.uuid4().hex}",
                    {"m.relates_to": {"rel_type": "m.annotation", "event_id": first,
                                      "key": key}}, as_user=who)  # fmt: skip

    for who, key in ((owner, "👍"), (editor, "👍"), (owner, "🎉")):
        react(who, key)
    with pytest.raises(matrix.MatrixError) as twice:  # Synapse refuses the same one twice
        react(owner, "👍")
    assert twice.value.errcode == "M_DUPLICATE_ANNOTATION"

    shown = conversation.recent_messages(actor=safos.actor("owner"), workspace_id=workspace.id)
    editor_name = safos.users["editor"].get_full_name() or safos.users["editor"].username
    assert [(m.text, m.edited, m.reply_to, m.thread_of, m.reactions) for m in shown] == [
        ("Mötet är kl 11", True, "", "", (("👍", 2), ("🎉", 1))),
        ("Tack, jag kommer", False, editor_name, "", ()),
        ("Dagordning i tråden", False, "", editor_name, ()),
    ]
    api = f"/api/v1/chat/workspaces/{workspace.id}/room/messages"
    body = safos.client("owner").get(api).json()
    assert [(m["text"], m["edited"], m["reply_to"], m["thread_of"]) for m in body] == [
        ("Mötet är kl 11", True, "", ""),
        ("Tack, jag kommer", False, editor_name, ""),
        ("Dagordning i tråden", False, "", editor_name),
    ]
    assert body[0]["reactions"] == [{"key": "👍", "count": 2}, {"key": "🎉", "count": 1}]
    page = safos.client("owner").get(f"/chat/workspaces/{workspace.id}/").content.decode()
    assert "(ändrat)" in page and f"Svar på {editor_name}" in page
    assert f"I tråden till {editor_name}" in page and 'aria-label="Reaktioner"' in page
