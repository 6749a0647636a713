"""The database as the database sees it (ADR 0064): a consistent snapshot, its restore into an
empty database, and one checksum per table to prove that the two hold the same rows.

SQLite: the online backup API copies the live file page by page (WAL included) while samdrift
runs. PostgreSQL: `pg_dump --format=custom` inside an exported snapshot, so the table checksums
and the stored-file list are read from exactly the rows the dump holds; `pg_restore` loads with
COPY and creates the triggers afterwards, so the immutability triggers never see the restored
rows.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings

from samdrift.core.files.models import StoredFile

FILES_TABLE = StoredFile._meta.db_table
MIGRATIONS_TABLE = "django_migrations"


@dataclass(frozen=True)
class Snapshot:
    """What a backup records of its database besides the dump itself."""

    vendor: str
    tables: dict[str, dict[str, Any]]  # table → {"rows": n, "sha256": hex}
    migrations: list[str]  # "app.name" of every applied migration
    files: list[tuple[str, str, int]]  # (storage key, sha256, size) of every stored file


def _config() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def vendor(database: dict[str, Any] | None = None) -> str:
    engine = (database or _config())["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise ValueError(f"unsupported database engine {engine}")


# --- SQLite ---------------------------------------------------------------------------------------


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [name for (name,) in rows]


def _sqlite_state(path: Path) -> tuple[dict[str, dict[str, Any]], list[str], list[Any]]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {}
        for table in _sqlite_tables(db):
            quoted = '"' + table.replace('"', '""') + '"'
            columns = len(db.execute(f"SELECT * FROM {quoted} LIMIT 0").description)  # noqa: S608
            order = ", ".join(str(i) for i in range(1, columns + 1))
            digest, rows = hashlib.sha256(), 0
            for row in db.execute(f"SELECT * FROM {quoted} ORDER BY {order}"):  # noqa: S608
                digest.update(repr(row).encode())
                rows += 1
            tables[table] = {"rows": rows, "sha256": digest.hexdigest()}
        migrations = _applied(
            db.execute(f"SELECT app, name FROM {MIGRATIONS_TABLE}").fetchall()  # noqa: S608
        )
        files = db.execute(f"SELECT key, sha256, size FROM {FILES_TABLE} ORDER BY key").fetchall()  # noqa: S608
    finally:
        db.close()
    return tables, migrations, files


def _applied(rows: list[Any]) -> list[str]:
    return sorted(f"{app}.{name}" for app, name in rows)


def _sqlite_snapshot(source: Path, destination: Path) -> Snapshot:
    live = sqlite3.connect(source)
    copy = sqlite3.connect(destination)
    try:
        with copy:
            live.backup(copy)
    finally:
        copy.close()
        live.close()
    tables, migrations, files = _sqlite_state(destination)
    return Snapshot("sqlite", tables, migrations, [tuple(f) for f in files])


# --- PostgreSQL -----------------------------------------------------------------------------------


def _pg_env(database: dict[str, Any]) -> dict[str, str]:
    env = {**os.environ}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if database.get(key):
            env[name] = str(database[key])
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return env


def _pg_connect(database: dict[str, Any], name: str | None = None) -> psycopg.Connection[Any]:
    return psycopg.connect(
        dbname=name or database["NAME"],
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
    )


def _pg_state(
    cursor: psycopg.Cursor[Any],
) -> tuple[dict[str, dict[str, Any]], list[str], list[Any]]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
        "AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    tables = {}
    for (table,) in cursor.fetchall():
        quoted = '"' + table.replace('"', '""') + '"'
        # The rows' text forms, sorted and hashed in the server: no row crosses the wire.
        cursor.execute(
            f"SELECT count(*), encode(sha256(convert_to(coalesce(string_agg(t::text, "  # noqa: S608
            f"E'\\n' ORDER BY t::text), ''), 'UTF8')), 'hex') FROM {quoted} t"
        )
        rows, digest = cursor.fetchone()  # type: ignore[misc]
        tables[table] = {"rows": rows, "sha256": digest}
    cursor.execute(f"SELECT app, name FROM {MIGRATIONS_TABLE}")  # noqa: S608
    migrations = _applied(cursor.fetchall())
    cursor.execute(f"SELECT key, sha256, size FROM {FILES_TABLE} ORDER BY key")  # noqa: S608
    return tables, migrations, cursor.fetchall()


def _pg_snapshot(database: dict[str, Any], destination: Path) -> Snapshot:
    with _pg_connect(database) as db:
        db.autocommit = True  # the transaction below is ours, with its isolation level
        db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        (snapshot_id,) = db.execute("SELECT pg_export_snapshot()").fetchone()  # type: ignore[misc]
        with db.cursor() as cursor:
            tables, migrations, files = _pg_state(cursor)
        # The dump reads the same snapshot while this transaction keeps it alive.
        subprocess.run(  # noqa: S603
            ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot_id}",  # noqa: S607
             f"--file={destination}", database["NAME"]],
            env=_pg_env(database), check=True, capture_output=True,
        )  # fmt: skip
        db.execute("COMMIT")
    return Snapshot("postgresql", tables, migrations, [tuple(f) for f in files])


def _pg_is_empty(database: dict[str, Any]) -> bool:
    with _pg_connect(database) as db:
        row = db.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    return row is not None and row[0] == 0


def _pg_restore(database: dict[str, Any], dump: Path, name: str) -> None:
    result = subprocess.run(  # noqa: S603
        ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",  # noqa: S607
         f"--dbname={name}", str(dump)],
        env=_pg_env(database), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"pg_restore failed: {result.stderr.strip()[:2000]}")


@contextlib.contextmanager
def _pg_scratch(database: dict[str, Any]) -> Iterator[str]:
    name = f"samdrift_verify_{os.urandom(6).hex()}"
    with _pg_connect(database, "postgres") as admin:
        admin.autocommit = True
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with _pg_connect(database, "postgres") as admin:
            admin.autocommit = True
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- one interface --------------------------------------------------------------------------------


def dump_name(kind: str) -> str:
    return "database.sqlite3" if kind == "sqlite" else "database.pgdump"


def take_snapshot(destination: Path) -> Snapshot:
    """A consistent copy of the configured database into `destination`, and its checksums."""
    database = _config()
    if vendor(database) == "sqlite":
        return _sqlite_snapshot(Path(database["NAME"]), destination)
    return _pg_snapshot(database, destination)


def state_after_restore(kind: str, dump: Path) -> Snapshot:
    """Restore the dump into a scratch database and read its checksums (`backup verify`)."""
    if kind == "sqlite":
        tables, migrations, files = _sqlite_state(dump)
        return Snapshot(kind, tables, migrations, [tuple(f) for f in files])
    database = _config()
    with _pg_scratch(database) as name:
        _pg_restore(database, dump, name)
        with _pg_connect(database, name) as db, db.cursor() as cursor:
            tables, migrations, files = _pg_state(cursor)
    return Snapshot(kind, tables, migrations, [tuple(f) for f in files])


def target_is_empty() -> bool:
    database = _config()
    if vendor(database) == "sqlite":
        path = Path(database["NAME"])
        if not path.exists() or path.stat().st_size == 0:
            return True
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return not _sqlite_tables(db)
        finally:
            db.close()
    return _pg_is_empty(database)


def put_in_place(kind: str, dump: Path) -> None:
    """Make the (empty) configured database the dump's. The caller has checked emptiness."""
    database = _config()
    if vendor(database) != kind:
        raise ValueError(f"the backup is of {kind}, the configured database {vendor(database)}")
    if kind == "sqlite":
        target = Path(database["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(f".{target.name}.restoring")
        source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        copy = sqlite3.connect(staging)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(staging, target)
        return
    _pg_restore(database, dump, database["NAME"])
