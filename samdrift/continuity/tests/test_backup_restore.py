"""Backup, verify and restore as an operator runs them: `samdrift` commands in their own
processes, on real SQLite files, a real file storage folder and real encryption (ADR 0900).

Machine A has data: agencies, audit events, a stored file, an audit checkpoint. Its backup is
verified, restored onto an empty machine B and compared table by table and file by file; then
the bad backups the issue names are each refused with nothing changed on B.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from samdrift.continuity import database, services
from samdrift.core.i18n import in_both_languages

ROOT = Path(__file__).resolve().parents[3]
# Machines A and B are SQLite files of their own, whatever the run's database is (PostgreSQL's
# backups are test_postgresql.py's).
pytestmark = pytest.mark.own_database
PASSPHRASE = "korrekt häst batteri häftklammer"
SEED = """
import io
from django.db import transaction
from samdrift.audit.services import audit_record
from samdrift.core.actor import SYSTEM
from samdrift.core.files.services import store
from samdrift.tests.factories import OrganisationFactory
with transaction.atomic():
    for i in range(30):
        org = OrganisationFactory(name=f"Myndighet {i}")
        audit_record(actor=SYSTEM, action="test.seeded", obj=org)
    stored = store(io.BytesIO(b"%PDF-1.7 innehall " * 5000), "plan.pdf", "application/pdf",
                   actor=SYSTEM, owner_org_id=org.pk)
