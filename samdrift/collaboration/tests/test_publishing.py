"""Publishing a document (issue 11 item 6, ADR 0618): draft → published with who and when,
audited; a workspace that requires accessible PDFs refuses to publish a PDF whose current
version's check has not passed (not run, failed) with the failed rules and the way forward; a
new version makes it a draft again. The check is the real one: a jobs worker runs samdrift's
checker on two files of the veraPDF corpus (copied into `pdfs/`, see its NOTICE)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from samdrift.audit.models import AuditEvent
from samdrift.collaboration import services
from samdrift.collaboration.models import Document, Version
from samdrift.core.exceptions import NotFound
from samdrift.core.jobs.worker import Worker

pytestmark = pytest.mark.django_db(transaction=True)

PDFS = Path(__file__).parent / "pdfs"
FAILING = (PDFS / "5-t01-fail-a.pdf").read_bytes()  # fails ua.pdfua-identification
PASSING = (PDFS / "7.1-t01-pass-b.pdf").read_bytes()


def _workspace(safos, *, require: bool):
    workspace = services.workspace_create(
        actor=safos.actor("owner"), name="Rapporter", classification=1
    )
    if require:
        services.workspace_publishing(
            actor=safos.actor("owner"), workspace_id=workspace.id, require_accessible_pdfs=True
        )
    return workspace


def _upload(safos, workspace, data: bytes, name="Rapport.pdf", content_type="application/pdf"):
    return services.upload(
        actor=safos.actor("owner"), workspace_id=workspace.id, stream=io.BytesIO(data),
        name=name, content_type=content_type,
    )  # fmt: skip


def test_publishing_needs_a_passed_check_and_says_which_rules_failed(safos):
    workspace = _workspace(safos, require=True)
    version = _upload(safos, workspace, FAILING)
    document_id = version.document_id
    # not run yet
    with pytest.raises(services.NotAccessible) as error:
        services.document_publish(actor=safos.actor("owner"), document_id=document_id)
    assert "has no accessibility result yet" in str(error.value)
    Worker(burst=True).run()  # the real checker, in its child process
    assert Version.objects.get(id=version.id).accessibility["passed"] is False
    with pytest.raises(services.NotAccessible) as error:
        services.document_publish(actor=safos.actor("owner"), document_id=document_id)
    text = str(error.value)
    assert "ua.pdfua-identification" in text and "upload it as a new version" in text
    assert error.value.code == "not_accessible"
    assert Document.objects.get(id=document_id).published_at is None
    assert not AuditEvent.objects.filter(action="collaboration.document_publish").exists()
    # the page shows why and offers no button; the API answers 409 in both languages
    page = safos.client("owner").get(f"/collaboration/documents/{document_id}/").content.decode()
    assert "kan inte publiceras ännu" in page and "ua.pdfua-identification" in page
    assert f"/collaboration/documents/{document_id}/publish/" not in page
    api = safos.client("owner").post(f"/api/v1/collaboration/documents/{document_id}/publish")
    assert api.status_code == 409 and api.json()["code"] == "not_accessible"
    assert "ua.pdfua-identification" in api.json()["message_sv"]
    assert "underkändes" in api.json()["message_sv"] and "failed" in api.json()["message_en"]
    # a corrected PDF as a new version passes, and then it can be published
    _upload(safos, workspace, PASSING)
    Worker(burst=True).run()
    document = services.document_publish(actor=safos.actor("owner"), document_id=document_id)
    assert document.published_at is not None
    assert document.published_by_id == safos.users["owner"].id
    event = AuditEvent.objects.get(action="collaboration.document_publish")
    assert event.after["version"] == 2 and event.before["published_at"] is None
    body = safos.client("owner").get(f"/api/v1/collaboration/documents/{document_id}").json()
    assert body["state"] == "published" and body["published_by_id"] == safos.users["owner"].id
    versions = safos.client("owner").get(f"/api/v1/collaboration/documents/{document_id}/versions")
    assert [v["accessibility"]["passed"] for v in versions.json()] == [True, False]


def test_a_new_version_makes_a_published_document_a_draft_again(safos):
    workspace = _workspace(safos, require=True)
    version = _upload(safos, workspace, PASSING)
    Worker(burst=True).run()
    services.document_publish(actor=safos.actor("owner"), document_id=version.document_id)
    _upload(safos, workspace, FAILING)  # the new bytes were not checked nor decided on
    document = Document.objects.get(id=version.document_id)
    assert document.published_at is None and document.published_by_id is None
    added = AuditEvent.objects.filter(action="collaboration.version_add").latest("id")
    assert added.after["unpublished"] is True
    # restoring the passed version is a new version too: draft until published again
    Worker(burst=True).run()
    services.version_restore(actor=safos.actor("owner"), document_id=document.id, number=1)
    Worker(burst=True).run()
    services.document_publish(actor=safos.actor("owner"), document_id=document.id)
    assert Document.objects.get(id=document.id).published_at is not None


def test_without_the_setting_any_file_is_published_and_unpublished(safos):
    workspace = _workspace(safos, require=False)
    version = _upload(safos, workspace, FAILING)
    document = services.document_publish(
        actor=safos.actor("owner"), document_id=version.document_id
    )
    assert document.published_at is not None
    with pytest.raises(services.Refused):  # already published: the ability is gone
        services.document_publish(actor=safos.actor("owner"), document_id=document.id)
    services.document_unpublish(actor=safos.actor("owner"), document_id=document.id)
    assert Document.objects.get(id=document.id).published_at is None
    assert AuditEvent.objects.filter(action="collaboration.document_unpublish").count() == 1


def test_a_text_file_is_published_in_a_workspace_that_requires_accessible_pdfs(safos):
    workspace = _workspace(safos, require=True)
    version = _upload(safos, workspace, b"text\n", "Anteckning.txt", "text/plain")
    services.document_publish(actor=safos.actor("owner"), document_id=version.document_id)
    assert Document.objects.get(id=version.document_id).published_at is not None


def test_only_the_owner_sets_the_requirement_and_only_editors_publish(safos):
    workspace = _workspace(safos, require=False)
    services.invite(actor=safos.actor("owner"), workspace_id=workspace.id,
                    email="reader@example.se", role="reader")  # fmt: skip
    from samdrift.collaboration import selectors

    invitation = selectors.my_invitations(actor=safos.actor("reader")).get()
    services.invitation_accept(actor=safos.actor("reader"), invitation_id=invitation.id)
    version = _upload(safos, workspace, PASSING)
    with pytest.raises(services.Refused):
        services.workspace_publishing(
            actor=safos.actor("reader"), workspace_id=workspace.id, require_accessible_pdfs=True
        )
    with pytest.raises(services.Refused):
        services.document_publish(actor=safos.actor("reader"), document_id=version.document_id)
    with pytest.raises(NotFound):
        services.document_publish(actor=safos.actor("outsider"), document_id=version.document_id)
    response = safos.client("owner").put(
        f"/api/v1/collaboration/workspaces/{workspace.id}/publishing",
        {"require_accessible_pdfs": True}, content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200 and response.json()["require_accessible_pdfs"] is True
    event = AuditEvent.objects.get(action="collaboration.workspace_publishing")
    assert event.before == {"require_accessible_pdfs": False}
    # the page's checkbox form, and its buttons from the abilities
    page = safos.client("owner").post(f"/collaboration/{workspace.id}/publishing/", {})
    assert page.status_code == 302
    reader_page = safos.client("reader").get(f"/collaboration/documents/{version.document_id}/")
    assert "/publish/" not in reader_page.content.decode()
