"""A database for subprocesses: a file copy (SQLite) or a new database (PostgreSQL) with the
migrated schema of the test database, reachable by URL and readable from the test."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection


class Target:
    def __init__(self, url: str, connect: Callable[[], Any]) -> None:
        self.url, self._connect = url, connect

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        conn = self._connect()
        try:
            cursor = conn.cursor()
            cursor.execute(sql, params)
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            conn.close()

    @property
    def placeholder(self) -> str:
        return "?" if self.url.startswith("sqlite") else "%s"


@contextmanager
def subprocess_database(tmp_path: Path, name: str) -> Iterator[Target]:
    if connection.vendor == "sqlite":
        path = tmp_path / f"{name}.sqlite3"
        connection.ensure_connection()
        with connection.cursor() as cursor:  # the migrated schema, triggers included
            cursor.execute("VACUUM INTO %s", [str(path)])
        yield Target(f"sqlite:///{path}", lambda: sqlite3.connect(path, timeout=20))
        return
    import psycopg

    params = connection.get_connection_params()
    base = {k: v for k, v in params.items() if k in ("host", "port", "user", "password")}
    db_name = f"{name}_{os.getpid()}"
    host, port = str(base.get("host", "127.0.0.1")), str(base.get("port", 5432))
    user = str(base.get("user", "postgres"))
    schema = subprocess.run(
        [
            "pg_dump",
            "--schema-only",
            "--no-owner",
            "-h",
            host,
            "-p",
            port,
            "-U",
            user,
            params["dbname"],
        ],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, PGPASSWORD=str(base.get("password") or "")),
    ).stdout
    schema = "\n".join(
        line for line in schema.splitlines() if not line.startswith(("\\restrict", "\\unrestrict"))
    )
    with psycopg.connect(dbname="postgres", autocommit=True, **base) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db_name}"')
        admin.execute(f'CREATE DATABASE "{db_name}"')
    with psycopg.connect(dbname=db_name, autocommit=True, **base) as conn:
        conn.execute(schema)
    password = f":{base['password']}" if base.get("password") else ""
    try:
        yield Target(
            f"postgres://{user}{password}@{host}:{port}/{db_name}",
            lambda: psycopg.connect(dbname=db_name, autocommit=True, **base),
        )
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **base) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