print(stored.key)
"""


@dataclass
class Machine:
    folder: Path

    @property
    def db(self) -> Path:
        return self.folder / "samdrift.sqlite3"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "SAMDRIFT_DATA_DIR": str(self.folder),
            "DATABASE_URL": f"sqlite:///{self.db}",
            # The chain key is a secret of the service, the same on the machine restored to.
            "SAMDRIFT_AUDIT_KEY": "k" * 40,
            "SAMDRIFT_BACKUP_PASSPHRASE": PASSPHRASE,
        }

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.env(), capture_output=True, text=True, check=False,
        )  # fmt: skip
        if check and result.returncode != 0:
            pytest.fail(f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result

    def state(self) -> tuple[object, ...]:
        if not self.db.exists():
            return ("no database",)
        tables, migrations, files = database._sqlite_state(self.db)
        media = sorted(
            (p.relative_to(self.folder).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest())
            for p in self.folder.rglob("*")
            if p.is_file()
            and p.suffix != ".sqlite3"
            and "-wal" not in p.name
            and "-shm" not in p.name
        )
        return tables, migrations, files, media


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Machine, Path, str]:
    a = Machine(tmp_path_factory.mktemp("machine-a"))
    a.run("migrate", "--noinput", "-v0")
    key = a.run("shell", "-c", SEED).stdout.strip().splitlines()[-1]
    a.run("audit", "checkpoint")  # kept outside the database, so backed up beside it
    backup = tmp_path_factory.mktemp("backups") / "samdrift.backup"
    created = a.run("backup", "create", str(backup))
    assert "create:" in created.stdout and " 1 files" in created.stdout
    return a, backup, key


def test_the_backup_is_sealed_and_verifies(made) -> None:  # type: ignore[no-untyped-def]
    a, backup, _key = made
    raw = backup.read_bytes()
    assert raw.startswith(b"SAMDRIFT-BACKUP\x00")
    assert b"Myndighet 12" not in raw and b"innehall" not in raw  # nothing in the clear
    verified = a.run("backup", "verify", str(backup))
    assert "verify:" in verified.stdout and " 1 files" in verified.stdout
    assert "DIFFERS" not in verified.stderr


def test_restore_onto_an_empty_machine_gives_back_every_table_and_file(made, tmp_path) -> None:  # type: ignore[no-untyped-def]
    a, backup, key = made
    b = Machine(tmp_path / "machine-b")
    b.folder.mkdir()
    restored = b.run("restore", str(backup))
    assert "restored:" in restored.stdout
    tables_a, migrations_a, files_a, _media = a.state()  # type: ignore[misc]
    tables_b, migrations_b, files_b, _media = b.state()  # type: ignore[misc]
    assert migrations_b == migrations_a and files_b == files_a
    differing = {t for t in tables_a if tables_a[t] != tables_b[t] and t != "audit_auditevent"}
    assert differing <= {"audit_auditchainhead"}  # the restore's own event, below
    assert tables_b["organisations_organisation"]["rows"] == 30
    assert (b.folder / "media" / key).read_bytes() == (a.folder / "media" / key).read_bytes()
    assert [p.name for p in (b.folder / "audit-checkpoints").iterdir()] == [
        p.name for p in (a.folder / "audit-checkpoints").iterdir()
    ]
    # The restored chain holds A's events and, last, the restore itself; it verifies.
    assert b.run("audit", "verify").returncode == 0
    last = b.run("shell", "-c", "from samdrift.audit.models import AuditEvent as E; "
                 "print(E.objects.order_by('-id').first().action)").stdout.split()[-1]  # fmt: skip
    assert last == "continuity.restored"


def _refused(b: Machine, backup: Path, *extra: str) -> str:
    before = b.state()
    result = b.run("restore", str(backup), *extra, check=False)
    assert result.returncode != 0, result.stdout
    assert b.state() == before  # nothing changed
    return result.stderr


def test_a_changed_byte_is_refused_before_anything_is_written(made, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _a, backup, _key = made
    b = Machine(tmp_path / "b")
    b.folder.mkdir()
    for offset in (20, 40, len(backup.read_bytes()) // 2, len(backup.read_bytes()) - 3):
        changed = tmp_path / f"changed-{offset}.backup"
        data = bytearray(backup.read_bytes())
        data[offset] ^= 0x01
        changed.write_bytes(bytes(data))
        error = _refused(b, changed)
        assert "Säkerhetskopian kan inte användas" in error and "cannot be used" in error


def test_a_cut_short_backup_is_refused(made, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _a, backup, _key = made
    b = Machine(tmp_path / "b")
    b.folder.mkdir()
    data = backup.read_bytes()
    for keep in (10, len(data) // 2, len(data) - 1):
        cut = tmp_path / f"cut-{keep}.backup"
        cut.write_bytes(data[:keep])
        assert "cut short" in _refused(b, cut) or "too short" in _refused(b, cut)
    extended = tmp_path / "extended.backup"
    extended.write_bytes(data + b"\x00")
    assert "after its end" in _refused(b, extended)


def test_a_wrong_passphrase_is_refused(made, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _a, backup, _key = made
    b = Machine(tmp_path / "b")
    b.folder.mkdir()
    wrong = tmp_path / "wrong-passphrase"
    wrong.write_text("inte rätt lösenfras alls\n")
    assert "wrong passphrase" in _refused(b, backup, "--passphrase-file", str(wrong))


def test_restore_refuses_a_database_that_is_not_empty(made) -> None:  # type: ignore[no-untyped-def]
    a, backup, _key = made
    error = _refused(a, backup)
    assert "inte tom" in error or "not empty" in error


def test_a_backup_never_overwrites_a_file(made) -> None:  # type: ignore[no-untyped-def]
    a, backup, _key = made
    before = backup.read_bytes()
    result = a.run("backup", "create", str(backup), check=False)
    assert result.returncode != 0 and "never overwrites" in result.stderr
    assert backup.read_bytes() == before


def test_a_backup_of_another_schema_is_refused_naming_both_versions(made, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _a, backup, _key = made
    ours = services.code_migrations()
    monkeypatch.setattr(services, "code_migrations", lambda: sorted([*ours, "billing.9999_later"]))
    with pytest.raises(services.RestoreRefused) as refused:
        services.restore_backup(backup, PASSPHRASE.encode())
    both = in_both_languages(refused.value.message, refused.value.params)
    assert "billing.9999_later" in both["en"].split("Only here:")[1]
    assert "billing.9999_later" in both["sv"].split("Bara här:")[1]
    assert f"with {len(ours) + 1}. Only" in both["en"] and "Nothing has been changed" in both["en"]


DRILLS = (
    "from samdrift.continuity.models import RestoreDrill as D; "
    "print([(d.succeeded, d.rpo_seconds is not None, d.files) for d in D.objects.order_by('id')])"
)


def test_a_restore_drill_records_what_it_achieved_against_every_services_targets(
    made, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    a, backup, _key = made
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "2026-12-04.backup").write_bytes(backup.read_bytes())
    a.run("shell", "-c", "from samdrift.tests.factories import ServiceFactory as S; "
          "S(code='DRILL', rpo_hours=24, rto_hours=4); S(code='TIGHT', rpo_hours=0, rto_hours=0)")  # fmt: skip
    drilled = a.run("backup", "drill", str(folder))
    assert "drill OK: 2026-12-04.backup" in drilled.stdout
    assert "DRILL: RPO 24 h met, RTO 4 h met" in drilled.stdout
    assert "TIGHT: RPO 0 h NOT met, RTO 0 h NOT met" in drilled.stdout
    # A newer backup that is damaged is the one drilled: the drill fails, and says so on record.
    damaged = folder / "2026-12-05.backup"
    damaged.write_bytes(backup.read_bytes()[:-100])
    failed = a.run("backup", "drill", str(folder), check=False)
    assert failed.returncode == 1
    assert "FAILED" in failed.stdout and "cut short" in failed.stderr
    assert "DRILL: RPO 24 h NOT met" in failed.stdout
    assert (
        a.run("shell", "-c", DRILLS).stdout.split("\n")[-2]
        == "[(True, True, 1), (False, False, 0)]"
    )
