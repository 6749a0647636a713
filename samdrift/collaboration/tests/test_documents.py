"""Documents: versions, restore, check-out, trash, quota, and every kind of bad upload refused
with a clear message and nothing stored (no row, no object in storage, no audit record)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samdrift.audit.models import AuditEvent
from samdrift.collaboration import selectors, services
from samdrift.collaboration.models import Document, Version
from samdrift.core.exceptions import NotFound, ValidationFailed
from samdrift.core.files.models import StoredFile
from samdrift.core.files.services import FileTooLarge
from samdrift.core.tenancy import StepUpRequired

from .conftest import stored_objects

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def space(safos):
    workspace = services.workspace_create(
        actor=safos.actor("owner"), name="Dokument", classification=1
    )
    services.invite(
        actor=safos.actor("owner"),
        workspace_id=workspace.id,
        email="editor@example.se",
        role="editor",
    )
    invitation = selectors.my_invitations(actor=safos.actor("editor")).get()
    services.invitation_accept(actor=safos.actor("editor"), invitation_id=invitation.id)
    return workspace


def _upload(safos, workspace, name="Beslut.txt", data=b"Beslut om samverkan.\n", who="owner", **kw):
    return services.upload(
        actor=safos.actor(who), workspace_id=workspace.id, stream=io.BytesIO(data), name=name,
        content_type="text/plain", **kw,
    )  # fmt: skip


def test_every_upload_of_the_same_name_is_a_new_version_and_an_old_one_can_be_restored(
    safos, space
):
    first = _upload(safos, space, data=b"one\n")
    second = _upload(safos, space, data=b"two\n", who="editor")
    assert first.document_id == second.document_id
    assert [v.number for v in selectors.version_list(document=first.document)] == [2, 1]
    restored = services.version_restore(
        actor=safos.actor("editor"), document_id=first.document_id, number=1
    )
    assert (restored.number, restored.restored_from_id, restored.file_id) == (
        3,
        first.id,
        first.file_id,
    )
    assert selectors.used_bytes(workspace_id=space.id) == 8  # the restore stored nothing new
    assert AuditEvent.objects.filter(action="collaboration.version_restore").count() == 1


def test_a_checked_out_document_refuses_another_editor_clearly(safos, space):
    version = _upload(safos, space)
    services.document_lock(actor=safos.actor("owner"), document_id=version.document_id)
    with pytest.raises(services.Refused) as error:
        _upload(safos, space, data=b"mine\n", who="editor")
    assert "checked out by" in str(error.value)
    with pytest.raises(services.Refused):
        services.document_lock(actor=safos.actor("editor"), document_id=version.document_id)
    assert Version.objects.count() == 1
    services.document_unlock(actor=safos.actor("owner"), document_id=version.document_id)
    assert _upload(safos, space, data=b"mine\n", who="editor").number == 2


def test_trash_and_restore(safos, space):
    version = _upload(safos, space)
    services.document_trash(actor=safos.actor("editor"), document_id=version.document_id)
    assert not selectors.document_list(workspace=space).exists()
    assert selectors.document_list(workspace=space, trashed=True).count() == 1
    with pytest.raises(services.Refused):
        services.version_restore(
            actor=safos.actor("editor"), document_id=version.document_id, number=1
        )
    services.document_untrash(actor=safos.actor("editor"), document_id=version.document_id)
    assert selectors.document_list(workspace=space).count() == 1


def test_a_reader_cannot_upload(safos, space):
    services.invite(
        actor=safos.actor("owner"), workspace_id=space.id, email="reader@example.se", role="reader"
    )
    invitation = selectors.my_invitations(actor=safos.actor("reader")).get()
    services.invitation_accept(actor=safos.actor("reader"), invitation_id=invitation.id)
    with pytest.raises(services.Refused):
        _upload(safos, space, who="reader")
    assert not Document.objects.exists()


BAD_NAMES = [
    "../../etc/passwd.txt",
    "..\\boot.txt",
    "a/b.txt",
    "rapport\x00.txt",
    "rapport\x1b[31m.txt",
    "faktura\u202etxt.exe",  # right-to-left override: shows as "fakturaexe.txt"
    "CON.txt",
    "lpt1.txt",
    "nul",
    "",
    "a" * 300 + ".txt",
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_bad_name_is_refused_and_nothing_is_stored(safos, space, files_dir, name):
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as error:
        _upload(safos, space, name=name)
    assert error.value.errors and str(error.value)
    assert not Document.objects.exists() and not StoredFile.objects.exists()
    assert stored_objects(files_dir) == []
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("rapport.pdf", b"MZ\x90\x00 not a pdf"),  # an executable calling itself a PDF
        ("bild.png", PDF),
        ("text.docx", b"plain text, not a zip"),
        ("anteckning.txt", b"\x00\x01\x02binary"),
        ("program.exe", b"MZ\x90\x00"),  # a type not accepted at all
        ("utan-filandelse", b"text"),
    ],
)
def test_content_that_does_not_match_its_extension_is_refused(safos, space, files_dir, name, data):
    with pytest.raises(ValidationFailed) as error:
        _upload(safos, space, name=name, data=data)
    assert "file" in error.value.errors
    assert not StoredFile.objects.exists() and stored_objects(files_dir) == []


def test_a_pdf_that_is_a_pdf_is_accepted(safos, space):
    assert _upload(safos, space, name="rapport.pdf", data=PDF).size == len(PDF)


def test_a_zero_byte_file_is_refused(safos, space, files_dir):
    with pytest.raises(ValidationFailed) as error:
        _upload(safos, space, data=b"")
    assert "empty" in str(error.value)
    assert not StoredFile.objects.exists() and stored_objects(files_dir) == []


def test_a_file_over_the_size_limit_is_refused(safos, space, files_dir, settings):
    settings.SAMDRIFT_FILES_MAX_BYTES = 1024
    with pytest.raises(FileTooLarge):
        _upload(safos, space, data=b"x" * 2048)
    assert not StoredFile.objects.exists() and stored_objects(files_dir) == []


def test_a_file_over_the_quota_is_refused_with_the_room_left(safos, space, files_dir):
    space.quota_bytes = 100
    space.save()
    _upload(safos, space, name="a.txt", data=b"x" * 60)
    before = stored_objects(files_dir)
    with pytest.raises(ValidationFailed) as error:
        _upload(safos, space, name="b.txt", data=b"y" * 60)
    assert error.value.code == "quota_exceeded"
    assert "quota" in str(error.value)
    # A stream with no declared size is cut off by the same cap while it is read.
    upload = SimpleUploadedFile("c.txt", b"z" * 60, content_type="text/plain")
    with pytest.raises(ValidationFailed):
        services.upload(
            actor=safos.actor("owner"), workspace_id=space.id, stream=upload, name="c.txt"
        )
    assert Version.objects.count() == 1 and StoredFile.objects.count() == 1
    assert stored_objects(files_dir) == before


def test_a_document_is_never_less_protected_than_its_workspace(safos, space):
    with pytest.raises(ValidationFailed):
        _upload(safos, space, classification=0)
    version = _upload(safos, space, classification=2)
    document = version.document
    with pytest.raises(ValidationFailed):
        services.document_classify(
            actor=safos.actor("security"), document_id=document.id, classification=0
        )
    with pytest.raises(services.Refused):  # lowering 2 → 1 is the security role's
        services.document_classify(
            actor=safos.actor("owner"), document_id=document.id, classification=1
        )
    services.document_classify(
        actor=safos.actor("security"), document_id=document.id, classification=1
    )
    # Raising the workspace raises every document below it.
    services.workspace_classify(actor=safos.actor("owner"), workspace_id=space.id, classification=2)
    assert Document.objects.get(id=document.id).classification == 2


def test_a_class_3_document_demands_loa3_and_may_only_be_viewed(safos, space):
    version = _upload(safos, space, classification=3)
    with pytest.raises(StepUpRequired) as error:
        selectors.document_get(actor=safos.actor("editor", loa=2), document_id=version.document_id)
    assert error.value.level == 3
    access = selectors.document_get(
        actor=safos.actor("editor", loa=3), document_id=version.document_id
    )
    assert access.abilities["download"] is False
    with pytest.raises(services.Refused):
        services.ensure_download_allowed(access)


def test_an_outsider_cannot_reach_a_document(safos, space):
    version = _upload(safos, space)
    for document_id in (version.document_id, 987654):
        with pytest.raises(NotFound):
            selectors.document_get(actor=safos.actor("outsider"), document_id=document_id)
        with pytest.raises(NotFound):
            services.document_trash(actor=safos.actor("outsider"), document_id=document_id)
    assert Document.objects.get(id=version.document_id).trashed_at is None


def test_a_hook_runs_after_each_new_version_is_committed(
    safos, space, django_capture_on_commit_callbacks
):
    seen: list[int] = []
    services.register_version_hook("test", seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            version = _upload(safos, space)
        assert seen == [version.id]
    finally:
        services._version_hooks.pop("test")
