"""SAFOS usage to billing and the per-agency quota (ADR 0611): each connected agency's active
users per month go to billing once, through its public service; guests' agencies are not billed;
an agency's workspaces together stay within its quota, refused in both languages with nothing
stored."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from samdrift.audit.models import AuditEvent
from samdrift.billing.models import BillableService, FeeArea, Usage
from samdrift.collaboration import selectors, services
from samdrift.collaboration.models import ActiveUser, UsageReport, Version
from samdrift.collaboration.services import usage
from samdrift.core.actor import SYSTEM
from samdrift.core.exceptions import ValidationFailed

from .conftest import stored_objects

pytestmark = pytest.mark.django_db
MARCH = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)


@pytest.fixture
def billable(safos):
    from samdrift.catalogue.models import Service

    area = FeeArea.objects.create(code="safos", name_sv="SAFOS", name_en="SAFOS", recovery_years=3)
    BillableService.objects.create(service=Service.objects.get(code="SAFOS"), fee_area=area)


def _join(safos, workspace, name, role="editor"):
    services.invite(actor=safos.actor("owner"), workspace_id=workspace.id, email=f"{name}@example.se", role=role)  # fmt: skip
    invitation = selectors.my_invitations(actor=safos.actor(name)).get()
    services.invitation_accept(actor=safos.actor(name), invitation_id=invitation.id)


def _upload(safos, who, workspace, name, data=b"text\n"):
    return services.upload(
        actor=safos.actor(who), workspace_id=workspace.id, stream=io.BytesIO(data), name=name,
        content_type="text/plain",
    )  # fmt: skip


def test_active_users_per_connected_agency_go_to_billing_once(safos, billable):
    with time_machine.travel(MARCH, tick=False):
        workspace = services.workspace_create(actor=safos.actor("owner"), name="Yta", classification=0)  # fmt: skip
        _join(safos, workspace, "editor")  # agency B
        _join(safos, workspace, "reader", role="reader")  # agency B, never does anything more
        _join(safos, workspace, "guest")  # agency G: not connected, not billed
        _upload(safos, "editor", workspace, "a.txt")
        _upload(safos, "editor", workspace, "b.txt")  # the same person twice: once
        _upload(safos, "guest", workspace, "c.txt")
    march = datetime.date(2026, 3, 1)
    got = {(r.name, r.active_users) for r in usage.month_usage(march)}
    assert got == {(safos.a.name, 1), (safos.b.name, 2)}  # accepting an invitation is activity
    with time_machine.travel(MARCH, tick=False), pytest.raises(ValidationFailed):
        usage.report_month(actor=SYSTEM, month="2026-03")  # not ended
    with time_machine.travel(datetime.datetime(2026, 4, 2, tzinfo=datetime.UTC), tick=False):
        assert usage.report_previous_month() == 3
        usage.report_previous_month()  # the next day's run changes nothing
    rows = {
        (u.organisation_id, int(u.quantity)) for u in Usage.objects.filter(source="collaboration")
    }
    assert rows == {(safos.a.id, 1), (safos.b.id, 2)}
    assert UsageReport.objects.get().users == 3
    assert AuditEvent.objects.filter(action="collaboration.usage_report").count() == 1


def test_the_usage_command_shows_and_reports(safos, billable, capsys):
    ActiveUser.objects.create(month=datetime.date(2026, 1, 1), organisation=safos.a, user=safos.users["owner"])  # fmt: skip
    call_command("collaboration", "usage", "2026-01", "--report")
    out = capsys.readouterr().out
    assert f"2026-01\t{safos.a.id}\t1\t{safos.a.name}" in out and "reported\t1\t1" in out
    with pytest.raises(Exception, match="YYYY-MM"):
        call_command("collaboration", "usage", "januari")


def test_an_agency_quota_covers_all_its_workspaces(safos, files_dir):
    one = services.workspace_create(actor=safos.actor("owner"), name="Ett", classification=0)
    two = services.workspace_create(actor=safos.actor("owner"), name="Två", classification=0)
    usage.agency_quota_set(actor=SYSTEM, organisation_id=safos.a.id, quota_bytes=10)
    _upload(safos, "owner", one, "a.txt", b"123456")
    before = len(stored_objects(files_dir))
    with pytest.raises(ValidationFailed) as error:
        _upload(safos, "owner", two, "b.txt", b"123456")
    assert error.value.code == "quota_exceeded"
    assert "owning agency's quota" in error.value.errors["file"][0]
    assert len(stored_objects(files_dir)) == before
    assert Version.objects.count() == 1
    _upload(safos, "owner", two, "c.txt", b"1234")  # what is left fits
    # B's workspaces are not A's: B has the default
    other = services.workspace_create(actor=safos.actor("editor"), name="B", classification=0)
    _upload(safos, "editor", other, "d.txt", b"123456")
    assert AuditEvent.objects.filter(action="collaboration.agency_quota").count() == 1


def test_the_page_says_why_in_swedish(safos, files_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile

    workspace = services.workspace_create(actor=safos.actor("owner"), name="Ett", classification=0)
    usage.agency_quota_set(actor=SYSTEM, organisation_id=safos.a.id, quota_bytes=3)
    response = safos.client("owner").post(
        f"/collaboration/{workspace.id}/upload/",
        {"file": SimpleUploadedFile("a.txt", b"123456", "text/plain")},
    )
    assert response.status_code == 422
    assert "Den ägande myndighetens kvot" in response.content.decode()


def test_bad_quota_is_refused(safos, capsys):
    for bad in ("0", "-1", "x"):
        with pytest.raises(ValidationFailed):
            usage.agency_quota_set(actor=SYSTEM, organisation_id=safos.a.id, quota_bytes=bad)
    call_command("collaboration", "agency-quota", str(safos.a.id), "5000")
    assert capsys.readouterr().out.strip() == f"{safos.a.id}\t0\t5000"
