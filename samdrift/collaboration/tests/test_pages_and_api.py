"""Pages and API end to end: the same rules, the read audit on every download, the read log and
its CSV for the owner and the security role only, the LoA step-up, and Swedish messages."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samdrift.audit.models import AuditEvent
from samdrift.collaboration import selectors, services
from samdrift.collaboration.models import Document, Version
from samdrift.core.files.models import StoredFile

from .conftest import stored_objects

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(safos):
    """A class-1 workspace of A with B's editor in it, and one document of two versions."""
    workspace = services.workspace_create(
        actor=safos.actor("owner"), name="Samverkan", classification=1
    )
    services.invite(
        actor=safos.actor("owner"),
        workspace_id=workspace.id,
        email="editor@example.se",
        role="editor",
    )
    invitation = selectors.my_invitations(actor=safos.actor("editor")).get()
    services.invitation_accept(actor=safos.actor("editor"), invitation_id=invitation.id)
    for text in ("första\n".encode(), b"andra\n"):
        version = services.upload(
            actor=safos.actor("owner"), workspace_id=workspace.id, stream=io.BytesIO(text),
            name="Plan.txt", content_type="text/plain",
        )  # fmt: skip
    return workspace, version.document


def test_the_pages_open_for_a_member(safos, shared):
    workspace, document = shared
    client = safos.client("editor")
    for url in (
        "/collaboration/",
        "/collaboration/invitations/",
        f"/collaboration/{workspace.id}/",
        f"/collaboration/{workspace.id}/members/",
        f"/collaboration/{workspace.id}/trash/",
        f"/collaboration/documents/{document.id}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Plan.txt" in client.get(f"/collaboration/{workspace.id}/").content.decode()


def test_an_outsider_gets_404_everywhere(safos, shared):
    workspace, document = shared
    client = safos.client("outsider")
    for url in (
        f"/collaboration/{workspace.id}/",
        f"/collaboration/documents/{document.id}/",
        f"/collaboration/documents/{document.id}/download/",
        f"/collaboration/documents/{document.id}/reads/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/api/v1/collaboration/documents/{document.id}/content").status_code == 404


def test_a_weaker_login_is_sent_to_step_up_for_the_class(safos, shared):
    workspace, _document = shared
    response = safos.client("editor", loa=0).get(f"/collaboration/{workspace.id}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/identity/step-up/?level=2")
    api = safos.client("editor", loa=0).get(f"/api/v1/collaboration/workspaces/{workspace.id}")
    assert api.status_code == 401 and api.json()["code"] == "step_up_required"
    assert 'level="2"' in api["WWW-Authenticate"]


def test_every_download_is_recorded_with_who_agency_and_version(safos, shared):
    _workspace, document = shared
    page = safos.client("editor").get(f"/collaboration/documents/{document.id}/download/?version=1")
    assert page.status_code == 200 and b"".join(page.streaming_content) == "första\n".encode()
    api = safos.client("editor").get(f"/api/v1/collaboration/documents/{document.id}/content")
    assert b"".join(api.streaming_content) == b"andra\n"
    reads = list(
        AuditEvent.objects.filter(action="read", object_type="collaboration.document").order_by(
            "id"
        )
    )
    assert [(e.actor_id, e.after["version"], e.after["agency"]) for e in reads] == [
        (safos.users["editor"].id, 1, safos.b.id),
        (safos.users["editor"].id, 2, safos.b.id),
    ]
    assert {e.organisation_id for e in reads} == {safos.a.id}


def test_the_read_log_is_for_the_owner_and_the_security_role_only(safos, shared):
    _workspace, document = shared
    safos.client("editor").get(f"/collaboration/documents/{document.id}/download/")
    url = f"/collaboration/documents/{document.id}/reads/"
    assert safos.client("editor").get(url).status_code == 404
    label = safos.actor("editor").label
    page = safos.client("owner").get(url).content.decode()
    assert label in page and "Myndighet B" in page
    assert safos.client("security").get(url).status_code == 200
    exported = safos.client("owner").get(f"/collaboration/documents/{document.id}/reads.csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0] == ["at", "who", "agency_id", "access", "version", "guest", "agency"]
    assert rows[1][1:5] == [label, str(safos.b.id), "download", "2"]
    assert rows[1][6] == "Myndighet B"
    assert AuditEvent.objects.filter(object_type="collaboration.read_log").count() == 1
    api = safos.client("security").get(f"/api/v1/collaboration/documents/{document.id}/reads")
    assert [r["who"] for r in api.json()] == [label]


def test_an_upload_through_the_page_with_a_bad_name_says_why_in_swedish(safos, shared, files_dir):
    workspace, _document = shared
    before = stored_objects(files_dir)
    # (Django's upload parser already strips a bidi override from a part's file name; the
    # services' tests send those names directly.)
    upload = SimpleUploadedFile("CON.txt", b"text", content_type="text/plain")
    response = safos.client("editor").post(
        f"/collaboration/{workspace.id}/upload/", {"file": upload}
    )
    assert response.status_code == 422
    assert "reserverat namn i Windows" in response.content.decode()
    assert stored_objects(files_dir) == before and StoredFile.objects.count() == 2


def test_the_api_refuses_security_protected_information_in_both_languages(safos):
    response = safos.client("owner").post(
        "/api/v1/collaboration/workspaces",
        {"name": "Hemligt", "classification": "S"},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "security_protected"
    assert "säkerhetsskydd" in body["message_sv"] and "Security-protected" in body["message_en"]


def test_the_api_uploads_a_new_version_and_the_lock_refuses_another_editor(safos, shared):
    _workspace, document = shared
    owner, editor = safos.client("owner"), safos.client("editor")
    assert owner.post(f"/api/v1/collaboration/documents/{document.id}/lock").status_code == 200
    refused = editor.post(
        f"/api/v1/collaboration/documents/{document.id}/versions",
        {"file": SimpleUploadedFile("Plan.txt", b"tredje\n", content_type="text/plain")},
    )
    assert refused.status_code == 409 and "Plan.txt" in refused.json()["message_en"]
    assert Version.objects.filter(document=document).count() == 2
    owner.post(f"/api/v1/collaboration/documents/{document.id}/unlock")
    accepted = editor.post(
        f"/api/v1/collaboration/documents/{document.id}/versions",
        {"file": SimpleUploadedFile("Plan.txt", b"tredje\n", content_type="text/plain")},
    )
    assert accepted.status_code == 201 and accepted.json()["number"] == 3
    versions = editor.get(f"/api/v1/collaboration/documents/{document.id}/versions").json()
    assert [v["number"] for v in versions] == [3, 2, 1]
    assert Document.objects.get(id=document.id).locked_by_id is None
