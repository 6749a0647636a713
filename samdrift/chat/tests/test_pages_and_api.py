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
