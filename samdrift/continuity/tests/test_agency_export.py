"""One agency's data on its own (issue 18 item 1, ADR 0916): every row naming the agency and
what hangs under those rows, its people without password hashes and its stored files, sealed
like a backup and checked by the backup's reader; nothing of another agency."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from samdrift.audit.models import AuditEvent
from samdrift.continuity import services
from samdrift.continuity.agency_export import export_agency
from samdrift.core.actor import SYSTEM
from samdrift.core.files import services as files
from samdrift.onboarding import services as onboarding
from samdrift.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProviderFactory,
    ServiceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSPHRASE = b"en lang hemlig fras"


@pytest.fixture
def two(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    ProviderFactory(name="Försäkringskassan", org_number="202100-5521")
    ServiceFactory(code="EFOS")
    agencies = {}
    for name, number in (("Myndighet A", "202100-0001"), ("Myndighet B", "202100-0019")):
        org = OrganisationFactory(name=name, org_number=number)
        user = UserFactory(username=f"anv-{number}", email=f"{number}@example.se")
        MembershipFactory(user=user, organisation=org, role="contact")
        case = onboarding.case_open(
            actor=SYSTEM, organisation_id=org.id, scope="single", service_codes=["EFOS"]
        )
        stored = files.store(
            io.BytesIO(f"Avtal för {name}".encode()), f"avtal-{number}.txt", "text/plain",
            actor=SYSTEM, owner_org_id=org.id,
        )  # fmt: skip
        agencies[name] = (org, user, case, stored)
    return agencies


def _opened(path, tmp_path):
    folder = tmp_path / "opened"
    folder.mkdir()
    return services.open_backup(path, PASSPHRASE, folder)


def test_the_export_holds_the_agency_and_nothing_of_another(two, tmp_path):
    a, user_a, case_a, file_a = two["Myndighet A"]
    _b, user_b, _case_b, file_b = two["Myndighet B"]
    made = export_agency(a.id, tmp_path / "a.samdrift", PASSPHRASE)
    opened = _opened(made.path, tmp_path)  # sealed, and every member matches the manifest
    assert opened.manifest["kind"] == "agency" and opened.manifest["org_number"] == "202100-0001"
    data = {p.name: p.read_text() for p in (opened.folder / "data").iterdir()}
    cases = json.loads(data["onboarding.connectioncase.json"])
    assert [row["pk"] for row in cases] == [case_a.id]
    assert "organisations.membership.json" in data
    people = json.loads(data["people.json"])
    assert [p["username"] for p in people] == [user_a.username]
    assert all("password" not in p for p in people)
    assert (opened.folder / "files" / file_a.key).read_bytes() == "Avtal för Myndighet A".encode()
    assert not (opened.folder / "files" / file_b.key).exists()
    everything = "\n".join(data.values())
    assert "Myndighet B" not in everything and user_b.username not in everything
    assert made.files == 1 and made.rows == sum(opened.manifest["models"].values())
    assert AuditEvent.objects.filter(action="continuity.agency_exported").count() == 1


def test_the_command_refuses_an_unknown_agency_and_an_existing_file(two, tmp_path, monkeypatch):
    monkeypatch.setenv("SAMDRIFT_BACKUP_PASSPHRASE", PASSPHRASE.decode())
    with pytest.raises(CommandError, match=" / "):
        call_command("backup", "agency", "999999-9999", str(tmp_path / "x.samdrift"))
    out = io.StringIO()
    call_command("backup", "agency", "2021000001", str(tmp_path / "a.samdrift"), stdout=out)
    assert "1 files" in out.getvalue()
    with pytest.raises(CommandError, match=" / "):
        call_command("backup", "agency", "202100-0001", str(tmp_path / "a.samdrift"))
    assert not (tmp_path / "x.samdrift").exists()
