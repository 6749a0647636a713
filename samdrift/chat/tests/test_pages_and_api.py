"""The chat page and API (no homeserver needed: they read samdrift's rows and queue jobs)."""

from __future__ import annotations

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.chat.models import ChatRoom
from samdrift.collaboration import selectors as collab_selectors
from samdrift.collaboration import services as collab
from samdrift.core.jobs.models import Job

pytestmark = pytest.mark.django_db

TASK = "samdrift.chat.tasks.provision_workspace_room"


@pytest.fixture
def workspace(safos):
    workspace = collab.workspace_create(
        actor=safos.actor("owner"), name="Samverkan", classification=1
    )
    collab.invite(
        actor=safos.actor("owner"), workspace_id=workspace.id, email="editor@example.se",
        role="editor",
    )  # fmt: skip
    invitation = collab_selectors.my_invitations(actor=safos.actor("editor")).get()
    collab.invitation_accept(actor=safos.actor("editor"), invitation_id=invitation.id)
    ChatRoom.objects.create(
        workspace=workspace, room_id="!abc:samdrift.localhost", alias="#samdrift_ws1:x"
    )
    return workspace


def test_a_member_sees_the_room_and_their_matrix_identity(safos, workspace):
    page = safos.client("editor").get(f"/chat/workspaces/{workspace.id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "#samdrift_ws1:x" in text and f"@samdrift_u{safos.users['editor'].id}:" in text
    assert "provision/" not in text  # only the owner brings the room in line
    api = safos.client("editor").get(f"/api/v1/chat/workspaces/{workspace.id}/room").json()
    assert api["room_id"] == "!abc:samdrift.localhost"
    assert (api["can_chat"], api["can_provision"]) == (True, False)


def test_another_agency_gets_404_as_for_a_workspace_that_does_not_exist(safos, workspace):
    outsider = safos.client("outsider")
    for url in (f"/chat/workspaces/{workspace.id}/", "/chat/workspaces/987654/"):
        assert outsider.get(url).status_code == 404
    assert outsider.get(f"/api/v1/chat/workspaces/{workspace.id}/room").status_code == 404
    answer = outsider.post(f"/api/v1/chat/workspaces/{workspace.id}/room/provision")
    assert answer.status_code == 404
    assert not Job.objects.filter(task_path=TASK).exists()


def test_the_owner_queues_provisioning_and_a_member_may_not(
    safos, workspace, django_capture_on_commit_callbacks
):
    refused = safos.client("editor").post(f"/api/v1/chat/workspaces/{workspace.id}/room/provision")
    assert refused.status_code == 403
    assert refused.json()["message_sv"] and refused.json()["message_en"]
    assert not Job.objects.filter(task_path=TASK).exists()
    with django_capture_on_commit_callbacks(execute=True):
        page = safos.client("owner").post(f"/chat/workspaces/{workspace.id}/provision/")
    assert page.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        api = safos.client("owner").post(f"/api/v1/chat/workspaces/{workspace.id}/room/provision")
    assert api.status_code == 202
    assert list(Job.objects.filter(task_path=TASK).values_list("args", flat=True)) == [
        [workspace.id], [workspace.id]
    ]  # fmt: skip
    assert AuditEvent.objects.filter(action="chat.provision_request").count() == 2


def test_chat_off_queues_nothing_on_membership_changes(safos, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        collab.workspace_create(actor=safos.actor("owner"), name="Tyst", classification=1)
    assert not Job.objects.filter(task_path=TASK).exists()


# Legal hold and the archive (ADR 0655); the purge itself runs against Synapse in test_engine.


def test_the_security_role_holds_the_room_with_a_reason_and_lifts_it(safos, workspace):
    security, url = safos.client("security"), f"/api/v1/chat/workspaces/{workspace.id}/room/hold"
    refused = security.put(url, data={"reason": "  "}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["message_sv"]
    too_long = security.put(url, data={"reason": "x" * 2001}, content_type="application/json")
    assert too_long.status_code == 422
    assert not ChatRoom.objects.get(workspace=workspace).hold_set_at  # nothing changed

    held = security.put(url, data={"reason": "Ärende 2026/123"}, content_type="application/json")
    assert held.status_code == 200, held.content
    assert held.json()["held"] and held.json()["reason"] == "Ärende 2026/123"
    assert held.json()["retention_days"] == 5 * 365  # class 1: the documents' five years
    # the owner, a member and another agency may not
    assert safos.client("owner").delete(url).status_code == 403
    assert safos.client("editor").delete(url).status_code == 403
    assert safos.client("outsider").delete(url).status_code == 404
    assert ChatRoom.objects.get(workspace=workspace).hold_set_at is not None

    page = safos.client("owner").get(f"/chat/workspaces/{workspace.id}/").content.decode()
    assert "Ärende 2026/123" in page
    lifted = security.delete(url)
    assert lifted.status_code == 200 and not lifted.json()["held"]
    assert security.delete(url).status_code == 422  # not held any more
    actions = list(
        AuditEvent.objects.filter(action__startswith="chat.hold").values_list("action", flat=True)
    )
    assert actions == ["chat.hold_set", "chat.hold_release"]


def test_the_hold_form_keeps_what_was_typed_and_says_what_is_wrong(safos, workspace):
    security = safos.client("security")
    answer = security.post(
        f"/chat/workspaces/{workspace.id}/hold/", {"action": "set", "reason": "x" * 2001}
    )
    assert answer.status_code == 422
    text = answer.content.decode()
    assert 'aria-invalid="true"' in text and "x" * 2001 in text
    done = security.post(
        f"/chat/workspaces/{workspace.id}/hold/", {"action": "set", "reason": "Tillsyn"}
    )
    assert done.status_code == 302
    assert ChatRoom.objects.get(workspace=workspace).hold_reason == "Tillsyn"
    assert (
        safos.client("editor")
        .post(f"/chat/workspaces/{workspace.id}/hold/", {"action": "release"})
        .status_code
        == 404
    )


def test_archived_history_is_the_owners_to_download_and_each_read_is_recorded(safos, workspace):
    import io

    from django.utils import timezone

    from samdrift.chat.models import ChatArchive
    from samdrift.core.actor import SYSTEM
    from samdrift.core.files.services import store

    parts = [
        store(io.BytesIO(data), name, mime, actor=SYSTEM, owner_org_id=workspace.owner_org_id)
        for data, name, mime in ((b'{"events":[]}', "a.json", "application/json"),
                                 (b"%PDF-1.7 arkiv", "a.pdf", "application/pdf"))
    ]  # fmt: skip
    archive = ChatArchive.objects.create(
        room=ChatRoom.objects.get(workspace=workspace), up_to=timezone.now(), events=3,
        json_file=parts[0], pdf_file=parts[1], purged_at=timezone.now(),
    )  # fmt: skip
    owner = safos.client("owner")
    listed = owner.get(f"/api/v1/chat/workspaces/{workspace.id}/room/archives")
    assert listed.status_code == 200
    assert [(a["id"], a["events"], a["pdf_sha256"]) for a in listed.json()] == [
        (archive.pk, 3, parts[1].sha256)
    ]
    base = f"/api/v1/chat/workspaces/{workspace.id}/room/archives/{archive.pk}"
    pdf = owner.get(f"{base}/pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content) == b"%PDF-1.7 arkiv"
    assert owner.get(f"{base}/xml").status_code == 422  # only json or pdf
    page = owner.get(f"/chat/workspaces/{workspace.id}/archives/{archive.pk}/json/")
    assert page.status_code == 200 and b"".join(page.streaming_content) == b'{"events":[]}'
    assert "archives/" in owner.get(f"/chat/workspaces/{workspace.id}/").content.decode()
    # a member, the security role and another agency may not read it
    assert safos.client("editor").get(f"{base}/pdf").status_code == 403
    assert safos.client("security").get(f"{base}/pdf").status_code == 403
    assert safos.client("outsider").get(f"{base}/pdf").status_code == 404
    assert (
        safos.client("editor")
        .get(f"/chat/workspaces/{workspace.id}/archives/{archive.pk}/pdf/")
        .status_code
        == 404
    )
    reads = AuditEvent.objects.filter(action="chat.archive_read")
    assert sorted(r.after["file"] for r in reads) == ["json", "pdf"]


def test_the_cli_sets_and_lifts_a_hold_as_the_system_and_refuses_a_weak_login(safos, workspace):
    """The operator's shell acts as the system; a named person would need an e-ID login at
    SAFOS's level, which a command line cannot give, so it is refused in both languages."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("chat", "hold", str(workspace.id), "--reason", "Tillsyn", stdout=out)
    assert "bevaras" in out.getvalue()
    assert ChatRoom.objects.get(workspace=workspace).hold_reason == "Tillsyn"
    with pytest.raises(CommandError, match=r"tillitsnivå .* level of assurance"):
        call_command("chat", "hold", str(workspace.id), "--release", "--as", "safos_security")
    with pytest.raises(CommandError, match="Ange varför"):
        call_command("chat", "hold", str(workspace.id), "--reason", " ")
    call_command("chat", "hold", str(workspace.id), "--release", stdout=out)
    assert ChatRoom.objects.get(workspace=workspace).hold_set_at is None


# The page's conversation follows new messages live (ADR 0656): the homeserver's transaction
# with a message publishes the room's topic after commit; members follow it, nobody else.


def test_a_message_from_the_homeserver_reaches_the_pages_following_the_room(
    safos, workspace, settings, django_capture_on_commit_callbacks
):
    import asyncio

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from samdrift.chat import homeserver, services
    from samdrift.core import live

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    topic = f"chat:{workspace.id}"
    async_to_sync(layer.group_add)(live.group_name(topic), channel)
    assert live.authorised(safos.actor("editor"), topic)
    assert live.authorised(safos.actor("owner"), topic)
    assert not live.authorised(safos.actor("outsider"), topic)
    assert not live.authorised(safos.actor("security"), topic)  # sees the workspace, not its chat
    assert not live.authorised(safos.actor("owner"), "chat:not-a-workspace")
    message = {
        "type": "m.room.message", "room_id": "!abc:samdrift.localhost", "sender": "@x:y",
        "content": {"msgtype": "m.text", "body": "Hej"},
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.receive_transaction(
            token=homeserver.secret("hs_token"), txn_id="live-1", events=[message]
        )

    async def next_event():  # type: ignore[no-untyped-def]
        return await asyncio.wait_for(layer.receive(channel), timeout=1)

    got = async_to_sync(next_event)()
    assert (got["topic"], got["event"]) == (topic, {"kind": "message"})
    page = safos.client("editor").get(f"/chat/workspaces/{workspace.id}/").content.decode()
    assert f'data-live-topic="{topic}"' in page


# Whoever writes in a room, from samdrift's page or any Matrix program, used SAFOS this month for
# the agency they are a member for (ADR 0658): billing counts them with the other active users.


def test_writing_in_a_room_counts_as_safos_use_for_the_writers_agency(safos, workspace):
    from django.utils import timezone

    from samdrift.chat import homeserver, selectors, services
    from samdrift.collaboration.models import ActiveUser
    from samdrift.collaboration.services.usage import month_usage

    ActiveUser.objects.all().delete()  # the set-up's own use of the workspace

    def message(sender, room="!abc:samdrift.localhost", kind="m.room.message"):
        return {"type": kind, "room_id": room, "sender": sender, "content": {"body": "Hej"}}

    editor = selectors.matrix_user_id(safos.users["editor"].id)
    outsider = selectors.matrix_user_id(safos.users["outsider"].id)  # in no workspace
    events = [
        message(editor),
        message(editor),
        message(outsider),
        message("@someone:other.example"),  # another homeserver's user
        message(selectors.matrix_user_id(safos.users["owner"].id), room="!other:x"),  # no room
        message(selectors.matrix_user_id(safos.users["owner"].id), kind="m.reaction"),
    ]
    token = homeserver.secret("hs_token")
    services.receive_transaction(token=token, txn_id="use-1", events=events)
    services.receive_transaction(token=token, txn_id="use-2", events=[message(editor)])
    month = timezone.localdate().replace(day=1)
    assert list(ActiveUser.objects.values_list("month", "organisation_id", "user_id")) == [
        (month, safos.b.id, safos.users["editor"].id)
    ]
    assert [(row.organisation_id, row.active_users) for row in month_usage(month)] == [
        (safos.b.id, 1)
    ]


def test_a_mention_is_a_note_in_the_mentioned_members_inbox_only(safos, workspace):
    """ADR 0659: what Matrix clients send for a mention (`m.mentions.user_ids`) reaches a
    mentioned member's samdrift inbox with a link to the conversation, never the words and never
    by e-mail; a non-member, the sender and people of other homeservers get nothing."""
    from samdrift.chat import homeserver, selectors, services
    from samdrift.core.notifications.models import Notification

    editor = selectors.matrix_user_id(safos.users["editor"].id)
    owner = selectors.matrix_user_id(safos.users["owner"].id)
    outsider = selectors.matrix_user_id(safos.users["outsider"].id)
    message = {
        "type": "m.room.message", "room_id": "!abc:samdrift.localhost", "sender": editor,
        "content": {"msgtype": "m.text", "body": "Hemligt: kan du titta på detta?",
                    "m.mentions": {"user_ids": [owner, outsider, editor, "@x:other.example"]}},
    }  # fmt: skip
    broken = {**message, "content": {"body": "x", "m.mentions": "everyone"}}
    services.receive_transaction(
        token=homeserver.secret("hs_token"), txn_id="mention-1", events=[message, broken]
    )
    [note] = Notification.objects.filter(kind="chat_mention")
    assert note.recipient_id == safos.users["owner"].id and note.channel == "in_app"
    assert note.link.endswith(f"/chat/workspaces/{workspace.id}/#conversation")
    assert "Samverkan" in note.subject and "Hemligt" not in note.subject + note.body


def test_a_file_is_not_stored_when_chat_is_off(safos, workspace, files_dir, settings):
    """No homeserver to name it in: the file is refused before a byte is kept (503)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from samdrift.collaboration.models import Document

    settings.CHAT_ENABLED = False
    upload = SimpleUploadedFile("Protokoll.txt", b"Protokoll\n", content_type="text/plain")
    api = f"/api/v1/chat/workspaces/{workspace.id}/room/attachments"
    answer = safos.client("editor").post(api, {"file": upload})
    assert answer.status_code == 503, answer.content
    assert not Document.objects.filter(workspace=workspace).exists()
