"""Final deletion when the retention of the class has ended (gallring, ADR 0610): due documents
go with their versions, share links, bytes and search entry; a record and an audit event stay;
what is not due, checked out, or still shares bytes with a kept document is left alone; the sweep
is a declared recurring job."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from samdrift.audit.models import AuditEvent
from samdrift.collaboration import services
from samdrift.collaboration.models import Disposal, Document, ShareLink, Version, Workspace
from samdrift.collaboration.services import retention
from samdrift.core.files.models import StoredFile
from samdrift.core.jobs.schedules import all_schedules

from .conftest import stored_objects

pytestmark = pytest.mark.django_db

START = datetime.datetime(2020, 3, 1, 12, tzinfo=datetime.UTC)


TEXT = "innehåll\n".encode()


def _upload(safos, workspace, name, text=TEXT, **kwargs):
    return services.upload(
        actor=safos.actor("owner"), workspace_id=workspace.id, stream=io.BytesIO(text),
        name=name, content_type="text/plain", **kwargs,
    )  # fmt: skip


@pytest.fixture
def aged(safos):
    """Made on START: a class-0 document (2 years), a class-1 one (5 years) with two versions and
    a share link, and a class-0 one checked out."""
    with time_machine.travel(START, tick=False):
        workspace = services.workspace_create(
            actor=safos.actor("owner"), name="Arkiv", classification=0
        )
        folder = services.folder_create(actor=safos.actor("owner"), workspace_id=workspace.id, name="Protokoll")  # fmt: skip
        short = _upload(safos, workspace, "Kort.txt", folder_id=folder.id).document
        _upload(safos, workspace, "Lång.txt", classification=1)
        long_ = _upload(safos, workspace, "Lång.txt", b"andra\n").document
        services.share_create(actor=safos.actor("owner"), document_id=long_.id, agencies=[safos.b.id])  # fmt: skip
        locked = _upload(safos, workspace, "Utcheckad.txt").document
        services.document_lock(actor=safos.actor("owner"), document_id=locked.id)
    return workspace, short, long_, locked


def test_only_what_is_due_is_disposed_of_with_a_record_and_an_audit_event(safos, aged, files_dir):
    workspace, short, long_, locked = aged
    before_objects = len(stored_objects(files_dir))
    used_before = Workspace.objects.get(id=workspace.id).used_bytes
    with time_machine.travel(START + datetime.timedelta(days=365), tick=False):
        assert retention.dispose_due() == []  # nothing is due after one year
    with time_machine.travel(datetime.datetime(2022, 3, 2, tzinfo=datetime.UTC), tick=False):
        assert retention.due_ids() == [short.id]  # class 0: 2 years; the checked-out one waits
        done = _sweep()
    assert done == [short.id]
    assert not Document.objects.filter(id=short.id).exists()
    assert not Version.objects.filter(document_id=short.id).exists()
    record = Disposal.objects.get(document_id=short.id)
    assert (record.name, record.folder, record.classification, record.retention_years) == (
        "Kort.txt", "Protokoll", 0, 2,
    )  # fmt: skip
    assert record.versions == 1 and record.bytes == len("innehåll\n".encode())
    assert Workspace.objects.get(id=workspace.id).used_bytes == used_before - record.bytes
    event = AuditEvent.objects.get(action="collaboration.dispose")
    assert event.object_id == str(short.id) and event.organisation_id == workspace.owner_org_id
    assert len(stored_objects(files_dir)) == before_objects - 1  # its bytes are gone
    assert Document.objects.filter(id__in=[long_.id, locked.id]).count() == 2

    with time_machine.travel(datetime.datetime(2025, 3, 2, tzinfo=datetime.UTC), tick=False):
        assert _sweep() == [long_.id]  # class 1: 5 years
    assert not ShareLink.objects.exists()
    assert Disposal.objects.get(document_id=long_.id).versions == 2
    assert Document.objects.filter(id=locked.id).exists()  # still checked out: it waits


def _sweep():
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        return retention.dispose_due()


def test_a_change_starts_the_retention_again(safos, aged):
    _workspace, short, _long, _locked = aged
    with time_machine.travel(datetime.datetime(2021, 12, 1, tzinfo=datetime.UTC), tick=False):
        services.document_trash(actor=safos.actor("owner"), document_id=short.id)
    with time_machine.travel(datetime.datetime(2022, 3, 2, tzinfo=datetime.UTC), tick=False):
        assert short.id not in retention.due_ids()
    with time_machine.travel(datetime.datetime(2023, 12, 2, tzinfo=datetime.UTC), tick=False):
        assert _sweep() == [short.id]
    assert Disposal.objects.get(document_id=short.id).was_trashed


def test_bytes_shared_with_a_kept_version_stay(safos, aged, files_dir):
    """Stored bytes are removed only when no version of any document still names them."""
    _workspace, short, _long, _locked = aged
    version = short.versions.get()
    keeper = Document.objects.create(
        workspace_id=short.workspace_id, name="Kopia.txt", classification=3
    )
    Version.objects.create(document=keeper, number=1, file_id=version.file_id, size=version.size,
                           sha256=version.sha256, content_type="text/plain")  # fmt: skip
    with time_machine.travel(datetime.datetime(2022, 3, 2, tzinfo=datetime.UTC), tick=False):
        assert _sweep() == [short.id]
    assert StoredFile.objects.filter(id=version.file_id).exists()


def test_the_sweep_is_a_daily_recurring_job_and_a_command(safos, aged, capsys):
    assert all_schedules()["collaboration.retention"].period() == 86400
    with time_machine.travel(datetime.datetime(2022, 3, 2, tzinfo=datetime.UTC), tick=False):
        call_command("collaboration", "dispose", "--dry-run")
        assert capsys.readouterr().out.split() == ["due", str(aged[1].id)]
        call_command("collaboration", "dispose")
    assert "disposed\t1" in capsys.readouterr().out
    call_command("collaboration", "disposals", str(aged[0].id))
    assert "Kort.txt" in capsys.readouterr().out


def test_the_trash_page_shows_the_record(safos, aged):
    with time_machine.travel(datetime.datetime(2022, 3, 2, tzinfo=datetime.UTC), tick=False):
        _sweep()
    page = safos.client("owner").get(f"/collaboration/{aged[0].id}/trash/")
    assert page.status_code == 200 and "Protokoll/Kort.txt" in page.content.decode()
