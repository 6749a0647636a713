"""The same round trip on PostgreSQL: `pg_dump` inside an exported snapshot, `pg_restore` into
an empty database with the immutability triggers created after the rows (ADR 0064, 0900).

Runs in the PostgreSQL stage of `.ci/run` (DATABASE_URL names PostgreSQL); there it makes two
databases of its own beside the test database and drops them afterwards."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest

from .test_backup_restore import SEED, Machine

URL = os.environ.get("DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not URL.startswith("postgres"), reason="the PostgreSQL stage runs it (DATABASE_URL)"
)


class PgMachine(Machine):
    def __init__(self, folder: Path, name: str) -> None:
        super().__init__(folder)
        self.name = name

    def env(self) -> dict[str, str]:
        return {
            **super().env(),
            "DATABASE_URL": urlparse(URL)._replace(path=f"/{self.name}").geturl(),
        }

    def state(self) -> tuple[object, ...]:
        from samdrift.continuity import database

        with psycopg.connect(self.env()["DATABASE_URL"]) as db, db.cursor() as cursor:
            tables, migrations, files = database._pg_state(cursor)
        return tables, migrations, files


@pytest.fixture
def databases():  # type: ignore[no-untyped-def]
    names = [f"samdrift_bk_{secrets.token_hex(4)}_{side}" for side in "ab"]
    admin_url = urlparse(URL)._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    yield names
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_round_trip_with_finalised_rows_and_triggers(databases, tmp_path) -> None:  # type: ignore[no-untyped-def]
    a = PgMachine(tmp_path / "a", databases[0])
    b = PgMachine(tmp_path / "b", databases[1])
    a.folder.mkdir()
    b.folder.mkdir()
    a.run("migrate", "--noinput", "-v0")
    a.run("shell", "-c", SEED)
    backup = tmp_path / "pg.backup"
    a.run("backup", "create", str(backup))
    assert "DIFFERS" not in a.run("backup", "verify", str(backup)).stderr
    b.run("restore", str(backup))
    tables_a, migrations_a, files_a = a.state()  # type: ignore[misc]
    tables_b, migrations_b, files_b = b.state()  # type: ignore[misc]
    assert migrations_b == migrations_a and files_b == files_a
    differing = {t for t in tables_a if tables_a[t] != tables_b[t]}
    assert differing <= {"audit_auditevent", "audit_auditchainhead"}  # the restore's own event
    assert tables_b["organisations_organisation"]["rows"] == 30
    assert b.run("audit", "verify").returncode == 0
    # The immutability triggers came back with the rows: an audit event still cannot change.
    refused = b.run(
        "shell", "-c",
        "from samdrift.audit.models import AuditEvent as E; "
        "E.objects.filter(id=E.objects.order_by('id').first().id).update(action='rewritten')",
        check=False,
    )  # fmt: skip
    assert refused.returncode != 0
    # And restoring again onto the now full database is refused, with nothing changed.
    before = b.state()
    again = b.run("restore", str(backup), check=False)
    assert again.returncode != 0 and "not empty" in again.stderr
    assert b.state() == before
